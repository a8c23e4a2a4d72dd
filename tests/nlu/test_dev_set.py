"""The trained model on French sentences it never saw (tests/data/nlu_dev.yml)."""

from __future__ import annotations

import logging
from collections import Counter

import pytest
import yaml

from bot import nlu_data
from bot.nlu_eval import load_examples, nlu_training_files, score_model
from bot.text import fold
from tests.conftest import ROOT

DEV_SET = ROOT / "tests" / "data" / "nlu_dev.yml"
INTENTS = yaml.safe_load((ROOT / "domain.yml").read_text())["intents"]


def _training_texts() -> set[str]:
    return {fold(t) for f in nlu_training_files(ROOT) if "intent:" in f.read_text() for t, _ in load_examples(f)}


def test_dev_set_is_large_and_covers_every_intent():
    examples = load_examples(DEV_SET)
    assert len(examples) >= 150
    assert set(Counter(i for _, i in examples)) == set(INTENTS)


def test_dev_set_is_held_out():
    leaked = [t for t, _ in load_examples(DEV_SET) if fold(t) in _training_texts()]
    assert not leaked


def test_external_eval_set_is_not_in_training_data():
    path = ROOT.parent / "shared" / "eval" / "questions_fr.yml"
    if not path.exists():
        pytest.skip("../shared is not beside this checkout")
    data = yaml.safe_load(path.read_text())
    texts = [c["text"] for c in data["single_turn"]] + [t["text"] for d in data["dialogues"] for t in d["turns"]]
    training = _training_texts()
    assert not [t for t in texts if fold(t) in training]


def test_generated_nlu_data_matches_the_knowledge(kb):
    assert nlu_data.is_up_to_date(kb, ROOT), "run `boussole train` or `boussole check --fix`"


@pytest.mark.slow
def test_intent_accuracy_on_dev_set(trained_model):
    logging.getLogger("rasa").setLevel(logging.WARNING)
    scores = score_model(trained_model, load_examples(DEV_SET))
    report = "\n".join(f"{e:>15} -> {p:<15} {t}" for t, e, p in scores.errors)
    assert scores.accuracy >= 0.90, f"accuracy {scores.accuracy:.1%}\n{report}"
