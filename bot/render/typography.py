"""French typography for replies: no-break spaces where French wants them.

The Imprimerie nationale's rules, as readers expect them on screen: a narrow
no-break space (U+202F) before ; ! ? and between groups of digits, a no-break
space (U+00A0) before : and », after «, and between a number and its unit
(€, %). So « 2 660 € » or « Source : » never break at the end of a line.
Addresses are left alone (« https://…?q= » keeps its colon and question mark),
and the function is idempotent: a reply can go through it twice.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
_ANY_SPACE = f"[ {NBSP}{NARROW_NBSP}]"

_ADDRESS = re.compile(r"https?://[^\s<>()\[\]]+")
_RULES = [
    # « ; ! ? » after a word or a closing sign: narrow no-break space, whatever space was there.
    (re.compile(rf"(?<=[\w»)\]…]){_ANY_SPACE}*([;!?]+)(?=\s|$|[»)\]\"'])"), lambda m: NARROW_NBSP + m.group(1)),
    # « : » after a word: no-break space (« 10:30 », « M1855:… » have no space and a digit after).
    (re.compile(rf"(?<=[\w»)\]…]){_ANY_SPACE}*:(?=\s|$)"), lambda m: NBSP + ":"),
    (re.compile(rf"(?<=[\w»)\]…]){_ANY_SPACE}+:(?=\S)"), lambda m: NBSP + ":"),
    # Guillemets hold their words with no-break spaces.
    (re.compile(rf"«{_ANY_SPACE}*"), lambda m: "«" + NBSP),
    (re.compile(rf"{_ANY_SPACE}*»"), lambda m: NBSP + "»"),
    # Groups of three digits: « 2 660 », « 1 584 » (a plain space between digits only).
    (re.compile(rf"(?<=\d){_ANY_SPACE}(?=\d{{3}}(?!\d))"), lambda m: NARROW_NBSP),
    # A number and its unit.
    (re.compile(rf"(?<=\d){_ANY_SPACE}+(?=k?€|%)"), lambda m: NBSP),
]


def _spaced(prose: str) -> str:
    for pattern, replacement in _RULES:
        prose = pattern.sub(replacement, prose)
    return prose


def french(text: str) -> str:
    """The text with French no-break spaces; web addresses untouched."""
    pieces, last = [], 0
    for address in _ADDRESS.finditer(text):
        pieces += [_spaced(text[last:address.start()]), address.group()]
        last = address.end()
    pieces.append(_spaced(text[last:]))
    return "".join(pieces)


def plain_spaces(text: str) -> str:
    """The text with its no-break spaces as ordinary spaces (to compare a rendered reply with a stored one)."""
    return text.replace(NBSP, " ").replace(NARROW_NBSP, " ")
