"""ONISEP's open data: the six sheets built on its fiches, and its index of métiers."""

from __future__ import annotations

import shutil

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.catalogue import INDEX_FILE, gender_forms, parse_onisep_index, write_catalogue
from bot.nlu_data import build_index_lookup
from bot.text import squash
from tests.conftest import KNOWLEDGE_DIR

ONISEP_SHEETS = {
    "data-scientist": "MET.512",
    "data-analyst": "MET.7930",
    "architecte-big-data": "MET.848",
    "data-manager": "MET.613",
    "statisticien": "MET.461",
    "bio-informaticien": "MET.201",
}
INDEX_XML = KNOWLEDGE_DIR / "sources" / "onisep" / "ideo-metiers_onisep.xml"


@pytest.mark.parametrize("sheet_id, met_id", ONISEP_SHEETS.items())
def test_each_onisep_sheet_names_its_fiche_and_quotes_it(kb, sheet_id, met_id):
    sheet = kb.sheets[sheet_id]
    doc = sheet.source
    assert doc.publisher == "Onisep" and doc.reference == met_id and doc.url.endswith(f"/{met_id}")
    fiche = squash((KNOWLEDGE_DIR / doc.file).read_text(encoding="utf-8"))
    assert f"**ID:** {met_id}" in fiche
    # The loader refuses a quote missing from its source; here, every section the fiche
    # feeds is really filled, and its ROME code is the fiche's.
    assert sheet.definition and sheet.skills and sheet.training and sheet.access and sheet.interests
    assert all(f"- {code}" in fiche for code in sheet.rome_codes) and sheet.rome_codes
    assert sheet.appellations and all(a.masculin in fiche and a.feminin in fiche for a in sheet.appellations)


@pytest.mark.parametrize("sheet_id", ["data-scientist", "data-analyst", "data-manager", "statisticien", "bio-informaticien"])
def test_beginner_salary_is_monthly_gross_from_the_fiche(kb, sheet_id):
    figures = kb.sheets[sheet_id].salary.figures
    assert figures and all(f.level == "junior" and f.period == "mensuel" and f.basis == "brut" for f in figures)
    assert all(str(f.amount) in f.source for f in figures)


def test_every_access_fact_with_years_after_the_bac_says_them():
    kb = load_knowledge(KNOWLEDGE_DIR)
    facts = [f for s in kb.sheets.values() for f in s.access if f.years_after_bac is not None]
    assert facts and all(str(f.years_after_bac) in f.source for f in facts)


def test_a_sheet_without_author_nor_publisher_is_refused(tmp_path):
    shutil.copytree(KNOWLEDGE_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "data-analyst.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    del doc["source"]["publisher"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(tmp_path)
    assert "data-analyst.yml" in str(error.value) and "author or a publisher" in str(error.value)


# --- the index ---------------------------------------------------------------------

@pytest.mark.parametrize("label, forms", [
    ("agriculteur / agricultrice", ["agriculteur", "agricultrice"]),
    ("avocat / avocate d'affaires", ["avocat d'affaires", "avocate d'affaires"]),
    ("architecte naval / navale", ["architecte naval", "architecte navale"]),
    ("masseur / masseuse-kinésithérapeute", ["masseur-kinésithérapeute", "masseuse-kinésithérapeute"]),
    ("conseiller / conseillère principal / principale d'éducation",
     ["conseiller principal d'éducation", "conseillère principale d'éducation"]),
    ("data scientist", ["data scientist"]),
])
def test_both_gender_forms_of_an_onisep_label(label, forms):
    assert gender_forms(label)[:2] == forms


def test_index_has_one_entry_per_met_id_with_link_and_rome():
    entries = parse_onisep_index(INDEX_XML)
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids)) > 1000
    geometre = next(e for e in entries if "géomètre-topographe" in e.names)
    assert geometre.url.endswith(f"/{geometre.id}") and geometre.rome and geometre.rome[0].label


def test_the_shipped_index_is_the_import_of_the_shipped_xml(tmp_path):
    """Generated, never hand-edited: importing the XML again gives the very same file."""
    fresh = write_catalogue(parse_onisep_index(INDEX_XML), INDEX_XML, tmp_path / "index.yml")
    assert fresh.read_text(encoding="utf-8") == (KNOWLEDGE_DIR / INDEX_FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize("typed, met_id", [
    ("géomètre-topographe", "MET.408"),
    ("geometre topographe", "MET.408"),
    ("Sage-femme", "MET.787"),
    ("avocates", "MET.33"),
    ("infirmière", "MET.38"),
])
def test_index_finds_a_metier_by_any_form(kb, typed, met_id):
    assert kb.catalogue.find(typed).id == met_id


def test_index_entries_of_the_six_fiches_lead_to_their_sheets(kb):
    for sheet_id, met_id in ONISEP_SHEETS.items():
        entry = next(e for e in kb.catalogue.entries if e.id == met_id)
        assert kb.sheet_of(entry).id == sheet_id


def test_a_broken_index_file_is_refused_with_its_path(tmp_path):
    shutil.copytree(KNOWLEDGE_DIR, tmp_path, dirs_exist_ok=True)
    (tmp_path / INDEX_FILE).write_text("source: x\nmetiers:\n  - id: 12\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(tmp_path)
    assert "onisep-metiers.yml" in str(error.value) and "metiers.0" in str(error.value)


def test_a_broken_xml_is_refused_with_its_path(tmp_path):
    broken = tmp_path / "index.xml"
    broken.write_text("<root><item><libelle_metier>x</libelle_metier></item>", encoding="utf-8")
    with pytest.raises(KnowledgeError) as error:
        parse_onisep_index(broken)
    assert "index.xml" in str(error.value)


def test_the_index_names_become_the_job_lookup_with_both_forms_and_no_accents(kb):
    lookup = build_index_lookup(kb)["nlu"][0]
    names = set(lookup["examples"].splitlines())
    assert lookup["lookup"] == "job"
    assert {"- pâtissier", "- pâtissière", "- patissiere", "- géomètre-topographe", "- geometre-topographe"} <= names
    assert "- garde" not in names  # « garde (chasse, pêche, …) » lists specialities: no bare « garde »
