"""What is wrong in the discovery data (data/knowledge/discovery/), for `boussole check` and start-up:
each problem names the file, the entry and what it should be."""

from __future__ import annotations

from pathlib import Path
from typing import Union

import yaml

from bot.discovery.interests import INTERESTS_FILE
from bot.discovery.riasec import Quiz
from bot.discovery.study import StudyLevels
from bot.errors import Errors
from bot.knowledge import rome


def discovery_problems(knowledge_dir: Union[str, Path]) -> list[str]:
    knowledge_dir = Path(knowledge_dir)
    problems = []
    centres = {str(c["code"]) for c in rome.load_interests(knowledge_dir)}
    path = knowledge_dir / INTERESTS_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        return [Errors.E037.format(file=path, field="(file)", reason=f"cannot be read ({exc})")]
    known = f"a centre code of the imported ROME 4.0, 1 to {len(centres)}"
    if centres:
        for phrase, codes in (doc.get("words") or {}).items():
            for code in [str(c) for c in codes or ()] or ["(none)"]:
                if code not in centres:
                    problems.append(Errors.E037.format(file=path, field=f"words['{phrase}']",
                                                       reason=f"'{code}' is not {known}"))
        grouped = [str(c) for g in doc.get("groups") or () for c in g.get("centres") or ()]
        for code in grouped:
            if code not in centres:
                problems.append(Errors.E037.format(file=path, field="groups", reason=f"'{code}' is not {known}"))
        for code in sorted(centres - set(grouped), key=int):
            problems.append(Errors.E037.format(file=path, field="groups", reason=f"centre {code} has no group (no button)"))
    for name, load in (("study levels", StudyLevels.load), ("quiz", Quiz.load)):
        try:
            load(knowledge_dir)
        except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
            problems.append(Errors.E037.format(file=knowledge_dir / "discovery", field=name, reason=str(exc)))
    return problems
