"""The token of Rasa's HTTP API stays secret: not in the process list, not in the logs.

Anyone on the machine can list the processes and their arguments (ps), and
logs are shipped and shared; the token opens every conversation of Rasa's
HTTP API. The session stack is used after real traffic: turns, a history
reload and a feedback press (the last two call Rasa's HTTP API with the token).
"""

from __future__ import annotations

import httpx
import psutil
import pytest

from tests.report_traffic import press

pytestmark = pytest.mark.slow


def test_the_rasa_token_is_in_no_process_arguments_and_in_no_log(stack, chat):
    conversation = chat()
    conversation.say("combien gagne un ingénieur ML ?")
    assert press(stack.url, conversation, False).status_code == 200
    assert httpx.get(f"{stack.url}/api/conversations/{conversation.conversation_id}", timeout=30).status_code == 200

    rasa_children = []
    for process in psutil.process_iter(["pid", "cmdline"]):
        arguments = " ".join(process.info["cmdline"] or [])
        assert stack.token not in arguments, f"process {process.info['pid']} shows the token: {arguments[:200]}"
        if "bot.rasa.launcher" in arguments and " run " in f"{arguments} ":
            rasa_children.append(process)
    ours = [p for p in rasa_children if p.ppid() == stack.process.pid]
    assert ours, "the stack's Rasa server was not found"
    # `boussole run` pipes the token to its Rasa child: not in its environment either (ps e, /proc/PID/environ).
    assert not any(stack.token in value for value in ours[0].environ().values())

    for log in (stack.log_path, stack.state_dir / "rasa.log"):
        assert log.is_file() and log.stat().st_size > 0, log
        assert stack.token not in log.read_text(errors="replace"), f"{log} shows the token"
