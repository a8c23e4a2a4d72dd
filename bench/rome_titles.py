#!/usr/bin/env python
"""Every ROME 4.0 fiche asked about by its title: intent and métier found, per question form.

Four questions per fiche (what it is, its training, its salary, and « infos » with no topic), the
title written as a person would (one gender, no parenthesis, lower case); the fiches that a
hand-made sheet answers are left out. Prints, per form, how often the model gives the intended
topic, how often the resolver finds the fiche (or offers it among its choices), and how often
the composed reply is the fiche's (or offers it as a button); then the intents of the misses. Not a held-out set: titles are the
knowledge itself, and data/nlu/generated/rome-examples.yml trains on some of them.

Usage: .venv/bin/python bench/rome_titles.py [models/boussole.tar.gz]   (about 3 minutes)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answers.compose import compose_answer  # noqa: E402
from bot.answers.message import question_from_message  # noqa: E402
from bot.answers.turn import resolve_turn  # noqa: E402
from bot.knowledge import shared_knowledge  # noqa: E402
from bot.nlu_eval import load_agent  # noqa: E402

FORMS = {
    "ask_definition": "c'est quoi le métier de {} ?",
    "ask_training": "quelle formation pour devenir {} ?",
    "ask_salary": "combien gagne un {} ?",
    # No topic: any reply from the fiche is right (the e2e test's first question).
    None: "je voudrais des infos sur le métier de {}",
}


def title(fiche) -> str:
    return re.sub(r"\s*\([^)]*\)", "", fiche["names"][0]).strip().lower()


def actions_intents() -> set[str]:
    """The intents data/rules.yml sends to the answer action (the fallback's rule too)."""
    rules = yaml.safe_load((ROOT / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    return {step["intent"] for rule in rules for step in rule["steps"]
            if "intent" in step and {"action": "action_answer"} in rule["steps"]} | {"nlu_fallback"}


def main() -> None:
    kb = shared_knowledge((ROOT / "data" / "knowledge").resolve())
    agent = load_agent(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "boussole.tar.gz")
    own = {s.rome_fiche for s in kb.sheets.values()}
    to_action = actions_intents()
    codes = sorted(c for c in kb.fiches if c not in own)

    async def score() -> collections.Counter:
        counts: collections.Counter = collections.Counter()
        for intent, form in FORMS.items():
            for code in codes:
                message = await agent.parse_message(form.format(title(kb.fiches[code])))
                counts[(intent, "intent")] += intent is None or message["intent"]["name"] == intent
                question = question_from_message(message, kb)
                turn = resolve_turn(kb, question)
                counts[(intent, "fiche")] += code in turn.metiers or code in turn.choices
                answered = False
                if question.intent in to_action:  # other intents get a response of the domain (utter_deny…)
                    reply = compose_answer(kb, question)
                    answered = reply.job == code or any(f'"job":"{code}"' in b["payload"] for b in reply.buttons)
                counts[(intent, "answered")] += answered
                if not answered:
                    counts[(intent, "missed", message["intent"]["name"])] += 1
        return counts

    with contextlib.redirect_stdout(io.StringIO()):
        counts = asyncio.run(score())
    for intent, form in FORMS.items():
        missed = sorted(((n, k[2]) for k, n in counts.items() if k[:2] == (intent, "missed")), reverse=True)
        print(f"{form!r:45} intent {counts[(intent, 'intent')] / len(codes):6.1%}"
              f"  fiche found {counts[(intent, 'fiche')] / len(codes):6.1%}"
              f"  answered from it {counts[(intent, 'answered')] / len(codes):6.1%}  ({len(codes)} fiches)")
        print("    missed, by intent:", ", ".join(f"{name} {n}" for n, name in missed) or "none")


if __name__ == "__main__":
    main()
