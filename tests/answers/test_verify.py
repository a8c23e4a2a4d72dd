"""The reply check: every figure, currency, quote and proper noun comes from the sheet."""

from __future__ import annotations

import itertools

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot.answers import Question, compose_answer
from bot.answers import templates as T
from bot.answers.verify import check_composed, check_reply
from bot.knowledge.schema import LEVELS
from tests.answers.test_action import tracker
from tests.conftest import ROOT

ML = "ingenieur-machine-learning"
TOPICS = [*T.SECTION_OF_INTENT, "ask_source", "help", "list_jobs"]


def problems(kb, text, sheet_id=ML, said=()):
    return [(u.kind, u.value) for u in check_reply(text, kb, [kb.get(sheet_id)] if sheet_id else [], said)]


def test_sheet_sentences_pass(kb):
    assert problems(kb, "Un ingénieur Machine Learning junior peut prétendre à 50 k€ brut annuel en Île-de-France.") == []
    assert problems(kb, "Le département R&D d'un grand groupe de la tech, comme Google.") == []
    assert problems(kb, "Il faut deux ans d'ancienneté ; « Bachelor d'informatique » se fait en 3 à 6 ans.") == []


@pytest.mark.parametrize("text, expected", [
    ("Un ingénieur ML gagne 65 k€ par an.", ("figure", "65")),
    ("Il gagne 50 000 dollars.", ("currency", "dollars")),
    ("Il faut trois ans d'expérience.", ("figure", "trois")),
    ("Il peut travailler chez Microsoft.", ("name", "Microsoft")),
    ("Le guide dit « les ingénieurs ML sont tous riches ».", ("quote", "les ingénieurs ML sont tous riches")),
])
def test_what_the_sheet_does_not_say_fails(kb, text, expected):
    assert expected in problems(kb, text)


def test_a_name_the_person_typed_may_be_named_back(kb):
    text = "Je n'ai pas de fiche sur le métier « Pilote de ligne » : je ne peux donc rien vous en dire."
    assert problems(kb, text, sheet_id=None) == [("quote", "Pilote de ligne")]
    assert problems(kb, text, sheet_id=None, said=["Que fait un Pilote de ligne ?"]) == []


def test_sentence_starts_are_not_proper_nouns(kb):
    assert problems(kb, "Voici ce que dit ma source.\n- Ma source ne dit rien sur le télétravail. Elle le dit.") == []


def _all_questions(kb):
    """Every topic × aspect × experience level × region, with and without quoted facts."""
    aspects = [None, *kb.aspects]
    levels = [None, *LEVELS, "stagiaire"]
    regions = [None, "Île-de-France", "Bretagne", "Lyon"]
    last = [[], [f"{ML}:salary_junior_idf", f"{ML}:skill_english"]]
    for intent, aspect, level, region, facts in itertools.product(TOPICS, aspects, levels, regions, last):
        yield Question(intent=intent, text="question ?", aspects=[aspect] if aspect else [], experience_level=level,
                       region=region, last_facts=facts)


def test_no_shipped_reply_fails_the_check(kb):
    failed = []
    for question in _all_questions(kb):
        reply = compose_answer(kb, question)
        found = check_composed(kb, question, reply)
        if found:
            failed.append((question.intent, question.aspects, question.experience_level, question.region, found))
    assert not failed, failed[:5]


@pytest.mark.parametrize("context_job", [None, ML, "data scientist"])
def test_no_reply_fails_whatever_job_the_conversation_is_on(kb, context_job):
    """Found by hand: « d'où tu sors ça ? » after a job without a sheet named every sheet's source."""
    failed = []
    for intent in TOPICS:
        for facts in ([], [f"{ML}:skill_english"]):
            question = Question(intent=intent, text="et donc ?", context_job=context_job, last_facts=facts)
            reply = compose_answer(kb, question)
            if check_composed(kb, question, reply):
                failed.append((intent, facts))
    assert not failed


def test_domain_responses_carry_no_figure_nor_name(kb):
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for variant in variants:
            assert problems(kb, variant["text"], sheet_id=None) == [], name


def test_a_broken_template_gets_the_apology_and_an_error_log(kb, monkeypatch, caplog):
    monkeypatch.setitem(T.SECTION_INTRO, "employers", "Selon ma source, 80 % des {title} travaillent chez Amazon :")
    dispatcher = CollectingDispatcher()
    events = ActionAnswer().run(dispatcher, tracker("ask_employers", text="qui les embauche ?"), {})
    assert [m["text"] for m in dispatcher.messages] == [T.UNCHECKED_REPLY]
    assert events == []
    record = next(r for r in caplog.records if r.levelname == "ERROR")
    assert "SECTION_INTRO[employers]" in record.getMessage() and "Amazon" in record.getMessage()
    assert "'80'" in record.getMessage()
