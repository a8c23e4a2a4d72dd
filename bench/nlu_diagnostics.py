#!/usr/bin/env python
"""Where the classifier confuses intents, with Rasa's own evaluation.

Usage:
  .venv/bin/python bench/nlu_diagnostics.py [--set fresh|dev] [--cross-validation --folds 3]

Runs `rasa test nlu` on a held-out set with the trained model (or, with
--cross-validation, k-fold cross-validation of config.yml on the training data)
into results/<set>/ (Rasa writes intent_report.json, intent_errors.json, the
confusion matrix and the confidence histogram as PNG there), then prints the
most frequent confusions and the per-intent F1 from Rasa's report.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.rasa import process as rasa_process  # noqa: E402
from bot.settings import Settings  # noqa: E402

SETS = {"fresh": "tests/data/nlu_fresh.yml", "dev": "tests/data/nlu_dev.yml"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=sorted(SETS), default="fresh")
    parser.add_argument("--cross-validation", action="store_true")
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    if args.cross_validation:
        out = ROOT / "results" / "cross-validation"
        command = ["test", "nlu", "--nlu", "data/nlu", "--config", "config.yml", "--cross-validation",
                   "--folds", str(args.folds), "--out", str(out)]
    else:
        out = ROOT / "results" / args.set
        command = ["test", "nlu", "--nlu", SETS[args.set], "--model", str(rasa_process.train(settings)), "--out", str(out)]
    subprocess.run(rasa_process._rasa_command(*command), cwd=ROOT, env=rasa_process.rasa_env(settings), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text())
    errors = json.loads((out / "intent_errors.json").read_text()) if (out / "intent_errors.json").exists() else []
    confusions = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    print(f"rasa test nlu -> {out}/ (intent_confusion_matrix.png, intent_histogram.png)")
    print(f"accuracy {report['accuracy']:.1%}, macro-F1 {report['macro avg']['f1-score']:.3f}")
    print("most frequent confusions (expected -> predicted):")
    for (expected, predicted), n in confusions.most_common(12):
        print(f"  {n:3d}  {expected:>15} -> {predicted}")
    print("weakest intents (F1):")
    per_intent = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and "avg" not in k}
    for name, values in sorted(per_intent.items(), key=lambda kv: kv[1]["f1-score"])[:6]:
        print(f"  {name:>15} F1 {values['f1-score']:.3f} (support {values['support']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
