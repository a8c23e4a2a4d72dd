"""Boussole scaled out, for real: PostgreSQL + Redis + two Rasa servers + `boussole serve --workers 2`.

The processes are the lines of deploy/Procfile.scaled, run as a Procfile
runner would (bot.devtools.stack.ScaledStack), against a PostgreSQL cluster and a
Redis server of this module's own (tests/scale/services.py). The Rasa
servers load in parallel (about a minute and 1.5 GB each). The test that
kills a Rasa server runs last.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx
import psycopg2
import pytest
from rasa.core.lock_store import RedisLockStore
from redis.connection import parse_url

from bot.devtools.stack import ScaledStack, serve
from bot.text import fold
from bot.web.rasa_servers import ranking
from tests.conftest import Conversation
from tests.report_traffic import check_json_report, fill, report
from bot.devtools.services import Postgres, Redis

pytestmark = pytest.mark.slow

FIRST = "c'est quoi exactement le métier d'ingé ML ?"


def has(text: str, *words: str) -> bool:
    return all(fold(w) in fold(text) for w in words)


@pytest.fixture(scope="module")
def services():
    postgres, redis = Postgres(), Redis()
    try:
        yield postgres.start(), redis.start()
    finally:
        redis.stop()
        postgres.stop()


@pytest.fixture(scope="module")
def scaled(trained_model, services, tmp_path_factory):
    postgres, redis = services
    with ScaledStack(tmp_path_factory.mktemp("scaled"), postgres.url, redis.url) as stack:
        yield stack


def rasa_turn(rasa_url: str, sender: str, text: str) -> str:
    """One turn straight through a Rasa server's REST webhook (no public service in between)."""
    response = httpx.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert response.status_code == 200, response.text
    return "\n".join(m.get("text") or "" for m in response.json())


def tracker_events(stack: ScaledStack, rasa: str, sender: str) -> list[dict]:
    response = httpx.get(f"{stack.rasa_url(rasa)}/conversations/{sender}/tracker",
                         params={"token": stack.token}, timeout=30)
    response.raise_for_status()
    return response.json()["events"]


def fire_together(requests: list) -> list[tuple[float, float, httpx.Response]]:
    """Send requests from threads at once, on warm connections.

    Each request is (client, url, json body), POSTed; the client already holds an
    open connection, so accepting a connection takes no part in the order.
    Returns (started, ended, response) per request, monotonic seconds.
    """
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(position: int) -> None:
        client, url, body = requests[position]
        barrier.wait()
        started = time.monotonic()
        response = client.post(url, json=body)
        results[position] = (started, time.monotonic(), response)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


def warm_clients(base_url: str, count: int) -> list[httpx.Client]:
    clients = [httpx.Client(timeout=60) for _ in range(count)]
    for client in clients:
        client.get(f"{base_url}/")  # opens the keep-alive connection the timed request reuses
    return clients


def test_a_conversation_moved_between_rasa_servers_keeps_its_context(scaled, services):
    sender = f"moved-{uuid.uuid4().hex}"
    a, b = scaled.rasa_url("rasa1"), scaled.rasa_url("rasa2")
    assert has(rasa_turn(a, sender, FIRST), "algorithmes")
    salary = rasa_turn(b, sender, "et son salaire ?")
    assert has(salary, "50 k€"), salary
    senior = rasa_turn(a, sender, "et en senior ?")
    assert has(senior, "ne donne pas de salaire pour un profil senior"), senior
    # Both servers see the same conversation: it lives in PostgreSQL, not in either server.
    texts = [e["text"] for e in tracker_events(scaled, "rasa2", sender) if e["event"] == "user"]
    assert texts == [FIRST, "et son salaire ?", "et en senior ?"]
    with psycopg2.connect(services[0].url) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM events WHERE sender_id = %s AND type_name = 'user'", (sender,))
        assert cursor.fetchone()[0] == 3


