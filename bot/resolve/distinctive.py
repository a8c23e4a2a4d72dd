"""A proper noun only one sheet's facts write (« Berkeley », « Londres ») points to that sheet.

« Tu peux m'en dire plus sur le certificat Python de Berkeley ? » names no métier,
but only one source speaks of Berkeley: in a conversation with no métier yet, the
question is about that sheet. Common words never do this (« quelles études ? »
names no sheet): a term counts only if a source capitalises it inside a sentence,
a single sheet writes it, and it is neither a word of ROME's prose nor of a
métier's name.
"""

from __future__ import annotations

import re
from typing import Iterable, Optional

from bot.knowledge.base import KnowledgeBase
from bot.text import fold

# A capitalised word of four letters or more (shorter ones are acronyms of many trades: « IA », « BTS »).
_PROPER_NOUN = re.compile(r"\b[A-ZÀ-Þ][\w-]{3,}")
_SENTENCE = re.compile(r"(?<=[.!?…:;])\s+")


def _proper_nouns(texts: Iterable[str]) -> set[str]:
    found = set()
    for text in texts:
        for sentence in _SENTENCE.split(text):
            found |= {fold(m.group()) for m in _PROPER_NOUN.finditer(sentence) if m.start() > 0}
    return found


def _terms(kb: KnowledgeBase) -> dict[str, str]:
    """Each distinctive proper noun, with the one sheet that writes it."""
    index = kb.finder.index
    common = index.prose_words | set(index.by_word)
    sheets_of: dict[str, set[str]] = {}
    for sheet in kb.sheets.values():
        for noun in _proper_nouns(t for fact in sheet.all_facts() for t in (fact.text, fact.source)):
            sheets_of.setdefault(noun, set()).add(sheet.id)
    return {noun: ids.pop() for noun, ids in sheets_of.items()
            if len(ids) == 1 and noun not in common and not set(index.grammar.words(noun)) & common}


def sheet_of_distinctive_term(kb: KnowledgeBase, text: str, besides: Iterable[str] = ()) -> Optional[str]:
    """The one sheet whose distinctive proper nouns the text uses; `besides` (a region the NLU read) aside."""
    terms = kb.derived("distinctive_terms", lambda: _terms(kb))
    skipped = {fold(b) for b in besides if b}
    words = {w for w in re.findall(r"[\w-]+", fold(text)) if w not in skipped}
    found = {terms[w] for w in words if w in terms}
    return found.pop() if len(found) == 1 else None
