"""The discovery conversation turn by turn (bot/discovery/conversation.py), without the NLU."""

from __future__ import annotations

import json

import pytest

from bot.discovery.conversation import DiscoveryTurn, discovery_reply, tools

ANIMALS = "17"
WHY_ANIMALS = "France Travail associe ce métier au centre d'intérêt « J'aime m'occuper des animaux »."


def entities(payload: str) -> dict:
    return json.loads(payload[payload.index("{"):]) if "{" in payload else {}


def press(kb, reply, title, state):
    """The turn of a press on the button `title` of `reply`, with the conversation's `state` (slots)."""
    button = next(b for b in reply.buttons if b["title"] == title)
    intent = button["payload"][1:].split("{")[0]
    found = entities(button["payload"])
    return discovery_reply(kb, DiscoveryTurn(
        intent, button["payload"], interests=[found["interest"]] if "interest" in found else [],
        group=found.get("interest_group"), study_level=found.get("study_level"),
        riasec_answer=found.get("riasec_answer"), **state))


def state_after(reply, state=None):
    state = dict(state or {})
    names = {"centres": "centres", "limit": "limit", "shown": "shown", "quiz_answers": "quiz_answers"}
    state.update({names[k]: v for k, v in reply.slots.items()})
    return state


def test_a_request_with_an_interest_gets_five_metiers_each_with_why_and_a_button(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "j'adore les animaux, quels métiers ?"))
    assert len(reply.suggested) == 5
    assert reply.text.count(WHY_ANIMALS) == 5
    for code in reply.suggested:
        fiche = kb.fiches[code]
        assert any(i["code"] == ANIMALS for i in fiche["interests"])
        assert {"title": fiche["label"], "payload": f'/ask_definition{{"job":"{code}"}}'} in reply.buttons
    assert "pas un verdict" in reply.text and "Source : France Travail, ROME 4.0" in reply.text


def test_principal_links_come_first(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "les animaux"))
    principal = [c for c in reply.suggested
                 if any(i["code"] == ANIMALS and i["principal"] for i in kb.fiches[c]["interests"])]
    assert principal == reply.suggested


def test_nothing_said_asks_with_groups_then_centres_then_suggests_in_two_presses(kb):
    first = discovery_reply(kb, DiscoveryTurn("discover", "je ne sais pas quoi faire"))
    assert "Qu'est-ce qui vous attire" in first.text and len(first.buttons) <= 8
    group = press(kb, first, "Nature, animaux, sport", {})
    assert "Les animaux" in [b["title"] for b in group.buttons]
    suggestions = press(kb, group, "Les animaux", {})
    assert len(suggestions.suggested) == 5 and WHY_ANIMALS in suggestions.text


def test_more_ideas_never_repeat_a_metier(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "un métier dehors"))
    state = state_after(reply)
    seen = list(reply.suggested)
    for _ in range(6):
        reply = press(kb, reply, "D'autres idées", state)
        state = state_after(reply, state)
        assert not set(reply.suggested) & set(seen)
        seen += reply.suggested
    assert len(seen) == len(set(seen)) == 35


def test_a_study_limit_keeps_only_fiches_open_to_it(kb):
    study = tools(kb).study
    reply = discovery_reply(kb, DiscoveryTurn("discover", "les animaux"))
    state = state_after(reply)
    narrowed = discovery_reply(kb, DiscoveryTurn("discover_more", "sans le bac", **state))
    assert narrowed.slots["limit"] == "cap" and "accessibles avec un CAP" in narrowed.text
    for code in narrowed.suggested:
        assert study.open_to(study.fiche_rank(kb.fiches[code]), study.rank("cap"))
    shorter = press(kb, narrowed, "Plus court", state_after(narrowed, state))
    assert shorter.slots["limit"] == "aucun"
    for code in shorter.suggested:
        assert study.fiche_rank(kb.fiches[code]) in (None, 0)


def test_the_level_question_offers_every_level_with_a_button(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "les animaux"))
    level = press(kb, reply, "Durée d'études", state_after(reply))
    assert [b["title"] for b in level.buttons] == ["CAP", "Bac", "Bac + 2", "Bac + 3", "Bac + 5 et plus"]
    bac2 = press(kb, level, "Bac + 2", state_after(reply))
    assert bac2.slots["limit"] == "bac+2" and len(bac2.suggested) == 5


def test_the_quiz_asks_every_question_then_gives_two_letters_and_matching_metiers(kb):
    quiz = tools(kb).quiz
    reply = discovery_reply(kb, DiscoveryTurn("riasec_test", "je veux faire un test d'orientation"))
    state = state_after(reply)
    for number in range(1, len(quiz.questions) + 1):
        assert f"Question {number}/{len(quiz.questions)}" in reply.text
        letter = quiz.questions[number - 1].letter
        reply = press(kb, reply, "Oui, j'adore" if letter in "RI" else "Pas vraiment", state)
        state = state_after(reply, state)
    assert "« Réaliste » puis « Investigateur »" in reply.text
    assert len(reply.suggested) == 5
    for code in reply.suggested:
        assert (kb.fiches[code]["riasec"]["major"], kb.fiches[code]["riasec"]["minor"]) == ("R", "I")
    assert "France Travail donne à ce métier le profil RIASEC « Réaliste – Investigateur »" in reply.text
    more = press(kb, reply, "D'autres idées", state)
    assert len(more.suggested) == 5 and not set(more.suggested) & set(reply.suggested)


def test_more_ideas_with_nothing_to_go_on_asks_what_the_person_likes(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover_more", "d'autres idées"))
    assert "Qu'est-ce qui vous attire" in reply.text


def test_the_nlu_s_study_level_span_is_read_like_the_text(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "les animaux"))
    narrowed = discovery_reply(kb, DiscoveryTurn("discover", "/discover", study_level="sans le bac", **state_after(reply)))
    assert narrowed.slots["limit"] == "cap"


def test_every_suggestion_line_ends_its_definition_before_saying_why(kb):
    reply = discovery_reply(kb, DiscoveryTurn("discover", "les animaux"))
    state = state_after(reply)
    for _ in range(3):
        for line in reply.text.splitlines():
            if line.startswith("• "):
                before = line.split(" France Travail associe")[0]
                assert before.endswith((".", "!", "?", "…")), line
        reply = press(kb, reply, "D'autres idées", state)
        state = state_after(reply, state)
