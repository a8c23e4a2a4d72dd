"""Which métiers a question is about: named, written, in context, or to ask for.

A name resolves to a sheet (its names and appellations, then ONISEP's index
entry of its fiche), to an entry of ONISEP's index without a sheet, or to
nothing known. Jobs named in the turn win over the conversation's job; with
several sheets and nothing named, no sheet is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence, Union

from bot.answers.question import Question
from bot.answers.search import fact_search
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.catalogue import CatalogueEntry, name_key
from bot.knowledge.schema import Sheet
from bot.text import fold

# The words around a job name in a follow-up that asks the previous question again:
# « et pour un data analyst ? », « et en data manager alors ? ». Any other word
# (« quoi », « combien », « formation ») makes it a question of its own.
FOLLOW_UP_WORDS = frozenset(
    "et pour un une le la les l d de des du en au aux ce cas alors aussi ok si dans qu est il elle "
    "sinon puis ou bien lui pareil meme idem concernant quant sur c etre devenir".split()
)


_FOLLOW_UP_KEYS = frozenset(name_key(w) for w in FOLLOW_UP_WORDS)


@dataclass(frozen=True)
class Unknown:
    """A job named without a sheet; `entry` when ONISEP's index knows it."""

    name: str
    entry: Optional[CatalogueEntry] = None


@dataclass(frozen=True)
class Jobs:
    """The métiers of this turn: the one answered about, the others named, or the one without a sheet."""

    sheet: Optional[Sheet]
    others: Sequence[Union[Sheet, Unknown]] = ()
    unknown: Optional[Unknown] = None
    named: Sequence[Sheet] = ()


def named_jobs(kb: KnowledgeBase, question: Question) -> tuple[list[Sheet], list[Unknown]]:
    """The sheets and the jobs without a sheet named in this turn, in the order named."""
    known: list[Sheet] = []
    unnamed: list[Unknown] = []
    written = kb.find_jobs_in_text(question.text)
    # The names written whole in the text: NLU's piece of one ("architecte" of "architecte big data") is no other job.
    folded = f" {fold(question.text)} "
    spans = [f" {fold(n)} " for s in written for n in (s.title, *s.all_names()) if f" {fold(n)} " in folded]
    for value in question.jobs:
        if any(f" {fold(value)} " in span and fold(value) != span.strip() for span in spans):
            continue
        sheet = kb.find_job(value)
        entry = kb.catalogue.find(value) or _index_name_around(kb, value, folded) if sheet is None else None
        sheet = sheet or (kb.sheet_of(entry) if entry else None)
        if sheet is not None:
            if sheet not in known:
                known.append(sheet)
        elif entry is None and kb.is_name_fragment(value):
            continue  # NLU cut a known name short ("engineer" of "ML engineer")
        elif fold(value) not in {fold(u.name) for u in unnamed}:
            unnamed.append(Unknown(value, entry))
    # Names the NLU did not tag: « différence entre data scientist et ingé ML ».
    known += [s for s in written if s not in known]
    if not known and not unnamed:
        found = kb.find_job_in_text(question.text)
        entry = kb.catalogue.find_in_text(question.text) if found is None else None
        if found is not None or (entry and kb.sheet_of(entry)):
            known.append(found or kb.sheet_of(entry))
        elif entry is not None:
            unnamed.append(Unknown(entry.names[0], entry))
    return known, unnamed


def _index_name_around(kb: KnowledgeBase, value: str, folded_text: str) -> Optional[CatalogueEntry]:
    """The index métier written whole around NLU's piece of it (« geometre » of « geometre topographe »)."""
    entry = kb.catalogue.find_in_text(folded_text)
    return entry if entry and any(f" {name_key(value)} " in f" {name_key(n)} " for n in entry.names) else None


def resolve_jobs(kb: KnowledgeBase, question: Question) -> Jobs:
    """The métiers of this turn.

    Jobs named in this turn win over the conversation's job; a comparison
    keeps the other named jobs as the terms of the comparison, and compares
    the conversation's job with a single job named (« différence avec un data analyst ? »).
    """
    known, unnamed = named_jobs(kb, question)
    context = context_sheet(kb, question.context_job)
    if question.intent == "ask_comparison":
        if len(known) == 1 and context is not None and context is not known[0]:
            known = [context, known[0]]
        sheet = known[0] if known else context or default_sheet(kb, question)
        return Jobs(sheet, [*(s for s in known if s is not sheet), *unnamed], None, known)
    if known:
        return Jobs(known[0], named=known)
    if unnamed:
        return Jobs(None, unknown=unnamed[0])
    if question.context_job and context is None:
        # still talking about a job without a sheet
        return Jobs(None, unknown=Unknown(question.context_job, kb.catalogue.find(question.context_job)))
    return Jobs(context or default_sheet(kb, question))


def context_sheet(kb: KnowledgeBase, job: Optional[str]) -> Optional[Sheet]:
    """The conversation's job: a sheet id, or a name kept before its sheet existed."""
    if not job:
        return None
    entry = kb.catalogue.find(job)
    return kb.get(job) or kb.find_job(job) or (kb.sheet_of(entry) if entry else None)


def default_sheet(kb: KnowledgeBase, question: Question) -> Optional[Sheet]:
    """With no métier named: the only sheet, the one a piece of its names points to, or the one
    whose facts best match a rare term of the question."""
    only = kb.only_sheet() or (kb.sheet_named_in_part(question.text) if question.text else None)
    if only is not None or not question.text:
        return only
    scores = {s.id: m.score for s in kb.sheets.values() if (m := fact_search(kb, s).mentions(question.text))}
    best = [i for i, score in scores.items() if score == max(scores.values(), default=0)]
    return kb.sheets[best[0]] if len(best) == 1 else None


def as_follow_up(kb: KnowledgeBase, question: Question) -> Question:
    """« et pour un data analyst ? » after a salary answer asks the data analyst's salary."""
    if not question.context_topic or question.intent in ("ask_source", "help"):
        return question
    names = [*question.jobs, *(n for s in kb.find_jobs_in_text(question.text) for n in (s.title, *s.all_names()))]
    if not names:
        return question
    # Matched as the index matches names: plurals and hyphens do not hide « et les data analysts ? ».
    text = f" {name_key(question.text)} "
    rest = text
    for name in sorted({name_key(n) for n in names}, key=len, reverse=True):
        rest = rest.replace(f" {name} ", " ")
    words = rest.replace("'", " ").split()
    if rest == text or not all(w in _FOLLOW_UP_KEYS for w in words):
        return question
    return replace(question, intent=question.context_topic)
