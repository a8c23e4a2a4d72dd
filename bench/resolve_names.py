"""Score the métier-name resolver (bot/resolve/) on the frozen held-out set of issue 18.

    .venv/bin/python bench/resolve_names.py [--nlu] [-v]

tests/data/rome_names_heldout.yml was written before the resolver and is never
copied into training data. A name is right when the resolver's first métier is
one of the expected ROME codes (or a sheet whose `rome` fiche is expected), or,
for a name several fiches share, when it asks among choices that include one;
an invented métier is right when nothing resolves it. `--nlu` also hands the
resolver the job entities of the trained model (models/boussole.tar.gz), as the
running assistant will.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))

from bot.knowledge import load_knowledge, rome  # noqa: E402
from bot.resolve.mentions import MentionFinder  # noqa: E402
from bot.resolve.names import build_index  # noqa: E402

HELDOUT = HOME / "tests" / "data" / "rome_names_heldout.yml"
KNOWLEDGE = HOME / "data" / "knowledge"


def nlu_parser():
    """The trained model's job entities for a text (Rasa's own NLU, loaded once)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(HOME / "models" / "boussole.tar.gz"))

    def jobs(text: str) -> list[str]:
        parsed = asyncio.run(agent.parse_message(text))
        return [e["value"] for e in parsed.get("entities", []) if e.get("entity") == "job"]

    return jobs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nlu", action="store_true", help="pass the trained model's job entities to the resolver")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    started = time.perf_counter()
    kb = load_knowledge(KNOWLEDGE)
    fiches = rome.load_fiches(KNOWLEDGE)
    finder = MentionFinder(build_index(KNOWLEDGE, list(kb.sheets.values()), fiches, kb.catalogue))
    print(f"index: {len(finder.index)} names of {len(fiches)} fiches and {len(kb.sheets)} sheets "
          f"built in {time.perf_counter() - started:.1f} s")
    sheet_rome = {s.id: set(getattr(s, "rome_codes", None) or []) for s in kb.sheets.values()}
    tagger = nlu_parser() if args.nlu else (lambda text: [])
    heldout = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))

    right, ambiguous_asked, timings, misses = 0, 0, [], []
    for case in heldout["names"]:
        expected = set(case["rome"])
        begun = time.perf_counter()
        mentions = [m for m in finder.find(case["text"], tagger(case["text"])) if not m.own]
        timings.append(time.perf_counter() - begun)
        first = mentions[0] if mentions else None
        found = set(first.metiers) if first else set()
        hits = {c for c in found if c in expected or sheet_rome.get(c, set()) & expected}
        ok = first is not None and ((first.resolved and first.metiers[0] in hits)
                                    or bool(first.ambiguous and case.get("ambiguous") and hits))
        ambiguous_asked += bool(ok and first.ambiguous)
        right += ok
        if not ok:
            misses.append((case["text"], case.get("style"), sorted(expected), first and first.metiers[:3]))
    invented_resolved = []
    for case in heldout["invented"]:
        mentions = [m for m in finder.find(case["text"], tagger(case["text"])) if m.metiers]
        if mentions:
            invented_resolved.append((case["text"], [m.metiers[:2] for m in mentions]))

    names, invented = len(heldout["names"]), len(heldout["invented"])
    print(f"names resolved right: {right}/{names} = {right / names:.1%} "
          f"({ambiguous_asked} by asking among choices); mode: {'text + NLU entities' if args.nlu else 'text only'}")
    print(f"invented métiers resolved (must be 0): {len(invented_resolved)}/{invented}")
    print(f"resolution time per sentence: p50 {statistics.median(timings) * 1000:.2f} ms, "
          f"max {max(timings) * 1000:.2f} ms")
    if args.verbose:
        for text, style, expected, got in misses:
            print(f"  miss [{style}] {text!r}: expected {expected}, got {got}")
        for text, got in invented_resolved:
            print(f"  invented resolved {text!r}: {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
