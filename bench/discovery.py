"""Score métier discovery (intent and centre d'intérêt) on the frozen held-out set.

    .venv/bin/python bench/discovery.py [--model PATH] [--no-nlu] [-v] [--json]

tests/data/discovery_heldout.yml was written before the discovery feature and
is never copied into training data (see its header). Figures:

- intent: share of `discovery` sentences the trained model classifies as a
  discovery request (`discover`, `discover_more` or `riasec_test`), share of
  `not_discovery` sentences it does not, and the accuracy over both lists;
- interest: for `discovery` sentences with acceptable codes, the share whose
  first resolved centre is acceptable and the share where one of the first two
  is; for `interest: []` sentences, the share where nothing is resolved (the
  assistant should ask). The resolver (bot.discovery.interests.InterestFinder)
  gets the `interest` entities of the model, or none with `--no-nlu`.

Only aggregate figures are printed, no sentence, unless `-v` is given. `--json`
adds the figures as one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter is not a figure
HOME = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HOME))

HELDOUT = HOME / "tests" / "data" / "discovery_heldout.yml"
KNOWLEDGE = HOME / "data" / "knowledge"
MODELS = HOME / "models"
DISCOVERY_INTENTS = {"discover", "discover_more", "riasec_test"}


class NoModel(Exception):
    """No usable trained model."""


def newest_model(folder: Path = MODELS) -> Path:
    models = sorted(folder.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    if not models:
        raise NoModel(f"no trained model in {folder} (run `rasa train` first or pass --model PATH)")
    return models[-1]


def nlu_parser(model: Path):
    """The trained model's intent and `interest` entity values for a text (Rasa's own NLU, loaded once).

    Same pattern as bench/resolve_names.py, whose nlu_parser() is bound to one
    model path and returns job entities only.
    """
    import asyncio
    import contextlib
    import io

    from rasa.core.agent import Agent

    if not model.is_file():
        raise NoModel(f"model not found: {model}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Rasa's structlog prints every parse, sentence included
            agent = Agent.load(str(model))
    except Exception as error:  # a corrupt or incompatible archive
        raise NoModel(f"cannot load model {model}: {type(error).__name__}: {error}".splitlines()[0]) from error
    loop = asyncio.new_event_loop()

    def parse(text: str) -> tuple[str | None, list[str]]:
        with contextlib.redirect_stdout(io.StringIO()):
            parsed = loop.run_until_complete(agent.parse_message(text))
        intent = (parsed.get("intent") or {}).get("name")
        values = [str(e["value"]) for e in parsed.get("entities", []) if e.get("entity") == "interest"]
        return intent, values

    return parse


def interest_finder():
    """The centre-of-interest resolver `(text, values) -> codes`, or None with the reason when it is not there yet."""
    try:
        from bot.discovery.conversation import tools
        from bot.knowledge import shared_knowledge

        finder = tools(shared_knowledge(KNOWLEDGE.resolve())).interests  # as the service loads it
    except Exception as error:  # not written yet, or its data is missing
        return None, f"{type(error).__name__}: {error}".splitlines()[0]
    return finder.centres_in, None


def share(right: int, total: int) -> float | None:
    return right / total if total else None


def shown(right: int, total: int) -> str:
    return f"{right}/{total} = {right / total:.1%}" if total else "0/0 = n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="trained model archive (default: the newest in models/)")
    parser.add_argument("--no-nlu", action="store_true",
                        help="skip the model: resolve interests from the text only, no intent figures")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every failure (sentence, expected, got)")
    parser.add_argument("--set", type=Path, default=HELDOUT,
                        help="the sentences to score (default: the frozen held-out set; bench/data/discovery_dev.yml "
                             "is the development set, the one to read failures of)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object on the last line")
    args = parser.parse_args()

    heldout = yaml.safe_load(args.set.read_text(encoding="utf-8"))
    discovery, not_discovery = heldout["discovery"], heldout["not_discovery"]
    figures: dict = {"heldout_version": heldout.get("version"), "mode": "text only" if args.no_nlu else "text + NLU",
                     "model": None, "intent": None, "interest": None}
    failures: list[str] = []

    parse = None
    if not args.no_nlu:
        try:
            model = args.model if args.model else newest_model()
            started = time.perf_counter()
            parse = nlu_parser(model)
        except NoModel as error:
            print(error, file=sys.stderr)
            return 2
        figures["model"] = str(model)
        print(f"model: {model} (loaded in {time.perf_counter() - started:.1f} s)")

    parsed: dict[str, tuple[str | None, list[str]]] = {}
    if parse:
        for case in discovery + not_discovery:
            parsed[case["text"]] = parse(case["text"])
        found = sum(parsed[c["text"]][0] in DISCOVERY_INTENTS for c in discovery)
        rejected = sum(parsed[c["text"]][0] not in DISCOVERY_INTENTS for c in not_discovery)
        total = len(discovery) + len(not_discovery)
        figures["intent"] = {
            "discovery": share(found, len(discovery)), "discovery_n": len(discovery),
            "not_discovery": share(rejected, len(not_discovery)), "not_discovery_n": len(not_discovery),
            "accuracy": share(found + rejected, total), "n": total,
        }
        print(f"intent: discovery sentences classified as discovery: {shown(found, len(discovery))}")
        print(f"intent: not_discovery sentences not classified as discovery: {shown(rejected, len(not_discovery))}")
        print(f"intent: accuracy over both lists: {shown(found + rejected, total)}")
        for case in discovery:
            got = parsed[case["text"]][0]
            if got not in DISCOVERY_INTENTS:
                failures.append(f"  intent miss {case['text']!r}: expected discovery, got {got}")
        for case in not_discovery:
            got = parsed[case["text"]][0]
            if got in DISCOVERY_INTENTS:
                failures.append(f"  intent false discovery {case['text']!r}: expected not discovery, got {got}")
    else:
        print("intent: skipped (--no-nlu)")

    resolve, reason = interest_finder()
    if resolve is None:
        print("interest: resolver not available")
        if args.verbose:
            print(f"  ({reason})")
    else:
        with_interest = [c for c in discovery if c.get("interest")]
        without = [c for c in discovery if not c.get("interest")]
        first_ok = any_ok = asked = 0
        for case in with_interest:
            values = parsed[case["text"]][1] if parse else []
            codes = [str(c) for c in resolve(case["text"], values)]
            acceptable = {str(c) for c in case["interest"]}
            first_ok += bool(codes) and codes[0] in acceptable
            hit = any(c in acceptable for c in codes[:2])
            any_ok += hit
            if not hit or codes[0] not in acceptable:
                failures.append(f"  interest miss {case['text']!r}: expected one of {sorted(acceptable, key=int)}, "
                                f"got {codes[:2]} (entities {values})")
        for case in without:
            values = parsed[case["text"]][1] if parse else []
            codes = [str(c) for c in resolve(case["text"], values)]
            asked += not codes
            if codes:
                failures.append(f"  interest invented {case['text']!r}: expected none (ask), got {codes[:2]} "
                                f"(entities {values})")
        figures["interest"] = {
            "first_acceptable": share(first_ok, len(with_interest)),
            "top2_acceptable": share(any_ok, len(with_interest)), "with_interest_n": len(with_interest),
            "none_resolved_when_none_given": share(asked, len(without)), "without_interest_n": len(without),
        }
        print(f"interest: first resolved centre acceptable: {shown(first_ok, len(with_interest))}; "
              f"mode: {figures['mode']}")
        print(f"interest: an acceptable centre among the first two: {shown(any_ok, len(with_interest))}")
        print(f"interest: nothing resolved when no interest is given (asks): {shown(asked, len(without))}")

    if args.verbose:
        for line in failures:
            print(line)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
