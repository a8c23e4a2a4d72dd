"""Helping someone choose a métier, end to end: real model, real servers, French over HTTP, buttons pressed."""

from __future__ import annotations

import pytest

from tests.conftest import Conversation

pytestmark = pytest.mark.slow

WHY = "France Travail associe ce métier au centre d'intérêt"
VERDICT_FREE = "pas un verdict"


def buttons(c: Conversation) -> list[dict]:
    return [b for r in c.last["replies"] for b in r.get("buttons") or []]


def press(c: Conversation, title: str) -> str:
    button = next((b for b in buttons(c) if b["title"] == title), None)
    assert button is not None, f"no button {title!r} in {[b['title'] for b in buttons(c)]}"
    return c.say(button["payload"])


def suggested(c: Conversation) -> list[dict]:
    return [b for b in buttons(c) if b["payload"].startswith("/ask_definition")]


def code_of(button: dict) -> str:
    return button["payload"].split('"job":"')[1].split('"')[0]


@pytest.mark.parametrize("opening, presses, centre_label", [
    ("j'adore les animaux, quels métiers ?", [], "J'aime m'occuper des animaux"),
    ("un métier dehors", [], "J'aime être au contact de la nature"),
    ("je ne sais pas quoi faire", ["Nature, animaux, sport", "Les animaux"], "J'aime m'occuper des animaux"),
])
def test_a_request_leads_in_at_most_two_presses_to_five_metiers_with_why(chat, kb, opening, presses, centre_label):
    c = chat()
    reply = c.say(opening)
    for title in presses:
        reply = press(c, title)
    assert reply.count(f"{WHY} « {centre_label} »") == 5, reply
    assert VERDICT_FREE in reply and "Source : France Travail, ROME 4.0" in reply
    metiers = suggested(c)
    assert len(metiers) == 5
    for button in metiers:
        assert kb.fiches[code_of(button)]["definition"][1:40] in reply  # each with its one-line definition


def test_a_pressed_metier_becomes_the_metier_in_context(chat, kb):
    c = chat()
    c.say("j'aime les animaux, tu as des idées de métiers ?")
    first = suggested(c)[0]
    fiche = kb.fiches[code_of(first)]
    definition = c.say(first["payload"])
    assert fiche["definition"] in definition
    assert fiche["access"][0][:60] in press(c, "Formation")  # its training, one more press
    training = c.say("il faut quel diplôme ?")
    assert fiche["access"][0][:60] in training, training


def test_more_ideas_never_repeat_and_a_shorter_study_narrows(chat, kb):
    from bot.discovery.conversation import tools

    study = tools(kb).study
    c = chat()
    c.say("j'adore les animaux, quels métiers ?")
    seen = [code_of(b) for b in suggested(c)]
    for _ in range(2):
        c.say("d'autres idées ?")
        more = [code_of(b) for b in suggested(c)]
        assert len(more) == 5 and not set(more) & set(seen)
        seen += more
    reply = c.say("sans le bac")
    assert "accessibles avec un CAP" in reply, reply
    for code in [code_of(b) for b in suggested(c)]:
        assert study.open_to(study.fiche_rank(kb.fiches[code]), study.rank("cap"))


def test_the_riasec_quiz_by_buttons_gives_a_profile_and_matching_metiers(chat, kb):
    c = chat()
    reply = c.say("je veux faire un test d'orientation")
    asked = 0
    while "Question " in reply:
        asked += 1
        reply = press(c, "Oui, j'adore" if asked % 6 in (1, 2) else "Pas vraiment")  # R and I questions
    assert 6 <= asked <= 12
    assert "« Réaliste » puis « Investigateur »" in reply, reply
    assert "France Travail donne à ce métier le profil RIASEC" in reply
    for button in suggested(c):
        assert kb.fiches[code_of(button)]["riasec"]["major"] in ("R", "I")


def test_a_metier_named_after_suggestions_is_answered_by_name(chat):
    c = chat()
    c.say("je sais pas quoi faire plus tard")
    reply = c.say("et infirmier, ça gagne combien ?")
    assert "Infirmiers" in reply  # the way back to any métier by name

