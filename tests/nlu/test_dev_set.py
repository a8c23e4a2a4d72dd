"""The trained model on French sentences it never saw.

Two held-out sets: tests/data/nlu_dev.yml (the team's dev set) and
tests/data/nlu_fresh.yml (written from docs/intents.md by someone who never
saw the training data, frozen). Neither, nor the external set of ../shared,
may have a copy or near-copy in the training data.
"""

from __future__ import annotations

import logging
from collections import Counter

import pytest
import yaml

from bot import nlu_data
from bot.nlu_eval import load_examples, near_copies, score_model, training_texts
from tests.conftest import ROOT

DEV_SET = ROOT / "tests" / "data" / "nlu_dev.yml"
FRESH_SET = ROOT / "tests" / "data" / "nlu_fresh.yml"
METIERS_SET = ROOT / "tests" / "data" / "nlu_metiers.yml"  # several métiers (issue 11), frozen
EXTERNAL_SET = ROOT.parent / "shared" / "eval" / "questions_fr.yml"
INTENTS = yaml.safe_load((ROOT / "domain.yml").read_text())["intents"]
TOPIC_INTENTS = [i for i in INTENTS if i.startswith("ask_")] + ["list_jobs"]


@pytest.fixture(scope="module")
def training():
    return training_texts(ROOT)


def external_texts() -> list[str]:
    if not EXTERNAL_SET.exists():
        pytest.skip("../shared is not beside this checkout")
    data = yaml.safe_load(EXTERNAL_SET.read_text())
    return [c["text"] for c in data["single_turn"]] + [t["text"] for d in data["dialogues"] for t in d["turns"]]


def test_dev_set_is_large_and_covers_every_intent():
    examples = load_examples(DEV_SET)
    assert len(examples) >= 150
    assert set(Counter(i for _, i in examples)) == set(INTENTS)


def test_fresh_set_has_25_sentences_a_topic_and_10_for_the_others():
    counts = Counter(i for _, i in load_examples(FRESH_SET))
    assert set(counts) == set(INTENTS)
    short = {i: n for i, n in counts.items() if n < (25 if i in TOPIC_INTENTS else 10)}
    assert not short


@pytest.mark.parametrize("held_out", ["dev", "fresh", "metiers", "external"])
def test_held_out_sets_have_no_copy_nor_near_copy_in_training(training, held_out):
    sets = {"dev": DEV_SET, "fresh": FRESH_SET, "metiers": METIERS_SET}
    texts = external_texts() if held_out == "external" else [t for t, _ in load_examples(sets[held_out])]
    assert not near_copies(texts, training)


def test_generated_nlu_data_matches_the_knowledge(kb):
    assert nlu_data.is_up_to_date(kb, ROOT), "run `boussole train` or `boussole check --fix`"


@pytest.mark.slow
@pytest.mark.parametrize("held_out, floor", [(DEV_SET, 0.95), (FRESH_SET, 0.93)], ids=["dev", "fresh"])
def test_intent_accuracy_on_held_out_sets(trained_model, held_out, floor):
    logging.getLogger("rasa").setLevel(logging.WARNING)
    scores = score_model(trained_model, load_examples(held_out))
    report = "\n".join(f"{e:>15} -> {p:<15} {t}" for t, e, p in scores.errors)
    assert scores.accuracy >= floor, f"accuracy {scores.accuracy:.1%}\n{report}"