def test_concurrent_messages_of_one_conversation_are_answered_in_order(scaled, services):
    """Messages that wait for one conversation are answered one at a time, in the order they came.

    The order of messages sent at the same moment is not defined (two workers,
    two cores), so the test defines it: it holds the conversation's lock in
    Redis as a running turn would, sends each message once the previous one
    has its ticket in Rasa's queue, then lets the queue go.
    """
    c = Conversation(scaled.url)
    assert has(c.say(FIRST), "algorithmes")
    questions = [
        ("et son salaire ?", "50 k€"),
        ("quelles compétences faut-il ?", "Python"),
        ("quelle formation pour devenir ingénieur en apprentissage automatique ?", "master"),
        ("source ?", "Thomas Bodin"),
        ("le métier d'ingé ML a de l'avenir ?", "meilleures opportunités"),
    ]
    redis = parse_url(services[1].url)
    locks = RedisLockStore(host=redis["host"], port=redis["port"], db=redis.get("db", 0))
    held = locks.issue_ticket(c.conversation_id)
    clients = warm_clients(scaled.url, len(questions))
    results: list = [None] * len(questions)

    def send(position: int) -> None:
        body = {"message": questions[position][0], "conversation_id": c.conversation_id}
        results[position] = clients[position].post(f"{scaled.url}/api/chat", json=body)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(questions))]
    try:
        for position, thread in enumerate(threads):
            thread.start()
            wait_for(lambda: len(locks.get_lock(c.conversation_id).tickets) == position + 2,
                     f"message {position + 1} did not reach Rasa's ticket queue")
        assert results == [None] * len(questions), "a message was answered while the conversation was held"
    finally:
        locks.finish_serving(c.conversation_id, held)
        for thread in threads:
            thread.join(120)
        for client in clients:
            client.close()

    for (question, expected), response in zip(questions, results):
        assert response.status_code == 200, response.text
        reply = "\n".join(r["text"] for r in response.json()["replies"])
        assert has(reply, expected), (question, reply)  # each answer is its own question's

    # The tracker: every message once, in the order queued, each answered before the next one.
    history = httpx.get(f"{scaled.url}/api/conversations/{c.conversation_id}", timeout=30).json()["messages"]
    assert [m["text"] for m in history if m["role"] == "user"] == [FIRST] + [q for q, _ in questions]
    kinds = [e["event"] for e in tracker_events(scaled, "rasa1", c.conversation_id) if e["event"] in ("user", "bot")]
    turns = "".join("u" if kind == "user" else "b" for kind in kinds)
    assert turns.count("u") == 6 and "uu" not in turns and turns.startswith("u") and turns.endswith("b"), turns


def wait_for(condition, failure: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.01)


