#!/usr/bin/env python
"""Train NLU pipelines side by side and print their scores on every held-out set.

Usage: .venv/bin/python bench/compare_pipelines.py CONFIG.yml [CONFIG.yml ...] [-v]

Each config is trained on data/nlu (`rasa train nlu`, NLU only) into a temporary
folder, timed, then scored on the dev, fresh and external sets beside the
TF-IDF baseline (bot/nlu_eval.py). Used to choose config.yml; prints, asserts nothing.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.rasa import process as rasa_process  # noqa: E402
from bot.nlu_eval import print_scores  # noqa: E402
from bot.settings import Settings  # noqa: E402


def train_nlu(config: Path, out: Path) -> tuple[Path, float]:
    started = time.monotonic()
    subprocess.run(
        rasa_process._rasa_command("train", "nlu", "--config", str(config), "--nlu", "data/nlu", "--out", str(out),
                                   "--fixed-model-name", "nlu", "--quiet"),
        cwd=ROOT, env=rasa_process.rasa_env(Settings()), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return out / "nlu.tar.gz", time.monotonic() - started


def main() -> int:
    configs = [Path(a) for a in sys.argv[1:] if a != "-v"]
    if not configs:
        print(__doc__)
        return 2
    logging.disable(logging.INFO)
    for config in configs:
        with tempfile.TemporaryDirectory() as out:
            model, seconds = train_nlu(config.resolve(), Path(out))
            print(f"== {config} (NLU training {seconds:.0f} s)", flush=True)
            print_scores(model, ROOT, errors="-v" in sys.argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
