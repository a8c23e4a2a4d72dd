"""Questions the classifier cannot place, through the real stack: ask back, answer from the sheet, or refuse."""

from __future__ import annotations

import pytest
import yaml

from bot.nlu_eval import load_examples
from tests.conftest import CLARIFY_OPENING, ML_CONTEXT, ROOT, TOPIC_WORDS, UNSURE_QUESTION

pytestmark = pytest.mark.slow
RESPONSES = yaml.safe_load((ROOT / "domain.yml").read_text())["responses"]
OUT_OF_SCOPE_REPLY = RESPONSES["utter_out_of_scope"][0]["text"]
DEFAULT_REPLY = RESPONSES["utter_default"][0]["text"]


def test_an_unsure_question_gets_topic_buttons_and_a_press_answers_that_topic(chat):
    c = chat()
    c.say("c'est quoi un ingé ML ?")
    assert c.say(UNSURE_QUESTION).startswith(CLARIFY_OPENING)
    buttons = c.last["replies"][0]["buttons"]
    assert 2 <= len(buttons) <= 3 and all(b["payload"] in TOPIC_WORDS for b in buttons)
    for button in buttons:
        assert TOPIC_WORDS[button["payload"]] in c.say(button["payload"])


def test_a_sheet_term_gets_its_facts_with_the_quote(chat):
    c = chat()
    c.say(ML_CONTEXT)  # a term of the guide, asked about in a conversation about its métier
    reply = c.say("c'est quoi la vision par ordinateur ?")
    assert "« vision par ordinateur »" in reply and "reconnaissance vocale" in reply
    assert "Texte de la source : « L'ingénieur en apprentissage machine peut travailler pour une société" in reply


def _out_of_scope_sentences() -> list[str]:
    dev = [t for t, i in load_examples(ROOT / "tests" / "data" / "nlu_dev.yml") if i == "out_of_scope"]
    external = ROOT.parent / "shared" / "eval" / "questions_fr.yml"
    if external.exists():
        dev += [c["text"] for c in yaml.safe_load(external.read_text())["single_turn"] if c["intent"] == "out_of_scope"]
    return dev


def test_no_out_of_scope_sentence_of_the_dev_or_external_set_gets_a_fact(chat):
    sentences = _out_of_scope_sentences()
    assert len(sentences) >= 25
    leaked = {}
    for sentence in sentences:
        reply = chat().say(sentence)
        if reply not in (OUT_OF_SCOPE_REPLY, DEFAULT_REPLY) and not reply.startswith(CLARIFY_OPENING):
            leaked[sentence] = reply
    assert not leaked


def test_weather_lottery_and_recipes_are_refused(chat):
    for sentence in ("quel temps fera-t-il à Lille ce week-end ?", "comment gagner au loto", "une recette de lasagnes ?"):
        assert chat().say(sentence) == OUT_OF_SCOPE_REPLY
