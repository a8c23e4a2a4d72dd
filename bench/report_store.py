#!/usr/bin/env python
"""How `boussole report` copes with a large tracker store: time, memory, progress.

Fills a throwaway stack's SQLite tracker store with real conversations
(tests/report_traffic.py: fallbacks, out of scope, gaps, « pas utile »), then
copies its events under new sender ids until the store holds --turns turns,
and times `boussole report --format json` on it, with the report process's
peak resident memory. The copies are the real events, so the findings scale
with the copies: the figures they print are checked against it.

Usage:
    .venv/bin/python bench/report_store.py [--turns 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.devtools.stack import Stack  # noqa: E402
from tests.report_traffic import TURNS_PER_ROUND, fill  # noqa: E402

ROUNDS = 10  # real conversations: 10 rounds of every script


def grow(database: Path, copies: int) -> None:
    """Every conversation's events again under copies - 1 new sender ids, in one statement (oldest first)."""
    columns = "type_name, timestamp, intent_name, action_name, data"
    with sqlite3.connect(database) as connection:
        connection.execute(
            f"INSERT INTO events (sender_id, {columns}) "
            f"WITH RECURSIVE copy(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM copy WHERE n < ?) "
            f"SELECT events.sender_id || '-copy' || copy.n, {columns} FROM copy, events ORDER BY copy.n, events.id",
            (copies - 1,),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=100_000, help="turns in the grown store (default 100,000)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="boussole-report-bench-") as tmp:
        state = Path(tmp) / "stack"
        print(f"filling a stack's tracker store with {ROUNDS * TURNS_PER_ROUND} real turns…", flush=True)
        with Stack(state) as stack:
            started = time.monotonic()
            fill(stack.url, ROUNDS)
            print(f"  {ROUNDS * TURNS_PER_ROUND} turns in {time.monotonic() - started:.1f} s", flush=True)
        big = Path(tmp) / "big.db"
        shutil.copy(state / "tracker.db", big)
        copies = max(1, args.turns // (ROUNDS * TURNS_PER_ROUND))
        grow(big, copies)
        size = big.stat().st_size / 1e6
        env = {**os.environ, "BOUSSOLE_TRACKER_URL": f"sqlite:///{big}"}
        started = time.monotonic()
        process = subprocess.Popen([sys.executable, "-m", "bot.cli", "report", "--format", "json"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0
        watched = psutil.Process(process.pid)
        while process.poll() is None:  # the report's own resident memory (the stack is gone)
            try:
                peak = max(peak, watched.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        stdout, stderr = process.communicate()
        seconds = time.monotonic() - started
        if process.returncode != 0:
            print(stderr, file=sys.stderr)
            return 1
        peak_mb = peak / 1e6
        report = json.loads(stdout)
        progress = [line for line in stderr.splitlines() if "events read" in line]
        top = report["fallback"][0]
        assert top["count"] == 2 * ROUNDS * copies, top  # the copies are counted, each once
        print(f"report on {report['turns']:,} turns of {report['conversations']:,} conversations "
              f"({size:.0f} MB SQLite): {seconds:.1f} s, peak resident memory {peak_mb:.0f} MB, "
              f"{len(progress)} progress lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
