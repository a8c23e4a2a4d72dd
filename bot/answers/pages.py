"""A long answer said a few points at a time: the rest comes on « Voir plus ».

A reply's points are its « - » lines. Each is said once (a source that repeats
itself, or two parts that say the same, give one point), at most
`points_per_reply` of them per reply (data/answers/topics.yml). The first page
keeps the reply's sentences; a later one only the points it adds, the headings
they sit under and the source lines, so every page still ends with its source.
Points in a row that open with the same words (« Parmi les formations
recommandées, … ») are said under that opening, once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.render.links import LINK
from bot.text import fold

POINT = "- "
_SOURCE = re.compile(r"^\(?Source\b")
# A shared opening is a clause of a few words closed by a comma.
_OPENING = re.compile(r"^- ([^,:;.]{3,60}), (.+)$")


@dataclass(frozen=True)
class Page:
    text: str
    more: bool  # points remain for the next page


def _is_point(line: str) -> bool:
    return line.startswith(POINT)


def _is_heading(line: str) -> bool:
    return not _is_point(line) and line.rstrip().endswith(":")


def _is_source(line: str) -> bool:
    return bool(_SOURCE.match(line) or LINK.search(line))


def _said_once(lines: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for line in lines:
        if _is_point(line):
            key = fold(line)
            if key in seen:
                continue
            seen.add(key)
        kept.append(line)
    return kept


def _under_shared_openings(lines: list[str]) -> list[str]:
    """« - Parmi X, a. » « - Parmi X, b. » → « Parmi X : » « - a. » « - b. »."""
    result: list[str] = []
    i = 0
    while i < len(lines):
        match = _OPENING.match(lines[i])
        run = [i]
        while match and run[-1] + 1 < len(lines):
            following = _OPENING.match(lines[run[-1] + 1])
            if not following or following.group(1) != match.group(1):
                break
            run.append(run[-1] + 1)
        if len(run) < 2:
            result.append(lines[i])
            i += 1
            continue
        result.append(f"{match.group(1)} :")
        result += [POINT + _OPENING.match(lines[j]).group(2) for j in run]
        i = run[-1] + 1
    return result


def paginate(text: str, page: int, size: int) -> Page:
    """Page `page` (from 1) of the reply `text`, `size` points at most."""
    lines = _said_once(text.split("\n"))
    points = [i for i, line in enumerate(lines) if _is_point(line)]
    shown = set(points[(page - 1) * size: page * size])
    more = len(points) > page * size
    if page == 1 and not more:
        return Page("\n".join(_under_shared_openings(lines)), False)
    kept = []
    for i, line in enumerate(lines):
        if _is_point(line):
            keep = i in shown
        elif _is_heading(line):
            under = []
            for j in range(i + 1, len(lines)):
                if not _is_point(lines[j]):
                    break
                under.append(j)
            # A heading stays with the points it introduces (a sentence ending in « : » before none stays on page 1).
            keep = any(j in shown for j in under) or (page == 1 and not under)
        else:
            keep = page == 1 or _is_source(line)
        if keep:
            kept.append(line)
    return Page("\n".join(_under_shared_openings(kept)), more)
