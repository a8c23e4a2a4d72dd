"""ROME 4.0 import: every fiche generated from the copied release, reproducibly, and bad files refused by name."""

from __future__ import annotations

import shutil

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import rome
from tests.conftest import KNOWLEDGE_DIR

SOURCES = KNOWLEDGE_DIR / rome.SOURCES_DIR


@pytest.fixture(scope="module")
def release():
    return rome.read_release(SOURCES)


@pytest.fixture(scope="module")
def fiches(release):
    return {fiche["code"]: fiche for fiche in release["fiches"]}


def test_every_fiche_has_a_definition_an_access_text_and_job_titles(fiches):
    assert len(fiches) == 1584
    for code, fiche in fiches.items():
        assert fiche["definition"] and fiche["access"] and fiche["titles"], code
        assert fiche["url"] == f"https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"
        assert sum(title["principal"] for title in fiche["titles"]) == 1, code


def test_the_generated_file_is_exactly_the_import_of_the_copied_sources(tmp_path, release):
    """`boussole train` wrote the file from data/knowledge/sources/rome: importing again gives the same bytes."""
    shutil.copytree(SOURCES, tmp_path / rome.SOURCES_DIR)
    again = rome.import_release(tmp_path / rome.SOURCES_DIR, tmp_path)
    shipped = KNOWLEDGE_DIR / rome.FICHES_FILE
    if not shipped.is_file():
        pytest.fail(f"{shipped} is missing: run `boussole train`, which generates it")
    assert again.read_bytes() == shipped.read_bytes()
    assert rome.is_up_to_date(tmp_path)


def test_a_changed_source_makes_the_fiches_stale(tmp_path):
    shutil.copytree(SOURCES, tmp_path / rome.SOURCES_DIR)
    rome.generate(tmp_path)
    assert rome.is_up_to_date(tmp_path)
    version = tmp_path / rome.SOURCES_DIR / rome.FILES["version"]
    version.write_text(version.read_text() + "\n")
    assert not rome.is_up_to_date(tmp_path)


def test_titles_come_in_both_genders_and_apostrophes_are_undoubled(fiches):
    nurse = fiches["J1506"]
    assert nurse["names"][:2] == ["Infirmier en soins généraux (IDE)", "Infirmière en soins généraux (IDE)"]
    assert "Conductrice d'engins agricoles" in fiches["A1101"]["names"]
    assert not any("''" in sentence for fiche in fiches.values() for sentence in [fiche["definition"], *fiche["access"]])


def test_skills_list_core_savoir_faire_first_then_savoir_etre_then_savoirs(fiches):
    order = {"savoir_faire": 0, "savoir_etre": 1, "savoirs": 2}
    for code, fiche in fiches.items():
        keys = [(order[s["kind"]], not s["core"]) for s in fiche["skills"]]
        assert keys == sorted(keys), code
    assert any(s["core"] for s in fiches["J1506"]["skills"])


def test_work_contexts_are_grouped_by_rome_type_and_sectors_put_the_principal_first(fiches):
    types = {kind for fiche in fiches.values() for kind in fiche["conditions"]}
    assert "Horaires et durée du travail" in types and "Lieux et déplacements" in types
    for code, fiche in fiches.items():
        principal = [s["principal"] for s in fiche["sectors"]]
        assert principal == sorted(principal, reverse=True), code


def test_mobilities_name_their_target_fiche(fiches):
    moves = fiches["A1101"]["mobilities"]
    assert moves and all(move["label"] == fiches[move["code"]]["label"] for move in moves)


def test_centres_d_interet_and_riasec_profiles_are_imported_for_every_fiche(release, fiches):
    interests = {i["code"]: i for i in release["interests"]}
    assert len(interests) == 30 and all(i["label"] and i["definition"] for i in interests.values())
    assert interests["1"]["label"] == "J'ai envie de créer, construire, rénover"
    for code, fiche in fiches.items():
        assert fiche["interests"] and all(i["code"] in interests for i in fiche["interests"]), code
        principal = [i["principal"] for i in fiche["interests"]]
        assert principal == sorted(principal, reverse=True), code  # the strongest links first
        assert fiche["riasec"]["major"] in set("RIASEC"), code
    assert rome.load_interests(KNOWLEDGE_DIR) == release["interests"]


def test_a_link_to_an_unknown_centre_d_interet_is_refused_by_name(tmp_path):
    shutil.copytree(SOURCES, tmp_path / "rome")
    links = tmp_path / "rome" / rome.FILES["interest_links"]
    lines = links.read_text(encoding="utf-8").splitlines()
    lines.append('"99","Inconnu","1","A1101","Conducteur / Conductrice d\'engins agricoles","oui"')
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unix_arborescence_centre_interet.*centre d'intérêt '99'"):
        rome.read_release(tmp_path / "rome")


def test_a_record_with_a_missing_field_is_refused_with_its_file_and_line(tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(SOURCES, folder)
    texts = folder / rome.FILES["texts"]
    lines = texts.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0]  # one field short
    texts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as refused:
        rome.read_release(folder)
    assert "[E031]" in str(refused.value) and rome.FILES["texts"] in str(refused.value) and "line 2" in str(refused.value)


def test_an_unknown_code_in_a_linked_file_is_refused_by_name(tmp_path):
    folder = tmp_path / "release"
    shutil.copytree(SOURCES, folder)
    mobilities = folder / rome.FILES["mobilities"]
    mobilities.write_text(mobilities.read_text(encoding="utf-8") + '"Z9999","A1101","1"\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"\[E031\].*Z9999.*unknown ROME code"):
        rome.read_release(folder)


def test_each_sheet_names_its_rome_fiche_which_holds_one_of_the_sheets_names(kb):
    from bot.resolve.names import Grammar, rome_names

    grammar = Grammar.load(KNOWLEDGE_DIR)
    for sheet in kb.sheets.values():
        assert sheet.rome_fiche in kb.fiches, sheet.id
        fiche_names = {grammar.key(name.text) for name in rome_names([kb.fiches[sheet.rome_fiche]])}
        assert fiche_names & {grammar.key(n) for n in (sheet.title, *sheet.all_names())}, sheet.id


def test_a_sheet_naming_a_fiche_that_does_not_exist_is_refused(tmp_path):
    from bot.knowledge import load_knowledge

    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    sheet = target / "data-scientist.yml"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("rome_fiche: M1405", "rome_fiche: M9999"), encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"\[E035\] .*data-scientist\.yml, field 'rome_fiche': M9999"):
        load_knowledge(target)
