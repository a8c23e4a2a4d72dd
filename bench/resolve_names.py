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
from dataclasses import dataclass, field
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


@dataclass
class Score:
    """What the resolver got right on a set of named and invented métiers."""

    right: int = 0
    ambiguous_asked: int = 0
    timings: list = field(default_factory=list)
    misses: list = field(default_factory=list)  # (text, style, expected codes, first mention's métiers)
    invented_resolved: list = field(default_factory=list)  # (text, métiers of each mention)


def is_right(first, case: dict, sheet_rome: dict) -> bool:
    """The first mention resolves to an expected fiche (or a sheet of one), or, for a name
    several fiches share, asks among choices that include one."""
    expected = set(case["rome"])
    found = set(first.metiers) if first else set()
    hits = {c for c in found if c in expected or sheet_rome.get(c, set()) & expected}
    return first is not None and ((first.resolved and first.metiers[0] in hits)
                                  or bool(first.ambiguous and case.get("ambiguous") and hits))


def score(finder, doc: dict, tagger, sheet_rome: dict) -> Score:
    """Each name of `doc["names"]` judged on the first mention that is not the person's own job;
    each sentence of `doc["invented"]` (a text or {text: ...}) must resolve nothing."""
    result = Score()
    for case in doc.get("names") or ():
        begun = time.perf_counter()
        mentions = [m for m in finder.find(case["text"], tagger(case["text"])) if not m.own]
        result.timings.append(time.perf_counter() - begun)
        first = mentions[0] if mentions else None
        ok = is_right(first, case, sheet_rome)
        result.ambiguous_asked += bool(ok and first.ambiguous)
        result.right += ok
        if not ok:
            result.misses.append((case["text"], case.get("style"), sorted(case["rome"]), first and first.metiers[:3]))
    for case in doc.get("invented") or ():
        text = case if isinstance(case, str) else case["text"]
        mentions = [m for m in finder.find(text, tagger(text)) if m.metiers]
        if mentions:
            result.invented_resolved.append((text, [m.metiers[:2] for m in mentions]))
    return result


def report(result: Score, doc: dict, mode: str, verbose: bool) -> None:
    names, invented = len(doc.get("names") or ()), len(doc.get("invented") or ())
    if names:
        print(f"names resolved right: {result.right}/{names} = {result.right / names:.1%} "
              f"({result.ambiguous_asked} by asking among choices); mode: {mode}")
    print(f"invented métiers resolved (must be 0): {len(result.invented_resolved)}/{invented}")
    if result.timings:
        print(f"resolution time per sentence: p50 {statistics.median(result.timings) * 1000:.2f} ms, "
              f"max {max(result.timings) * 1000:.2f} ms")
    if verbose:
        for text, style, expected, got in result.misses:
            print(f"  miss [{style}] {text!r}: expected {expected}, got {got}")
        for text, got in result.invented_resolved:
            print(f"  invented resolved {text!r}: {got}")


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

    result = score(finder, heldout, tagger, sheet_rome)
    report(result, heldout, "text + NLU entities" if args.nlu else "text only", args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
