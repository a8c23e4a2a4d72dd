"""Long answers say a few points at a time, each once, and « Voir plus » gives the rest."""

from __future__ import annotations

import pytest

from bot.answers import Question
from bot.answers import templates as T
from bot.answers.message import question_from_message
from bot.answers.pages import paginate
from bot.answers.verify import check_composed
from bot.text import fold
from tests.answers.pages import all_pages, more_button

SIZE = T.TOPICS.points_per_reply


def points(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("- ")]


@pytest.mark.parametrize("intent, job", [("ask_training", "data-scientist"), ("ask_training", "statisticien"),
                                          ("ask_skills", "J1506"), ("ask_missions", "H1215"),
                                          ("ask_conditions", "F1603")])
def test_a_long_answer_comes_in_pages_that_repeat_nothing_and_end_with_their_source(kb, intent, job):
    question = Question(intent=intent, text="x", jobs=[job])
    pages = all_pages(kb, question)
    said = [fold(p) for page in pages for p in points(page.text)]
    assert len(said) == len(set(said)), "a point said twice"
    for number, page in enumerate(pages, start=1):
        assert 1 <= len(points(page.text)) <= SIZE, page.text
        assert page.text.split("\n")[-1].startswith(("Source", "Voir aussi")), page.text
        assert (more_button(page) is not None) == (number < len(pages))
        assert check_composed(kb, question, page) == []


def test_the_data_scientist_training_needs_more_than_one_page_and_says_each_training_once(kb):
    pages = all_pages(kb, Question(intent="ask_training", text="x", jobs=["data-scientist"]))
    assert len(pages) >= 2 and more_button(pages[0])["payload"].startswith('/ask_training{"job":"data-scientist","page":"2"')
    assert pages[0].text.startswith("Les principales formations")  # the first page keeps the intro


def test_a_short_answer_has_no_more_button(kb):
    page = all_pages(kb, Question(intent="ask_definition", text="x", jobs=["F1603"]))
    assert len(page) == 1 and more_button(page[0]) is None


def test_repeated_points_are_said_once_and_headings_follow_their_points():
    text = "Intro :\n- a\n- b\n- a\nGroupe :\n- c\n- d\nSource : X"
    first, second = paginate(text, 1, 2), paginate(text, 2, 2)
    assert first.text == "Intro :\n- a\n- b\nSource : X" and first.more
    assert second.text == "Groupe :\n- c\n- d\nSource : X" and not second.more


@pytest.mark.parametrize("value, page", [("3", 3), ("0", 1), ("-2", 1), ("999999", 1), ("²", 1), ("abc", 1)])
def test_a_forged_page_is_read_as_the_first(kb, value, page):
    message = {"intent": {"name": "ask_skills"}, "text": "/ask_skills", "entities": [{"entity": "page", "value": value}]}
    assert question_from_message(message, kb).page == page


def test_points_opening_with_the_same_words_are_said_under_that_opening_once():
    text = "Intro :\n- Parmi les formations, le master A.\n- Parmi les formations, le BUT B.\n- Autre point, C.\nSource : X"
    assert paginate(text, 1, 5).text == ("Intro :\nParmi les formations :\n- le master A.\n- le BUT B.\n"
                                         "- Autre point, C.\nSource : X")
