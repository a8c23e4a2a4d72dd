"""Check a reply before it leaves: nothing in it that its sheet does not say.

Every figure (digits or a number word), currency sign, quoted span « … » and
proper noun (a capitalised word inside a sentence) of the reply text must be
found in what the reply may draw on: the sheet it answers from (facts,
quotes, names, source), the titles of every sheet, the aspect labels, and the
question itself (a job name or region the person typed, named back).
A template that slips in a figure or a name of its own fails here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from bot.answers import templates as T
from bot.answers.compose import Question, Reply
from bot.answers.family_headcounts import headcount_text
from bot.answers.fiche import onisep_urls
from bot.knowledge import dares
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import Sheet
from bot.text import fold, squash

# The product's and the publishers' names are the proper nouns a frame may carry (frames.yml).
PRODUCT_NAMES = tuple(T.OWN_NAMES)

_NUMBER = re.compile(r"\d+(?:[  .,]\d+)*")
_CURRENCY = re.compile(r"k€|€|\$|£|\b(?:euros?|EUR|dollars?|USD)\b")
_QUOTED = re.compile(r"«\s*(.+?)\s*»")
_NUMBER_WORDS = frozenset(
    "deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
    "vingt trente quarante cinquante soixante cent cents mille million millions milliard milliards".split()
)
# A capitalised word is a proper noun unless it opens a sentence, a line, a list item or a quote.
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*(?:-\s+)?|«\s*|\(\s*)$")
_CAPITALISED = re.compile(r"\b[A-ZÀ-ÖØ-Þ][\w'’&+-]*")


@dataclass(frozen=True)
class Unsupported:
    kind: str  # figure, currency, quote, name
    value: str


def _digits(text: str) -> set[str]:
    return {re.sub(r"\D", "", m) for m in _NUMBER.findall(text)}


def _corpus_of(sheet: Sheet) -> list[str]:
    doc = sheet.source
    parts = [sheet.title, *sheet.all_names(), *sheet.rome_codes,
             doc.title, doc.author or "", doc.publisher or "", doc.collection or "", doc.url or "", doc.reference or ""]
    for fact in sheet.all_facts():
        parts += [fact.text, fact.source, fact.limits or ""]
        for extra in ("provider", "duration", "cost", "region", "years_after_bac"):
            parts.append(str(getattr(fact, extra, None) or ""))
        if hasattr(fact, "amount"):
            parts += [str(fact.amount), str(fact.amount_max or ""), fact.currency]
    for comparison in sheet.comparisons:
        parts += [comparison.job, *comparison.names]
    return parts


@dataclass(frozen=True)
class _Corpus:
    text: str  # squashed, for currency signs
    folded: str  # " folded words ", for words and quotes
    numbers: frozenset[str]

    @classmethod
    def of(cls, parts: Iterable[str]) -> "_Corpus":
        parts = [squash(p) for p in parts if p]
        text = " ".join(parts)
        folded = fold(text)
        # "d'Azur" is read as "Azur" in a reply: the words after an elision are words too.
        # ROME writes acronyms between hyphens (« -CPGE- »): the words between hyphens too.
        return cls(text, f" {folded} {folded.replace(chr(39), ' ')} {folded.replace('-', ' ')} ",
                   # each part's own figures: joined, « D1102 » and « 1584 » would read as one number
                   frozenset(d for p in parts for d in _digits(p)))

    def __add__(self, other: "_Corpus") -> "_Corpus":
        return _Corpus(f"{self.text} {other.text}", f"{self.folded}{other.folded}", self.numbers | other.numbers)


def _knowledge_corpus(kb: KnowledgeBase, sheets: Sequence[Sheet]) -> _Corpus:
    """Built once per set of sheets: the reply check runs on every turn."""
    def build() -> _Corpus:
        return _Corpus.of([*(part for sheet in sheets for part in _corpus_of(sheet)), *kb.titles(),
                           *(a.label for a in kb.aspects.values()), *PRODUCT_NAMES])
    return kb.derived(("reply_check_corpus", tuple(s.id for s in sheets)), build)


def check_reply(text: str, kb: KnowledgeBase, sheets: Sequence[Sheet], said: Iterable[str] = (),
                fiches: Sequence[str] = ()) -> list[Unsupported]:
    """What `text` asserts that neither `sheets`, the ROME `fiches`, the knowledge's names, nor `said`
    (the question) supports."""
    corpus = _knowledge_corpus(kb, sheets) + _Corpus.of(said)
    for code in fiches:
        corpus = corpus + kb.derived(("fiche_corpus", code), lambda code=code: _Corpus.of(fiche_text(kb, code)))
    folded, numbers = corpus.folded, corpus.numbers
    problems: list[Unsupported] = []

    for number in _NUMBER.findall(text):
        if re.sub(r"\D", "", number) not in numbers:
            problems.append(Unsupported("figure", number))
    for word in re.findall(r"[\w-]+", text):
        if fold(word) in _NUMBER_WORDS and f" {fold(word)} " not in folded:
            problems.append(Unsupported("figure", word))
    for sign in _CURRENCY.findall(text):
        if sign not in corpus.text:
            problems.append(Unsupported("currency", sign))
    for quote in _QUOTED.findall(text):
        if f" {fold(quote)} " not in folded:
            problems.append(Unsupported("quote", quote))
    unquoted = _QUOTED.sub("«»", text)  # a quote is checked whole, not word by word
    for match in _CAPITALISED.finditer(unquoted):
        if _SENTENCE_START.search(unquoted[: match.start()]):
            continue
        name = match.group().rstrip("-")  # « (Commercial Pilote Licence -CPL-) »: the hyphens frame the name
        if f" {fold(name)} " not in folded:
            problems.append(Unsupported("name", name))
    return problems


def question_words(question: Question) -> list[str]:
    """What the person said (or said earlier: the job still discussed), which a reply may name back."""
    return [question.text, *question.jobs, question.region or "", question.experience_level or "",
            question.context_job or ""]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    return []


def fiche_text(kb: KnowledgeBase, code: str) -> list[str]:
    """Everything a ROME fiche says (and ONISEP's links to the same métier, the Dares' figures of its
    families), which a reply may quote."""
    return [*_strings(kb.fiches[code]), *onisep_urls(kb, code), *family_text(kb, code)]


def family_text(kb: KnowledgeBase, code: str) -> list[str]:
    """What the Dares says of a fiche's families: labels, medians in euros per period, headcounts, its credit."""
    families = kb.salary_families(code)
    texts = [dares.ATTRIBUTION, dares.PAGE_URL] if families else []
    for family in families:
        texts += [family["label"], *(f"{median} € en {period}" for period, median in family["medians"].items()),
                  *headcount_text(family)]
    return texts


def check_composed(kb: KnowledgeBase, question: Question, reply: Reply) -> list[Unsupported]:
    """check_reply for a composed reply: its sheets and fiches, the question's words, the métiers it offers."""
    fiches = [i for i in reply.drawn_ids() if i in kb.fiches and i not in kb.sheets]
    said = [*question_words(question), *reply.said, str(len(kb.fiches))]
    return check_reply(reply.text, kb, reply.drawn_from(kb), said, fiches)
