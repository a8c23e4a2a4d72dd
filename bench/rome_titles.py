#!/usr/bin/env python
"""Every ROME 4.0 fiche asked about by its title: intent and métier found, per question form.

Three questions per fiche (what it is, its training, its salary), the title written as a person
would (one gender, no parenthesis, lower case); the fiches that a hand-made sheet answers are
left out. Prints, per form, how often the model gives the intended topic and how often the
resolver finds the fiche (or offers it among its choices). Not a held-out set: titles are the
knowledge itself, and data/nlu/generated/rome-examples.yml trains on some of them.

Usage: .venv/bin/python bench/rome_titles.py [models/boussole.tar.gz]   (about 2 minutes)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.answers.message import question_from_message  # noqa: E402
from bot.answers.turn import resolve_turn  # noqa: E402
from bot.knowledge import shared_knowledge  # noqa: E402
from bot.nlu_eval import load_agent  # noqa: E402

FORMS = {
    "ask_definition": "c'est quoi le métier de {} ?",
    "ask_training": "quelle formation pour devenir {} ?",
    "ask_salary": "combien gagne un {} ?",
}


def title(fiche) -> str:
    return re.sub(r"\s*\([^)]*\)", "", fiche["names"][0]).strip().lower()


def main() -> None:
    kb = shared_knowledge((ROOT / "data" / "knowledge").resolve())
    agent = load_agent(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "models" / "boussole.tar.gz")
    own = {s.rome_fiche for s in kb.sheets.values()}
    codes = sorted(c for c in kb.fiches if c not in own)

    async def score() -> collections.Counter:
        counts: collections.Counter = collections.Counter()
        for intent, form in FORMS.items():
            for code in codes:
                message = await agent.parse_message(form.format(title(kb.fiches[code])))
                counts[(intent, "intent")] += message["intent"]["name"] == intent
                turn = resolve_turn(kb, question_from_message(message, kb))
                counts[(intent, "fiche")] += code in turn.metiers or code in turn.choices
        return counts

    with contextlib.redirect_stdout(io.StringIO()):
        counts = asyncio.run(score())
    for intent, form in FORMS.items():
        print(f"{form!r:40} intent {counts[(intent, 'intent')] / len(codes):6.1%}"
              f"  fiche found {counts[(intent, 'fiche')] / len(codes):6.1%}  ({len(codes)} fiches)")


if __name__ == "__main__":
    main()
