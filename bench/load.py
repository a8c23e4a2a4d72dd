#!/usr/bin/env python
"""Load test of /api/chat: many concurrent conversations, every reply checked.

Each conversation sends a fixed script of French questions, one after the
other (the next question leaves once the previous reply is in), and all
conversations run at the same time. Every turn must come back with status
200, the conversation's own id and the keyword expected for its question.
Afterwards each conversation's history (GET /api/conversations/{id}) must hold
exactly its user messages, in order, each once, each followed by a bot reply
that has the question's keyword: no turn lost, duplicated or crossed with
another sender's. The script starts at a different question, with a different
stride, from one conversation to the next, so conversations in flight at the
same moment mostly ask different things and a crossed reply shows.

Prints throughput (turns/s), latency p50/p95/p99, errors by kind, and the
resident memory (peak during the run and at the end) of every process found
listening on the service and Rasa ports, with their child processes.

Usage:
    .venv/bin/python bench/load.py                      # starts its own stack (bot.devtools.stack)
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --rasa-port 5005

Bounded: at most --max-seconds for the turns (then whatever is left counts
as `deadline`), at most 2,000 conversations and 100 turns each, and loopback
URLs only. Its own stack gets rate limits raised just enough for the run
(BOUSSOLE_RATE_LIMIT_NEW_BURST, BOUSSOLE_RATE_LIMIT_CONVERSATION_BURST);
against --url the service's own limits apply and show up as `http_429`.

Exit status: 0 all turns answered and checked; 1 a turn was lost, duplicated
or crossed (wrong id, wrong reply, history mismatch); 3 other errors only
(refusals, timeouts, deadline); 2 bad usage (non-loopback URL).
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlsplit

import httpx
import psutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.services import Postgres, Redis  # noqa: E402
from bot.devtools.stack import ScaledStack, Stack  # noqa: E402
from bot.text import fold  # noqa: E402

# (question, word the reply must contain): self-contained questions (each names
# the job), phrased as in tests/e2e/test_chat_api.py, so any order works.
QUESTIONS = [
    ("bonjour", "Bonjour"),
    ("c'est quoi le métier d'ingénieur machine learning ?", "algorithmes"),
    ("que fait un ingé ML dans sa journée ?", "optimise"),
    ("quelles boites embauchent des ML engineers ?", "Google"),
    ("quelles compétences pour devenir ingénieur ML ?", "Python"),
    ("quelle formation pour devenir ingénieur en apprentissage automatique ?", "Berkeley"),
    ("combien gagne un ingénieur ML ?", "50 k€"),
    ("quelle différence entre un ML engineer et un data scientist ?", "cas d'usage"),
    ("le métier d'ingé ML a de l'avenir ?", "meilleures opportunités"),
    ("d'où viennent vos informations ?", "Thomas Bodin"),
]
STRIDES = (1, 3, 7, 9)  # coprime with 10: each stride visits every question once per 10 turns
MAX_CONVERSATIONS = 2000
MAX_TURNS = 100
INTEGRITY = {"wrong_conversation_id", "missing_keyword", "history_mismatch"}


def script_for(index: int, turns: int) -> list[tuple[str, str]]:
    """Conversation `index`'s questions: its own starting point and stride through QUESTIONS."""
    start, stride = index % len(QUESTIONS), STRIDES[(index // len(QUESTIONS)) % len(STRIDES)]
    return [QUESTIONS[(start + stride * t) % len(QUESTIONS)] for t in range(turns)]


def has(text: str, word: str) -> bool:
    return fold(word) in fold(text)


def is_loopback_url(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False  # any other name could resolve anywhere


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # first occurrence of each error kind
    answered: int = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        self.examples.setdefault(kind, detail)


async def run_conversation(client: httpx.AsyncClient, index: int, turns: int, results: Results) -> Optional[str]:
    """Send the script; the conversation id if every turn was answered (None otherwise: already an error)."""
    conversation_id: Optional[str] = None
    for turn, (question, word) in enumerate(script_for(index, turns)):
        body = {"message": question, **({"conversation_id": conversation_id} if conversation_id else {})}
        started = time.perf_counter()
        try:
            response = await client.post("/api/chat", json=body)
        except httpx.TimeoutException:
            results.error("timeout", f"conversation {index} turn {turn}")
            return None  # the next question would race the unanswered one
        except httpx.HTTPError as exc:
            results.error(type(exc).__name__, f"conversation {index} turn {turn}: {exc}")
            return None
        if response.status_code != 200:
            results.error(f"http_{response.status_code}", f"conversation {index} turn {turn}: {response.text[:200]}")
            return None
        results.latencies_ms.append((time.perf_counter() - started) * 1000)  # answered turns only
        data = response.json()
        if conversation_id is not None and data.get("conversation_id") != conversation_id:
            results.error("wrong_conversation_id", f"conversation {index} turn {turn}: sent {conversation_id[:8]}…, "
                                                   f"got {str(data.get('conversation_id'))[:8]}…")
            return None
        conversation_id = data["conversation_id"]
        text = "\n".join(reply.get("text", "") for reply in data.get("replies", []))
        if not has(text, word):
            results.error("missing_keyword", f"conversation {index} turn {turn}: {question!r} -> {text[:120]!r}")
        results.answered += 1
    return conversation_id


async def check_history(client: httpx.AsyncClient, index: int, conversation_id: str, turns: int,
                        results: Results) -> None:
    """Exactly this conversation's user messages, in order, each followed by its own reply."""
    try:
        response = await client.get(f"/api/conversations/{conversation_id}")
    except httpx.HTTPError as exc:
        results.error("history_unreadable", f"conversation {index}: {type(exc).__name__}")
        return
    if response.status_code != 200:
        results.error("history_unreadable", f"conversation {index}: HTTP {response.status_code}")
        return
    script = script_for(index, turns)
    messages = response.json()["messages"]
    asked = [m["text"] for m in messages if m["role"] == "user"]
    if asked != [question for question, _ in script]:
        results.error("history_mismatch", f"conversation {index}: {len(asked)} user messages, expected {len(script)}")
        return
    # The bot messages between a user message and the next one are that turn's reply.
    position = -1
    for turn, (question, word) in enumerate(script):
        position = next(i for i in range(position + 1, len(messages)) if messages[i]["role"] == "user")
        replies = []
        for message in messages[position + 1:]:
            if message["role"] == "user":
                break
            replies.append(message["text"])
        if not replies or not has("\n".join(replies), word):
            results.error("history_mismatch", f"conversation {index} turn {turn}: reply to {question!r} missing or wrong")
            return


class MemoryWatch:
    """Resident memory of the processes behind the given ports or pids (children included), sampled."""

    def __init__(self, ports: list[int], pids: list[int]):
        self.roots = {pid: psutil.Process(pid) for pid in pids if psutil.pid_exists(pid)}
        for port in ports:
            for process in self._listening_on(port):
                self.roots.setdefault(process.pid, process)
        self.peak: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.names: dict[int, str] = {}

    @staticmethod
    def _listening_on(port: int) -> list[psutil.Process]:
        found = []
        for process in psutil.process_iter():
            try:
                if any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port
                       for c in process.net_connections(kind="tcp")):
                    found.append(process)
            except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
                continue
        return found

    def processes(self) -> list[psutil.Process]:
        seen: dict[int, psutil.Process] = {}
        for root in self.roots.values():
            try:
                for process in [root, *root.children(recursive=True)]:
                    seen.setdefault(process.pid, process)
            except psutil.NoSuchProcess:
                continue
        return list(seen.values())

    def sample(self) -> None:
        for process in self.processes():
            try:
                rss = process.memory_info().rss / 2**20
                if process.pid not in self.names:
                    self.names[process.pid] = self._describe(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            self.last[process.pid] = rss
            self.peak[process.pid] = max(rss, self.peak.get(process.pid, 0.0))

    @staticmethod
    def _describe(process: psutil.Process) -> str:
        command = " ".join(process.cmdline())
        for marker, label in (("bot.rasa.launcher", "Rasa server"), ("rasa", "Rasa"), ("bot.cli", "Boussole service"),
                              ("uvicorn", "uvicorn"), ("multiprocessing", "worker")):
            if marker in command:
                return label
        return process.name()

    async def watch(self, stop: asyncio.Event, every: float = 0.5) -> None:
        while not stop.is_set():
            self.sample()
            try:
                await asyncio.wait_for(stop.wait(), every)
            except asyncio.TimeoutError:
                pass
        self.sample()


async def load(url: str, conversations: int, turns: int, max_seconds: float, memory: MemoryWatch) -> tuple[Results, float]:
    results = Results()
    limits = httpx.Limits(max_connections=conversations + 10, max_keepalive_connections=conversations + 10)
    async with httpx.AsyncClient(base_url=url, timeout=60.0, limits=limits) as client:
        warm = await client.post("/api/chat", json={"message": "bonjour"})  # first turn loads lazy parts of Rasa
        if warm.status_code != 200:
            raise SystemExit(f"error: warm-up turn got HTTP {warm.status_code}: {warm.text[:200]}")
        stop = asyncio.Event()
        watcher = asyncio.create_task(memory.watch(stop))
        started = time.perf_counter()
        tasks = [asyncio.create_task(run_conversation(client, i, turns, results)) for i in range(conversations)]
        done, pending = await asyncio.wait(tasks, timeout=max_seconds)
        elapsed = time.perf_counter() - started
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
            results.error("deadline", f"{len(pending)} conversations unfinished after {max_seconds:.0f} s")
        stop.set()
        await watcher
        # Histories of the conversations that ran their whole script (the others are already errors).
        complete = {i: t.result() for i, t in enumerate(tasks) if t in done and t.result()}
        checks = [check_history(client, i, cid, turns, results) for i, cid in complete.items()]
        semaphore = asyncio.Semaphore(20)  # reading histories is not the load being measured

        async def bounded(check):
            async with semaphore:
                await check

        await asyncio.gather(*(bounded(c) for c in checks))
    return results, elapsed


def report(results: Results, elapsed: float, conversations: int, turns: int, memory: MemoryWatch) -> None:
    lat = results.latencies_ms
    print(f"conversations: {conversations} concurrent x {turns} turns = {conversations * turns} turns planned")
    print(f"answered: {results.answered} turns in {elapsed:.1f} s -> {results.answered / elapsed:.1f} turns/s")
    print(f"latency per turn (client side): p50 {percentile(lat, .5):.0f} ms, p95 {percentile(lat, .95):.0f} ms, "
          f"p99 {percentile(lat, .99):.0f} ms, max {max(lat, default=float('nan')):.0f} ms")
    if results.errors:
        print("errors by kind:")
        for kind, count in results.errors.most_common():
            print(f"  {kind}: {count}   e.g. {results.examples[kind]}")
    else:
        print("errors: none (every reply had its keyword and its conversation id; every history was intact)")
    print("resident memory (peak during the run / at the end):")
    total_peak = total_last = 0.0
    for pid in sorted(memory.last, key=lambda p: -memory.last[p]):
        total_peak += memory.peak[pid]
        total_last += memory.last[pid]
        print(f"  pid {pid:>7}  {memory.names.get(pid, '?'):<18} {memory.peak[pid]:7.0f} MB / {memory.last[pid]:7.0f} MB")
    print(f"  together              {total_peak:7.0f} MB / {total_last:7.0f} MB")


def parse_ports(values: list[str]) -> list[int]:
    return [int(p) for value in values for p in value.split(",") if p.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="running service (loopback only); default: start a throwaway stack")
    parser.add_argument("--scaled", action="store_true",
                        help="start the scaled layout instead (deploy/Procfile.scaled: PostgreSQL, Redis, "
                             "2 Rasa servers, 2 workers), from Debian's postgresql and redis-server")
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=300.0, help="bound on the turn phase")
    parser.add_argument("--rasa-port", "--rasa-ports", dest="rasa_ports", action="append", default=[],
                        help="Rasa port(s) whose processes' memory is shown (repeat or comma-separate)")
    parser.add_argument("--pid", dest="pids", action="append", type=int, default=[],
                        help="also show this process (and its children)")
    args = parser.parse_args()
    if not (1 <= args.conversations <= MAX_CONVERSATIONS and 1 <= args.turns <= MAX_TURNS and 0 < args.max_seconds <= 3600):
        print(f"error: --conversations 1..{MAX_CONVERSATIONS}, --turns 1..{MAX_TURNS}, --max-seconds up to 3600",
              file=sys.stderr)
        return 2
    if args.url and not is_loopback_url(args.url):
        print(f"error: {args.url} is not a loopback URL (127.0.0.0/8, ::1, localhost); this script only loads "
              f"a local service", file=sys.stderr)
        return 2

    stack = None  # Stack or ScaledStack
    tmp: Optional[tempfile.TemporaryDirectory] = None
    services: list = []
    try:
        if args.url:
            url, ports = args.url.rstrip("/"), parse_ports(args.rasa_ports)
            service_port = urlsplit(url).port or (443 if url.startswith("https") else 80)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="boussole-load-")
            # Room for the run and nothing more: every conversation opens from this one
            # address, then sends its other turns back to back.
            env = {
                "BOUSSOLE_RATE_LIMIT_NEW_BURST": str(max(200, args.conversations + 10)),
                "BOUSSOLE_RATE_LIMIT_CONVERSATION_BURST": str(max(10, args.turns)),
                # every turn also takes a token of its client address: all of this load comes from one
                "BOUSSOLE_RATE_LIMIT_ADDRESS_BURST": str(args.conversations * args.turns + 10),
            }
            if args.scaled:
                services = [Postgres(), Redis()]
                for service in services:
                    service.start()
                print(f"starting the scaled layout in {tmp.name} (PostgreSQL {services[0].port}, Redis "
                      f"{services[1].port}; rate limits for this run: {env})", flush=True)
                os.environ.update(env)  # ScaledStack passes this process's environment on
                stack = ScaledStack(Path(tmp.name), services[0].url, services[1].url)
                stack.start()
                url, ports, service_port = stack.url, list(stack.rasa_ports.values()), stack.port
                args.pids.extend(p.pid for p in stack.processes.values())
            else:
                print(f"starting a stack in {tmp.name} (rate limits for this run: {env})", flush=True)
                stack = Stack(Path(tmp.name), extra_env=env)
                stack.start()  # assigned first, so that `finally` stops it even if it never gets healthy
                url, ports, service_port = stack.url, [stack.rasa_port], stack.port
                args.pids.append(stack.process.pid)
        memory = MemoryWatch([service_port, *ports], args.pids)
        if not memory.roots:
            print("warning: no process found on those ports; memory will not be shown", file=sys.stderr)
        results, elapsed = asyncio.run(load(url, args.conversations, args.turns, args.max_seconds, memory))
        report(results, elapsed, args.conversations, args.turns, memory)
    finally:
        if stack is not None:
            stack.stop()
        for service in services:
            service.stop()
        if tmp is not None:
            tmp.cleanup()
    if INTEGRITY & set(results.errors):
        return 1
    return 3 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
