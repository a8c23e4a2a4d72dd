"""Shared fixtures: the shipped knowledge, the trained model, a running stack."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from bot import nlu_data
from bot.rasa import process as rasa_process
from bot.render.typography import plain_spaces
from bot.devtools.stack import Stack
from bot.knowledge import load_knowledge
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = ROOT / "data" / "knowledge"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def kb():
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def trained_model(kb) -> Path:
    """The real model; trained here only if `boussole train` was not run first."""
    settings = Settings()
    if not nlu_data.is_up_to_date(kb, settings.home):
        nlu_data.write(kb, settings.home)
    return rasa_process.train(settings)


@pytest.fixture(scope="session")
def two_metier_dir(tmp_path_factory) -> Path:
    """The shipped knowledge plus a fixture sheet: a second métier as data only."""
    target = tmp_path_factory.mktemp("knowledge")
    shutil.copytree(KNOWLEDGE_DIR, target, dirs_exist_ok=True)
    fixture = FIXTURES / "second_metier"
    shutil.copy(fixture / "boulanger.yml", target / "boulanger.yml")
    shutil.copy(fixture / "sources" / "fiche-test-boulanger.txt", target / "sources")
    return target


@pytest.fixture(scope="session")
def stack(trained_model, tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


class Conversation:
    """One person chatting through /api/chat; keeps the id the server issued."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.conversation_id = None

    def say(self, message: str) -> str:
        body = {"message": message}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        response = httpx.post(f"{self.base_url}/api/chat", json=body, timeout=60)
        if response.status_code == 429:  # a quick run of presses (the quiz): wait as told, like the widget
            time.sleep(float(response.headers.get("Retry-After") or 1))
            response = httpx.post(f"{self.base_url}/api/chat", json=body, timeout=60)
        assert response.status_code == 200, response.text
        data = response.json()
        self.conversation_id = data["conversation_id"]
        self.last = data  # as served: French no-break spaces, links listed
        # What is said, read with ordinary spaces; tests/e2e/test_typography.py checks the spaces themselves.
        return plain_spaces("\n".join(reply["text"] for reply in data["replies"]))

    def say_whole(self, message: str, pages: int = 10) -> str:
        """The answer with every page « Voir plus » gives, pressed as a person would."""
        texts = [self.say(message)]
        for _ in range(pages):
            more = next((b for r in self.last["replies"] for b in r["buttons"] if b["title"] == "Voir plus"), None)
            if more is None:
                break
            texts.append(self.say(more["payload"]))
        return "\n".join(texts)


@pytest.fixture
def chat(stack):
    return lambda: Conversation(stack.url)


# A question the shipped model cannot place: it gets the clarifying buttons on every channel.
UNSURE_QUESTION = "ça se passe comment ?"
# A word that the answer to each topic button brings back from the sheet.
TOPIC_WORDS = {
    "/ask_definition": "algorithmes",
    "/ask_missions": "optimise",
    "/ask_employers": "agence",
    "/ask_skills": "Python",
    "/ask_training": "master",
    "/ask_salary": "50 k€",
    "/ask_comparison": "data scientist",
    "/ask_outlook": "opportunités",
    "/ask_conditions": "ne dit rien",
    "/ask_career": "deux ans",
    "/ask_source": "Thomas Bodin",
    "/list_jobs": "ingénieur en Machine Learning",
}
CLARIFY_OPENING = "Je ne suis pas sûr de bien comprendre. Vous voulez parler"
# The first message of a conversation about the guide's métier: with several sheets,
# a question naming no métier gets WHICH_JOB_OPENING and a button per sheet instead.
ML_CONTEXT = "je m'intéresse au métier d'ingénieur ML"
WHICH_JOB_OPENING = "De quel métier parlez-vous ?"
# A question naming no métier, and the word the data scientist's answer brings back.
NO_JOB_QUESTION, DATA_SCIENTIST_WORD = "ça paye combien ?", "2 660"
# A name several ROME fiches share and none titles: asked back with a button per fiche.
SHARED_NAME_QUESTION, SHARED_NAME_OPENING = "combien gagne un ingénieur ?", "Plusieurs métiers portent le nom « ingénieur »"


# Fixtures that train the model or start real processes: any test using one,
# directly or through another fixture, is slow, whether or not its module says so.
SLOW_FIXTURES = frozenset({"trained_model", "stack", "services", "redis_server"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
