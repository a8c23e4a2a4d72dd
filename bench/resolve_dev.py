"""The métier-name resolver on hand-written sentences: the development set of real writings.

    .venv/bin/python bench/resolve_dev.py [--nlu] [-v]

bench/data/resolve_dev_sentences.yml holds sentences written as people write to the
assistant, each naming a real ROME 4.0 métier, and sentences naming invented métiers;
bench/data/invented_dev.yml adds more invented ones. Judged as the frozen held-out set
is (bench/resolve_names.py), but this set is for finding what to fix: tune against it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))

from bench.resolve_names import KNOWLEDGE, nlu_parser, report, score  # noqa: E402
from bot.knowledge import load_knowledge  # noqa: E402

SENTENCES = HOME / "bench" / "data" / "resolve_dev_sentences.yml"
MORE_INVENTED = HOME / "bench" / "data" / "invented_dev.yml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu", action="store_true", help="pass the trained model's job entities to the resolver")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    kb = load_knowledge(KNOWLEDGE)
    sheet_rome = {s.id: set(s.rome_codes) for s in kb.sheets.values()}
    tagger = nlu_parser() if args.nlu else (lambda text: [])
    mode = "text + NLU entities" if args.nlu else "text only"
    for path in (SENTENCES, MORE_INVENTED):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        print(f"{path.relative_to(HOME)}:")
        report(score(kb.finder, doc, tagger, sheet_rome), doc, mode, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
