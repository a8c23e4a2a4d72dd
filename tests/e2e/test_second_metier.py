"""A second métier is a data change only: same code and model, one more sheet."""

from __future__ import annotations

import pytest

from bot.devtools.stack import Stack
from tests.conftest import Conversation

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def two_metier_stack(trained_model, two_metier_dir, tmp_path_factory):
    # --no-train: the very model trained without the fixture, so only data changed.
    stack = Stack(tmp_path_factory.mktemp("stack2"), knowledge_dir=two_metier_dir, run_args=("--no-train",))
    with stack as running:
        yield running


def test_assistant_answers_about_the_fixture_metier(two_metier_stack):
    c = Conversation(two_metier_stack.url)
    assert "pétrit la pâte" in c.say("que fait un boulanger au quotidien ?")
    salary = c.say("et il gagne combien ?")
    assert "1 900 €" in salary and "50 k€" not in salary
    listed = c.say("quels métiers connais-tu ?")
    assert "boulanger" in listed and "ingénieur en Machine Learning" in listed
    assert "50 k€" in c.say("et un ingénieur ML, il gagne combien ?")
