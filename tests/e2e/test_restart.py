"""Conversations survive a restart of both processes (SQLite tracker store)."""

from __future__ import annotations

import pytest

from bot.devtools.stack import Stack
from tests.conftest import Conversation

pytestmark = pytest.mark.slow


def test_follow_up_after_restart_keeps_the_job(trained_model, tmp_path):
    stack = Stack(tmp_path / "state")
    with stack:
        c = Conversation(stack.url)
        assert "« Plombier / Plombière sanitaire »" in c.say("combien gagne un plombier ?")
    assert (tmp_path / "state" / "tracker.db").is_file()
    with stack:  # same state directory and ports, fresh processes
        again = c.say("et quelles études faut-il ?")
        assert "Plombier" in again and "Berkeley" not in again
