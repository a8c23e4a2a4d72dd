#!/usr/bin/env python
"""Boussole benchmark: prints figures, asserts nothing (targets are in the README).

- intent accuracy and macro-F1 on the dev set, the fresh set and the external
  set, each beside a TF-IDF char n-gram + logistic regression baseline
  trained on the same examples;
- training time (a fresh `rasa train` into a temporary folder);
- reply latency p50/p95 through /api/chat over N turns on a real stack, and the
  p50 of answer turns (the action runs) against small-talk turns, same run;
- resident memory of the FastAPI process and of the Rasa server;
- the public service's start time (`boussole serve` until /health answers);
- the métier-name resolver on the frozen held-out set (bench/resolve_names.py) and on the
  development set of ROME titles as people write them (bench/resolve_variants.py);
- the external French question set (../shared/tools/score_fr.py), if present;
- discovery requests of the frozen held-out set (bench/discovery.py): intent and centre d'intérêt.

Usage: .venv/bin/python bench/benchmark.py [--turns 240] [--skip-train]
Loopback only; every loop is bounded.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not a figure
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.rasa import process as rasa_process  # noqa: E402
from bot.devtools.stack import Stack, free_port  # noqa: E402
from bot.nlu_eval import print_scores  # noqa: E402
from bot.settings import Settings  # noqa: E402

# Turns of the latency run: a mix of topics and follow-ups, as a visitor asks them.
SCRIPT = [
    "bonjour",
    "c'est quoi un ingénieur en machine learning ?",
    "il fait quoi concrètement ?",
    "et le salaire ?",
    "et en senior ?",
    "quelles compétences faut-il ?",
    "et l'anglais ?",
    "quelles études ?",
    "source ?",
    "merci, au revoir",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_training() -> float:
    settings = Settings()
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run(
            rasa_process._rasa_command(
                "train", "--config", "config.yml", "--domain", "domain.yml", "--data", "data/nlu", "data/rules.yml",
                "--out", out, "--force", "--quiet",
            ),
            cwd=ROOT, env=rasa_process.rasa_env(settings), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return time.monotonic() - started


# Turns Rasa answers from its domain (no custom action): the small talk an answer is compared with.
SMALL_TALK = {"bonjour", "merci, au revoir"}


def bench_latency(stack: Stack, turns: int, by_kind: dict[str, list[float]]) -> list[float]:
    latencies: list[float] = []
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        client.post("/api/chat", json={"message": "bonjour"})  # warm-up
        conversation_id = None
        for i in range(turns):
            message = SCRIPT[i % len(SCRIPT)]
            if i % len(SCRIPT) == 0:
                conversation_id = None
            body = {"message": message, **({"conversation_id": conversation_id} if conversation_id else {})}
            started = time.perf_counter()
            response = client.post("/api/chat", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            by_kind["small talk" if message in SMALL_TALK else "answer"].append(latencies[-1])
            response.raise_for_status()
            conversation_id = response.json()["conversation_id"]
    return latencies


def bench_service_start(stack: Stack) -> float:
    """Seconds from `boussole serve` to its first /health answer, beside the stack's Rasa (knowledge,
    ROME fiches and name index loaded; nothing trained)."""
    port = free_port()
    env = {**stack.env, "BOUSSOLE_PORT": str(port), "BOUSSOLE_RASA_URLS": stack.rasa_url}
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while time.monotonic() - started < 120 and process.poll() is None:
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                return time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.1)
        return float("nan")
    finally:
        process.terminate()
        process.wait(30)


def memory_mb(stack: Stack) -> tuple[float, float]:
    """RSS of the public service (boussole run) and of its Rasa child."""
    service = psutil.Process(stack.process.pid)
    rasa = [p for p in service.children(recursive=True) if "rasa" in " ".join(p.cmdline())]
    return service.memory_info().rss / 2**20, sum(p.memory_info().rss for p in rasa) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=240)
    parser.add_argument("--skip-train", action="store_true", help="do not time a fresh training")
    args = parser.parse_args()
    logging.disable(logging.INFO)

    settings = Settings()
    model = rasa_process.train(settings)
    print("intent classification (config.yml) on the held-out sets:", flush=True)
    print_scores(model, ROOT)

    if not args.skip_train:
        print(f"training time (fresh rasa train, NLU + rules): {bench_training():.0f} s", flush=True)

    with tempfile.TemporaryDirectory() as state, Stack(Path(state)) as stack:
        by_kind: dict[str, list[float]] = {"answer": [], "small talk": []}
        latencies = bench_latency(stack, args.turns, by_kind)
        print(f"/api/chat latency over {len(latencies)} turns: p50 {percentile(latencies, 0.5):.0f} ms, "
              f"p95 {percentile(latencies, 0.95):.0f} ms, max {max(latencies):.0f} ms, mean {statistics.mean(latencies):.0f} ms")
        answer, small_talk = (percentile(by_kind[k], 0.5) for k in ("answer", "small talk"))
        print(f"answer turn p50 {answer:.0f} ms vs small-talk turn p50 {small_talk:.0f} ms: "
              f"{answer / small_talk:.1f} times (target: 3 at most)")
        print(f"public service start (boussole serve until /health answers): {bench_service_start(stack):.1f} s")
        service_mb, rasa_mb = memory_mb(stack)
        print(f"resident memory: FastAPI service {service_mb:.0f} MB, Rasa server {rasa_mb:.0f} MB, "
              f"together {service_mb + rasa_mb:.0f} MB")
        scorer = ROOT.parent / "shared" / "tools" / "score_fr.py"
        if scorer.exists():
            print("external question set (score_fr.py):", flush=True)
            subprocess.run([sys.executable, str(scorer), "--rasa", stack.rasa_url, "--token", stack.token,
                            "--nlu", str(ROOT / "data")], cwd=ROOT, check=False)
        else:
            print("external question set: ../shared/tools/score_fr.py not found, skipped")
    print("métier names of the frozen held-out set (bench/resolve_names.py):", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "resolve_names.py")], cwd=ROOT, check=False)
    print("métier names of ROME titles as people write them, development set (bench/resolve_variants.py):", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "resolve_variants.py")], cwd=ROOT, check=False)
    print("discovery requests of the frozen held-out set (bench/discovery.py):", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "discovery.py"), "--model", str(model)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
