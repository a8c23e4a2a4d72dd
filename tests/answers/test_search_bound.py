"""The sheet search reads a bounded part of the question, whatever reaches it."""

from __future__ import annotations

import time

from bot.answers.search import MAX_QUESTION_CHARS, fact_search


def test_a_3_mb_question_is_searched_in_the_time_of_a_short_one(kb):
    search = fact_search(kb, kb.sheets["ingenieur-machine-learning"])
    question = "quels employeurs recrutent avec Keras à Berkeley ? "
    huge = question * (3_000_000 // len(question))
    started = time.monotonic()
    mentions, closest = search.mentions(huge), search.closest(huge)
    assert time.monotonic() - started < 1.0  # 39 s of stemming on the service's loop before the bound
    assert mentions is not None and "Keras à Berkeley" in mentions.terms
    assert closest is not None
    assert search.mentions(huge) == search.mentions(huge[:MAX_QUESTION_CHARS])
