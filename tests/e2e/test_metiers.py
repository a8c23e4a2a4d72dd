"""The six ONISEP métiers and the index, end to end: real model, real servers, over HTTP."""

from __future__ import annotations

import pytest

from tests.conftest import Conversation

pytestmark = pytest.mark.slow

ONISEP_SHEETS = ["data-scientist", "data-analyst", "architecte-big-data", "data-manager", "statisticien", "bio-informaticien"]
QUESTIONS = {
    "definition": "c'est quoi un {title} ?",
    "missions": "que fait un {title} au quotidien ?",
    "skills": "quelles compétences faut-il pour être {title} ?",
    "training": "quelle formation pour devenir {title} ?",
}


@pytest.mark.parametrize("sheet_id", ONISEP_SHEETS)
def test_each_onisep_metier_answers_from_its_own_fiche(stack, kb, sheet_id):
    sheet = kb.sheets[sheet_id]
    for section, question in QUESTIONS.items():
        reply = Conversation(stack.url).say(question.format(title=sheet.title))
        assert any(f.text in reply for f in sheet.topic_facts(section)), (section, reply)
        assert "Source : Onisep" in reply and sheet.source.url in reply
    salary = Conversation(stack.url).say(f"combien gagne un {sheet.title} ?")
    if sheet.salary.figures:
        assert all(f.text in salary for f in sheet.salary.figures) and "50 k€" not in salary
    else:
        assert "ne dit rien sur le salaire" in salary
    assert "Onisep" in salary


def test_switching_metiers_in_one_conversation(stack):
    c = Conversation(stack.url)
    assert "2 660" in c.say("combien gagne un data scientist ?")
    analyst = c.say("et pour un data analyst ?")
    assert "2 750" in analyst and "2 660" not in analyst
    assert "3 ans" in c.say("et il faut combien d'années d'études ?")
    both = c.say("quelle différence entre un data scientist et un ingénieur ML ?")
    assert "Onisep" in both and "Thomas Bodin" in both
    assert "50 k€" in c.say("et un ingénieur ML, il gagne combien ?")


def test_a_question_naming_no_metier_asks_which_with_buttons(stack, kb):
    c = Conversation(stack.url)
    reply = c.say("ça paye combien ?")
    assert reply.startswith("De quel métier parlez-vous ?") and "€" not in reply
    buttons = c.last["replies"][0]["buttons"]
    assert {b["title"].lower() for b in buttons} == {s.title.lower() for s in kb.sheets.values()}
    statisticien = next(b for b in buttons if b["title"] == "Statisticien")
    assert "1 850" in c.say(statisticien["payload"])


@pytest.mark.parametrize("question, met_id", [
    ("combien gagne un géomètre-topographe ?", "MET.408"),
    ("quelle formation pour devenir sage-femme ?", "MET.787"),
    ("c'est quoi le métier de pilote de ligne ?", "MET.400"),
    ("que fait un ébéniste ?", "MET.289"),
    ("une avocate gagne combien ?", "MET.33"),
])
def test_a_metier_of_the_index_without_sheet_answers_from_its_rome_fiche_with_onisep_s_link(stack, kb, question, met_id):
    reply = Conversation(stack.url).say(question)
    entry = next(e for e in kb.catalogue.entries if e.id == met_id)
    code = entry.rome[0].code  # the fiche of ONISEP's code, or one of those split from it
    fiches = [c for c, f in kb.fiches.items() if code in (c, f["parent"])]
    assert any(f"fiche-metier/{c}" in reply for c in fiches) and "Source : France Travail, ROME 4.0" in reply
    assert "onisep.fr" in reply and "k€" not in reply and "brut" not in reply  # no sheet's figure; the Dares' are net
