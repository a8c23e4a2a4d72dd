"""Find the facts of a sheet that a free question is about, when the classifier cannot tell.

Both searches read the fact texts of one sheet, nothing outside it:

- `mentions(question)`: a term of the question that only a few facts contain
  gets every fact that contains it. A term is a name the sheet writes with a
  capital inside a sentence (a tool, a language, a provider, an employer:
  « Keras », « Berkeley », « Google ») or two content words that follow each
  other in a fact (a domain: « vision par ordinateur », « reconnaissance
  vocale »); a single common word (« bon », « monde ») is not a term;
- `closest(question)`: BM25 (rank_bm25) over the stemmed fact texts; the
  best fact and its score, which the caller compares with its threshold.

Words are folded (no case, no accents), French stop words dropped (spaCy's
list) and stemmed with Snowball's French stemmer, so « écoles » finds
« école » and « recrutent » finds « recruter ».
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional, Sequence

import snowballstemmer
from rank_bm25 import BM25Okapi

from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Fact, Sheet
from bot.text import fold

# A term names something precise only if few facts contain it; "données" is in most.
MAX_TERM_FACTS = 2
# The search reads at most this many characters of a question: its cost grows with the text
# (folding, stemming, pairs), and a 3 MB text sent as a question held the service for 39 s,
# most of it stemming. No channel accepts more than 2,000 characters (BOUSSOLE_MAX_MESSAGE_CHARS
# by default), so a real question is read whole.
MAX_QUESTION_CHARS = 2000
_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    """spaCy's French stop words, read from its data file: importing spaCy costs 6 s and 120 MB."""
    spec = importlib.util.find_spec("spacy")
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / "fr" / "stop_words.py"
    module_spec = importlib.util.spec_from_file_location("_boussole_fr_stop_words", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return frozenset(fold(w) for w in module.STOP_WORDS)


_stemmer = snowballstemmer.stemmer("french")


def stems(text: str) -> list[str]:
    """The content words of `text`, folded and stemmed, in order."""
    words = [w for w in _WORD.findall(fold(text).replace("'", " ")) if w not in _stop_words()]
    return _stemmer.stemWords([w for w in words if len(w) > 1 or "+" in w])


def _pairs(words: Sequence[str]) -> set[str]:
    """Adjacent content stems ("vision ordin" of « vision par ordinateur »)."""
    return {f"{a} {b}" for a, b in zip(words, words[1:])}


def _names(text: str) -> set[str]:
    """Stems of the words written with a capital inside a sentence: names of tools, places, firms."""
    inside = re.finditer(r"(?<![.!?:]\s)(?<!^)\b([A-ZÀ-Ý][\w+#-]*)", text)
    # A compound (« Île-de-France ») is a name as a whole: found as a pair, not by one part.
    return {stem for m in inside if "-" not in m.group(1) for stem in stems(m.group(1))}


@dataclass(frozen=True)
class Match:
    facts: list[Fact]
    terms: list[str]  # the spans of the question that matched, as the person wrote them
    score: float = 0.0
    words: frozenset[str] = frozenset()  # the stems of the question found in the facts


class FactSearch:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.facts = _distinct(sheet.all_facts())
        self._stems = [stems(_searchable(f)) for f in self.facts]
        names = set().union(*(_names(_searchable(f)) for f in self.facts))
        self._terms = [_pairs(s) | (set(s) & names) for s in self._stems]
        self._bm25 = BM25Okapi(self._stems) if self.facts else None

    def mentions(self, question: str) -> Optional[Match]:
        """Facts containing a rare term of the question, the facts with most such terms first."""
        question = question[:MAX_QUESTION_CHARS]
        words = stems(question)
        asked = set(words) | _pairs(words)
        rare = {t for t in asked if 0 < sum(t in terms for terms in self._terms) <= MAX_TERM_FACTS}
        if not rare:
            return None
        found = [rare & terms for terms in self._terms]
        best = max(len(terms) for terms in found)
        kept = [i for i, terms in enumerate(found) if len(terms) == best]
        hit = set().union(*(found[i] for i in kept))
        return Match([self.facts[i] for i in kept], _as_written(question, hit), float(best), frozenset(hit))

    def closest(self, question: str) -> Optional[Match]:
        question = question[:MAX_QUESTION_CHARS]
        words = stems(question)
        if not words or self._bm25 is None:
            return None
        scores = self._bm25.get_scores(words)
        best = max(range(len(scores)), key=lambda i: scores[i])
        if scores[best] <= 0:
            return None
        hit = set(words) & set(self._stems[best])
        return Match([self.facts[best]], _as_written(question, hit), float(scores[best]), frozenset(hit))


def _searchable(fact: Fact) -> str:
    """What a fact is found by: its text, and its provider for a training."""
    return " ".join(filter(None, [fact.text, getattr(fact, "provider", None)]))


def _distinct(facts: Sequence[Fact]) -> list[Fact]:
    """One fact per text: the sheet repeats some facts in two sections (salary, career)."""
    seen: dict[str, Fact] = {}
    for fact in facts:
        seen.setdefault(fold(fact.text), fact)
    return list(seen.values())


def _as_written(question: str, terms: set[str]) -> list[str]:
    """The spans of the question behind the matched stems, as the person wrote them.

    Matched words with only a stop word or two between them form one span
    (« vision par ordinateur »).
    """
    wanted = {w for t in terms for w in t.split()}
    words = re.findall(r"[\w+#]+", question)
    spans: list[list[int]] = []
    for i, word in enumerate(words):
        if _stemmer.stemWord(fold(word)) not in wanted:
            continue
        between = words[spans[-1][1] + 1:i] if spans else []
        if spans and len(between) <= 2 and all(fold(w) in _stop_words() for w in between):
            spans[-1][1] = i
        else:
            spans.append([i, i])
    return list(dict.fromkeys(" ".join(words[start:end + 1]) for start, end in spans))


def fact_search(kb: KnowledgeBase, sheet: Sheet) -> FactSearch:
    """The sheet's search index, built once per loaded knowledge."""
    return kb.derived(("fact_search", sheet.id), lambda: FactSearch(sheet))
