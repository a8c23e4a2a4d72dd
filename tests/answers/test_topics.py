"""The topic table and the frames are data; the domain, the rules and the replies follow them."""

from __future__ import annotations

import pytest
import yaml

from bot.answers import Question, compose_answer
from bot.answers import templates as T
from bot.answers.topics import TopicTable, load_topics
from bot.answers.verify import check_composed
from tests.conftest import ROOT


def test_every_topic_is_an_intent_of_the_domain_with_its_rule_to_the_action():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    answered = {r["steps"][0]["intent"] for r in rules if r["steps"][1].get("action") == "action_answer"}
    for topic in load_topics().topics:
        assert topic.intent in domain["intents"] and topic.intent in answered, topic.intent
    asked = {i for i in domain["intents"] if i.startswith("ask_")}
    assert asked == {t.intent for t in load_topics().topics} | {"ask_source"}


def test_a_malformed_topic_record_is_refused_naming_the_field(tmp_path):
    bad = tmp_path / "topics.yml"
    bad.write_text("topics:\n  - intent: ask_x\n    section: x\n    rome: salaire\n", encoding="utf-8")
    with pytest.raises(ValueError) as refused:
        load_topics.__wrapped__(bad)
    assert str(bad) in str(refused.value) and "rome" in str(refused.value)


def test_every_frame_a_reply_fills_exists():
    assert isinstance(load_topics(), TopicTable)
    for name in ("ROME_CREDIT", "UNKNOWN_METIER", "WHICH_OF", "UNCOVERED", "FICHE_OF_NAME"):
        assert isinstance(getattr(T, name), str)


@pytest.mark.parametrize("intent, text, said", [
    ("ask_training", "on peut faire une VAE pour devenir plombier ?", "(VAE)"),
    ("out_of_scope", "c quoi le CPF ?", "(CPF)"),
    ("ask_training", "comment remplir parcoursup", "Parcoursup"),
    ("greet", "Bonjour, ma fille veut devenir infirmière, est-ce une bonne idée ?", "bon choix"),
])
def test_a_subject_no_source_covers_is_said_plainly(kb, intent, text, said):
    question = Question(intent=intent, text=text, context_job="data-scientist")
    reply = compose_answer(kb, question)
    assert said in reply.text and not check_composed(kb, question, reply)
    assert "data scientist" not in reply.text.lower() and reply.gaps


def test_a_metier_named_with_an_uncovered_subject_still_gets_its_answer(kb):
    reply = compose_answer(kb, Question(intent="ask_training", text="on peut faire une VAE pour devenir plombier ?"))
    assert "(VAE)" in reply.text and "fiche F1603" in reply.text and reply.job == "F1603"


def test_a_greeting_with_a_title_but_no_question_is_a_greeting(kb):
    reply = compose_answer(kb, Question(intent="greet", text="bonjour madame ou monsieur le robot",
                                        ranking=[("greet", 0.97), ("bot_challenge", 0.02)]))
    assert reply.response == "utter_greet"


def test_a_greeting_with_a_question_on_a_metier_answers_it(kb):
    reply = compose_answer(kb, Question(intent="greet", text="Bonjour, que fait un boulanger ?",
                                        ranking=[("greet", 0.6), ("ask_missions", 0.3)]))
    assert reply.job == "D1102" and reply.topic == "ask_missions" and "fiche D1102" in reply.text