def test_lock_store_cost_of_concurrent_messages(scaled, capsys):
    """5 messages of one conversation at once: straight to a Rasa server, then through /api/chat.

    Rasa's lock store makes a turn that finds the conversation busy sleep and
    poll every second; bot/rasa/launcher.py makes it 50 ms. The public service
    sends turns on as they come, so Rasa's ticket order is the order sent. The
    questions call the custom action, so a turn lets others in while it waits
    for it, as real questions do (small talk runs in one go and never waits).
    """
    questions = ["combien gagne un ingénieur ML ?", "quelles compétences faut-il ?",
                 "quelle formation pour devenir ingénieur ML ?", "que fait un ingé ML dans sa journée ?",
                 "quelles boites embauchent des ML engineers ?"]

    def burst_straight(rasa: str) -> float:
        sender = f"cost-{uuid.uuid4().hex}"
        rasa_turn(rasa, sender, FIRST)  # an existing conversation, as through the service
        clients = warm_clients(rasa, len(questions))
        results = fire_together([(client, f"{rasa}/webhooks/rest/webhook", {"sender": sender, "message": q})
                                 for client, q in zip(clients, questions)])
        assert all(r.status_code == 200 and r.json() for _, _, r in results)
        return wall(results, clients)

    def burst_public(url: str) -> float:
        c = Conversation(url)
        c.say(FIRST)
        clients = warm_clients(url, len(questions))
        results = fire_together([(client, f"{url}/api/chat", {"message": q, "conversation_id": c.conversation_id})
                                 for client, q in zip(clients, questions)])
        assert all(r.status_code == 200 for _, _, r in results)
        return wall(results, clients)

    def one_after_the_other(url: str) -> float:
        c = Conversation(url)
        c.say(FIRST)
        started = time.monotonic()
        for q in questions:
            c.say(q)
        return time.monotonic() - started

    def wall(results, clients) -> float:
        for client in clients:
            client.close()
        return max(end for _, end, _ in results) - min(start for start, _, _ in results)

    straight = burst_straight(scaled.rasa_url("rasa1"))
    two_workers = burst_public(scaled.url)
    with serve(scaled.env, scaled.state_dir, workers=1) as one_worker_url:
        one_worker = burst_public(one_worker_url)
    sequential = one_after_the_other(scaled.url)

    figures = (f"lock-store cost: 5 questions of one conversation sent at once (2 Rasa servers, Redis lock store)\n"
               f"  straight to one Rasa server's REST webhook:  {straight:.2f} s\n"
               f"  through /api/chat, 2 workers:                {two_workers:.2f} s\n"
               f"  through /api/chat, 1 worker:                 {one_worker:.2f} s\n"
               f"  the same 5 one after the other (/api/chat):  {sequential:.2f} s")
    with capsys.disabled():  # the figures are this test's output, shown without -s
        print("\n" + figures)
    (scaled.state_dir / "lock_cost.txt").write_text(figures + "\n")
    # Rasa's own lock poll (1 s) would put every burst above a second; the launcher
    # re-checks every 50 ms.
    assert max(straight, two_workers, one_worker) < 0.9, figures


def test_the_report_reads_the_postgresql_tracker_store(scaled, services):
    """The same report, the same code, on the shared PostgreSQL store (turns through both workers and servers)."""
    since = time.strftime("%Y-%m-%dT%H:%M:%S")
    time.sleep(1.1)  # the earlier tests' turns are before `since`
    rounds = 3
    ids = fill(scaled.url, rounds)
    result = report({"BOUSSOLE_TRACKER_URL": services[0].url, "BOUSSOLE_STATE_DIR": str(scaled.state_dir)},
                    "--format", "json", "--since", since)
    check_json_report(result, rounds)
    assert "postgresql://" in result.stderr and not any(i in result.stdout for i in ids)
    # The workers of `boussole serve` log their turns too (they start with no logging configured).
    web_log = scaled.log_path("web").read_text(errors="replace")
    assert "chat.turn channel=api" in web_log and "chat.feedback sender=" in web_log


def test_a_conversation_survives_the_death_of_its_rasa_server(scaled):
    c = Conversation(scaled.url)
    assert has(c.say(FIRST), "algorithmes")
    urls = scaled.env["BOUSSOLE_RASA_URLS"].split(",")
    owner = next(name for name in scaled.rasa_ports if scaled.rasa_url(name) == ranking(c.conversation_id, urls)[0])
    scaled.stop_process(owner)

    salary = c.say("et son salaire ?")  # through the public address, now answered by the other server
    assert has(salary, "50 k€"), salary
    senior = c.say("et en senior ?")
    assert has(senior, "ne donne pas de salaire pour un profil senior"), senior
    history = httpx.get(f"{scaled.url}/api/conversations/{c.conversation_id}", timeout=30).json()["messages"]
    assert [m["text"] for m in history if m["role"] == "user"] == [FIRST, "et son salaire ?", "et en senior ?"]
    health = httpx.get(f"{scaled.url}/health", timeout=30)
    assert health.status_code == 200, health.text  # up while one server answers, the dead one listed
    servers = {server["url"]: server["ok"] for server in health.json()["checks"]["rasa"]["servers"]}
    assert servers == {scaled.rasa_url(name): name != owner for name in scaled.rasa_ports}, servers
