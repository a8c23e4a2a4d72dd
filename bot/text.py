"""Text normalisation shared by the knowledge loader, job lookup and NLU data."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00ab": '"', "\u00bb": '"'})
_SPACES = re.compile(r"\s+")


def squash(text: str) -> str:
    """Unify apostrophes, quotes and spacing; keep case and accents."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_APOSTROPHES)).strip()


def strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )


def fold(text: str) -> str:
    """Lower-case, accent-free, punctuation-light form used for matching."""
    text = strip_accents(squash(text)).lower()
    text = re.sub(r"[^\w'+&-]+", " ", text)
    return _SPACES.sub(" ", text).strip()
