"""Faults on the real stack: a failing action call, Rasa killed mid-load.

The action endpoint of this stack is a small relay that forwards to the
service's own /webhook and can be told to fail the next call, like an action
server that crashes for one turn.
"""

from __future__ import annotations

import concurrent.futures
import http.server
import signal
import threading
import time

import httpx
import psutil
import pytest

from bot.devtools.stack import Stack, free_port
from tests.conftest import Conversation

pytestmark = pytest.mark.slow


class FlakyActionRelay:
    """Forwards Rasa's action calls to the service; fails the next `fail_next` calls with 500."""

    def __init__(self, target: str):
        self.target = target
        self.fail_next = 0
        self.failed = 0
        self.port = free_port()
        relay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if relay.fail_next > 0:
                    relay.fail_next -= 1
                    relay.failed += 1
                    status, payload = 500, b'{"error": "action server crashed"}'
                else:
                    secret = {"X-Boussole-Action-Secret": self.headers.get("X-Boussole-Action-Secret", "")}
                    forwarded = httpx.post(relay.target, content=body, headers={"Content-Type": "application/json", **secret},
                                           timeout=30)
                    status, payload = forwarded.status_code, forwarded.content
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep the test output readable
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhook"


@pytest.fixture(scope="module")
def fault_stack(trained_model, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("faults"))
    relay = FlakyActionRelay(f"{stack.url}/webhook")
    stack.env["BOUSSOLE_ACTION_URL"] = relay.url
    with stack:
        yield stack, relay
    relay.server.shutdown()


def test_a_failed_action_call_gives_an_apology_and_the_next_turn_works(fault_stack):
    stack, relay = fault_stack
    c = Conversation(stack.url)
    assert "50 k€" in c.say("combien gagne un ingénieur ML débutant ?")
    relay.fail_next = 1
    apology = c.say("et quelles compétences faut-il ?")
    assert relay.failed == 1
    assert apology.startswith("Désolé, je n'ai pas réussi à répondre")
    # The next turn works and the conversation still knows the job.
    assert "Python" in c.say("quelles compétences faut-il ?")


def _rasa_server(stack: Stack) -> psutil.Process:
    for child in psutil.Process(stack.process.pid).children(recursive=True):
        if "bot.rasa.launcher" in child.cmdline() and "run" in child.cmdline():
            return child
    raise AssertionError("no Rasa server child found")


def _new_conversation(url: str) -> httpx.Response:
    return httpx.post(f"{url}/api/chat", json={"message": "quelles sont les missions d'un ingé ML ?"}, timeout=60)


def test_rasa_killed_mid_load_gives_503_in_french_then_recovers(fault_stack):
    stack, _ = fault_stack
    c = Conversation(stack.url)
    assert "50 k€" in c.say("quel est le salaire d'un ingé ML ?")

    rasa = _rasa_server(stack)
    statuses: list[int] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(_new_conversation, stack.url) for _ in range(8)]
        time.sleep(0.2)
        rasa.send_signal(signal.SIGKILL)
        rasa.wait(10)
        futures += [pool.submit(_new_conversation, stack.url) for _ in range(4)]
        responses = [f.result() for f in futures]
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a hang
    refused = [r for r in responses if r.status_code == 503]
    assert refused, "turns after the kill must be refused while Rasa is down"
    assert all(r.json()["detail"].startswith("L'assistant est momentanément indisponible") for r in refused)
    assert httpx.get(f"{stack.url}/health").status_code == 503

    # The service restarts Rasa by itself; the conversation is still there.
    stack.wait_healthy(timeout=240)
    assert _rasa_server(stack).pid != rasa.pid
    assert "50 k€" in c.say("et le salaire en sortie d'école ?")
