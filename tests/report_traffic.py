"""Real conversations for `boussole report`: sent through /api/chat and POST /api/feedback,
then the report run as an operator would, on the tracker store the stack wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional

import httpx

from tests.conftest import UNSURE_QUESTION, Conversation

ROOT = Path(__file__).resolve().parents[1]
OUT_OF_SCOPE = "quelle est la capitale de l'Australie ?"
SENIOR = "et en senior ?"
UNKNOWN_METIER = "et un dresseur de licornes, il gagne combien ?"
# One conversation each, as people would have them; (message, opinion pressed on its first reply).
SCRIPTS: list[list[tuple[str, Optional[bool]]]] = [
    [("bonjour", None), (UNSURE_QUESTION, None), ("c'est quoi un ingénieur ML ?", True)],
    [("combien gagne un ingénieur ML ?", None), (SENIOR, False), ("merci", None)],
    [(UNKNOWN_METIER, None), (UNSURE_QUESTION.capitalize().rstrip(" ?"), None)],  # the same question, written otherwise
    [(OUT_OF_SCOPE, None), ("au revoir", None)],
]
TURNS_PER_ROUND = sum(len(script) for script in SCRIPTS)


def press(base_url: str, conversation: Conversation, helpful: bool) -> httpx.Response:
    reply = conversation.last["replies"][0]["text"]
    return httpx.post(f"{base_url}/api/feedback", timeout=30,
                      json={"conversation_id": conversation.conversation_id, "reply": reply, "helpful": helpful})


def fill(base_url: str, rounds: int) -> list[str]:
    """Every script `rounds` times, each in a conversation of its own; the conversation ids."""
    ids = []
    for _ in range(rounds):
        for script in SCRIPTS:
            conversation = Conversation(base_url)
            for message, opinion in script:
                conversation.say(message)
                if opinion is not None:
                    assert press(base_url, conversation, opinion).status_code == 200
            ids.append(conversation.conversation_id)
    return ids


def report(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", "report", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=300)


def check_json_report(result: subprocess.CompletedProcess, rounds: int) -> dict:
    """The failures of SCRIPTS, ranked, as `--format json` gives them."""
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["turns"] >= rounds * TURNS_PER_ROUND and data["conversations"] >= rounds * len(SCRIPTS)
    # Two wordings of the unsure question, one group, first in the ranking: 2 per round.
    top = data["fallback"][0]
    assert (top["text"], top["count"], top["conversations"]) == (UNSURE_QUESTION, 2 * rounds, 2 * rounds), top
    assert top["guessed_intent"] not in ("", "nlu_fallback") and top["confidence"] < 0.5
    assert any(row["text"] == OUT_OF_SCOPE and row["count"] == rounds for row in data["out_of_scope"]), data["out_of_scope"]
    facets = {f["facet"]: f for f in data["no_answer"]}
    assert facets["salaire d'un profil senior"]["count"] == rounds, facets
    assert facets["salaire d'un profil senior"]["questions"][0]["text"] == SENIOR
    # The unsure question after the plumber keeps that job in context: it is told so again.
    assert UNKNOWN_METIER in [q["text"] for q in facets["métier inconnu : dresseur de licornes"]["questions"]], facets
    unhelpful = data["unhelpful"]
    assert [(u["text"], u["count"]) for u in unhelpful] == [(SENIOR, rounds)], unhelpful
    assert "senior" in unhelpful[0]["reply"]
    return data
