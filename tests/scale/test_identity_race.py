"""Workers starting at once on an empty state dir all get the same, complete id-signing key."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from bot.web.identity import load_or_create_key

WORKERS = 12


def _start_worker(state_dir: str, barrier, keys) -> None:
    barrier.wait()  # every process creates the key at the same moment
    keys.append(load_or_create_key(Path(state_dir)))


def test_concurrent_workers_agree_on_one_key(tmp_path, monkeypatch):
    monkeypatch.delenv("BOUSSOLE_SECRET_KEY", raising=False)
    for attempt in range(5):  # several rounds: a race shows up only now and then
        state_dir = tmp_path / f"state-{attempt}"
        context = multiprocessing.get_context("fork")
        with context.Manager() as manager:
            barrier, keys = manager.Barrier(WORKERS), manager.list()
            workers = [context.Process(target=_start_worker, args=(str(state_dir), barrier, keys))
                       for _ in range(WORKERS)]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join(30)
            assert all(worker.exitcode == 0 for worker in workers)
            keys = list(keys)
        assert len(keys) == WORKERS
        assert len(set(keys)) == 1 and len(keys[0]) == 64, set(keys)
        assert (state_dir / "secret_key").read_text().strip().encode() == keys[0]
        assert [p.name for p in state_dir.iterdir()] == ["secret_key"]  # no temporary file left
        assert (state_dir / "secret_key").stat().st_mode & 0o077 == 0  # readable by the owner only
