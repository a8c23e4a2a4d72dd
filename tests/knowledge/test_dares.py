"""The Dares' families of métiers: imported reproducibly, linked to ROME fiches, bad files refused by line."""

from __future__ import annotations

import shutil

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import dares
from tests.conftest import KNOWLEDGE_DIR

SOURCES = KNOWLEDGE_DIR / dares.SOURCES_DIR


def test_the_shipped_families_are_exactly_the_import_of_the_copied_sources(tmp_path):
    again = dares.import_release(SOURCES, tmp_path)
    assert again.read_bytes() == (KNOWLEDGE_DIR / dares.FAMILIES_FILE).read_bytes()
    assert dares.is_up_to_date(tmp_path) and dares.is_up_to_date(KNOWLEDGE_DIR)


def test_a_changed_source_makes_the_families_stale(tmp_path):
    shutil.copytree(SOURCES, tmp_path / dares.SOURCES_DIR)
    dares.generate(tmp_path)
    salaries = tmp_path / dares.SOURCES_DIR / dares.FILES["salaries"][0]
    salaries.write_text(salaries.read_text() + '"S0Z42","2020-2022",1600\n')
    assert not dares.is_up_to_date(tmp_path)


def test_every_fiche_but_five_reaches_a_family_with_its_median(kb):
    reached = [code for code in kb.fiches if kb.salary_families(code)]
    assert len(kb.families) == 227 and len(reached) == 1579
    (nurses,) = kb.salary_families("J1506")
    assert nurses["label"] == "Infirmiers" and nurses["medians"]["2017-2019"] == 2025


def test_a_fiche_split_from_a_rome_3_code_reaches_the_families_of_its_parent(kb):
    child = next(c for c, f in kb.fiches.items() if f["parent"] and f["parent"] != c
                 and not dares.families_by_rome(kb.families).get(c) and kb.salary_families(c))
    parent_families = dares.families_by_rome(kb.families)[kb.fiches[child]["parent"]]
    assert [f["code"] for f in kb.salary_families(child)] == \
        dares.closest_first(kb.fiches[child], parent_families, kb.families, kb.finder.index.grammar)


@pytest.mark.parametrize("code, first", [
    ("D1102", "Boulangers, pâtissiers"),  # the label shares the fiche's name, before the unskilled workers'
    ("F1603", "Plombiers, chauffagistes"),
    ("M1805", "Ingénieurs et cadres d'étude, recherche et développement en informatique, chefs de projets informatiques"),  # cadre
    ("M1855", "Techniciens d'étude et de développement en informatique"),  # not cadre: « développement » shares its stem
])
def test_the_closest_family_comes_first_and_three_at_most_are_said(kb, code, first):
    families = kb.salary_families(code)
    assert families[0]["label"] == first and len(families) <= dares.MAX_FAMILIES


def test_a_median_that_is_no_number_is_refused_with_its_file_and_line(tmp_path):
    folder = tmp_path / "dares"
    shutil.copytree(SOURCES, folder)
    salaries = folder / dares.FILES["salaries"][0]
    lines = salaries.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",beaucoup"
    salaries.write_text("\n".join(lines) + "\n")
    with pytest.raises(KnowledgeError, match=r"\[E031\].*salaire_median_3niv.csv, item line 4: 'beaucoup' is not a number"):
        dares.read_release(folder)


def test_a_family_no_label_names_is_refused(tmp_path):
    folder = tmp_path / "dares"
    shutil.copytree(SOURCES, folder)
    rome_links = folder / dares.FILES["rome"][0]
    rome_links.write_bytes(rome_links.read_bytes().replace(b"S0Z42;D1102", b"Q9Z99;D1102"))
    with pytest.raises(KnowledgeError, match=r"\[E031\].*fap225_rome.csv.*unknown family 'Q9Z99'"):
        dares.read_release(folder)
