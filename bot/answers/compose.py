"""Compose Boussole's French reply to one question from the knowledge sheets.

Pure functions: a `Question` (intent, entities, context) in, a `Reply` out.
Honesty rules (DESIGN.md): only facts of the sheet; a facet the sheet lacks
is named with a plain "ma source ne dit rien"; a job without a sheet is named
back with the list of known jobs and no figure of another job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Optional, Sequence

from bot.answers import templates as T
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.schema import LEVELS, Fact, SalaryFigure, Sheet
from bot.text import fold

_VOWELS = set("aeiouyhéèêëàâîïôöûü")


@dataclass(frozen=True)
class Question:
    intent: str
    text: str = ""
    jobs: Sequence[str] = ()
    aspects: Sequence[str] = ()
    experience_level: Optional[str] = None
    region: Optional[str] = None
    context_job: Optional[str] = None
    last_facts: Sequence[str] = ()


@dataclass
class Reply:
    text: str
    buttons: list[dict] = field(default_factory=list)
    # The job the conversation is now about (a sheet id or a name without a sheet).
    job: Optional[str] = None
    # "sheet_id:fact_id" of every fact quoted, for a later "source ?".
    facts: list[str] = field(default_factory=list)


def de(word: str) -> str:
    """French "de" with elision: d'ingénieur, de plombier."""
    return f"d'{word}" if word[:1].lower() in _VOWELS else f"de {word}"


def known_jobs_sentence(kb: KnowledgeBase) -> str:
    titles = kb.titles()
    template = T.KNOWN_JOBS.get(len(titles), T.KNOWN_JOBS["many"])
    return template.format(jobs=", ".join(titles))


def compose_answer(kb: KnowledgeBase, question: Question) -> Reply:
    if question.intent == "help":
        return Reply(T.HELP.format(known=known_jobs_sentence(kb)), job=question.context_job)
    if question.intent == "list_jobs":
        return _list_jobs(kb, question)

    sheet, others, unknown = _resolve_jobs(kb, question)
    if question.intent == "ask_source":
        return _source(kb, sheet, question)
    section = T.SECTION_OF_INTENT.get(question.intent)
    if section is None:
        raise ValueError(f"intent {question.intent!r} has no answer in the knowledge base")
    if unknown is not None:
        text = T.NO_SHEET.format(name=unknown, known=known_jobs_sentence(kb))
        return Reply(text, job=unknown)
    if sheet is None:
        return Reply(T.WHICH_JOB.format(known=known_jobs_sentence(kb)), job=None)

    if section == "salary":
        lines, facts = _salary(kb, sheet, question)
    elif section == "comparisons":
        lines, facts = _comparison(sheet, others)
    else:
        lines, facts = _section(kb, sheet, section, question.aspects)
    return Reply(
        "\n".join(lines),
        buttons=_suggestions(question.intent),
        job=sheet.id,
        facts=[f"{sheet.id}:{fact.id}" for fact in facts],
    )


def _list_jobs(kb: KnowledgeBase, question: Question) -> Reply:
    """The known métiers; a job named in the question is confirmed or named back."""
    named = [kb.find_job(value) or value for value in question.jobs]
    sheet = next((n for n in named if not isinstance(n, str)), None)
    if sheet is not None:
        return Reply(T.HAS_SHEET.format(de_title=de(sheet.title)), buttons=_suggestions("list_jobs"), job=sheet.id)
    if named:
        return Reply(T.NO_SHEET.format(name=named[0], known=known_jobs_sentence(kb)), job=None)
    # Listing starts over: the next question is about whichever métier the person picks.
    return Reply(f"{known_jobs_sentence(kb)} {T.LIST_JOBS_ASK}", job=None)


def _resolve_jobs(kb: KnowledgeBase, question: Question):
    """(sheet, other job names, unknown job name) for this turn.

    Jobs named in this turn win over the conversation's job; a comparison
    keeps the other named jobs as the terms of the comparison.
    """
    known: list[Sheet] = []
    unnamed: list[str] = []
    for value in question.jobs:
        sheet = kb.find_job(value)
        if sheet is not None:
            if sheet not in known:
                known.append(sheet)
        elif kb.is_name_fragment(value):
            continue  # NLU cut a known name short ("engineer" of "ML engineer")
        elif fold(value) not in {fold(v) for v in unnamed}:
            unnamed.append(value)
    if not known:
        found = kb.find_job_in_text(question.text)
        if found is not None:
            known.append(found)
    context = kb.get(question.context_job)
    if question.intent == "ask_comparison":
        sheet = known[0] if known else context or kb.only_sheet()
        others = [s.title for s in known if s is not sheet] + unnamed
        return sheet, others, None
    if known:
        return known[0], [], None
    if unnamed:
        return None, [], unnamed[0]
    if question.context_job and context is None:
        return None, [], question.context_job  # still talking about a job without a sheet
    return context or kb.only_sheet(), [], None


def _facts_for_aspects(facts: Iterable[Fact], aspects: Sequence[str]) -> list[Fact]:
    """Facts tagged with an asked aspect, most matching aspects first."""
    scored = [(len(set(f.aspects) & set(aspects)), i, f) for i, f in enumerate(facts)]
    return [f for score, _, f in sorted(scored, key=lambda t: (-t[0], t[1])) if score]


def _missing_aspects(kb: KnowledgeBase, section: str, facts: Sequence[Fact], aspects: Sequence[str]) -> list[str]:
    """Asked aspects that belong to this section but that no fact covers."""
    covered = {a for f in facts for a in f.aspects}
    return [
        a for a in dict.fromkeys(aspects)
        if a in kb.aspects and section in kb.aspects[a].topics and a not in covered
    ]


def _as_block(section: str, facts: Sequence[Fact]) -> list[str]:
    if section in T.PARAGRAPH_SECTIONS or len(facts) == 1:
        return [" ".join(f.text for f in facts)]
    return [f"- {f.text}" for f in facts]


def _limits(facts: Iterable[Fact]) -> list[str]:
    return list(dict.fromkeys(f.limits for f in facts if f.limits))


def _section(kb: KnowledgeBase, sheet: Sheet, section: str, aspects: Sequence[str]):
    facts = sheet.section_facts(section)
    names = {"title": sheet.title, "de_title": de(sheet.title)}
    missing = _missing_aspects(kb, section, facts, aspects)
    matched = _facts_for_aspects(facts, aspects)
    lines: list[str] = []
    if matched:
        lines += _as_block(section, matched) + _limits(matched)
    lines += [T.NOTHING_ON_ASPECT.format(label=kb.aspects[a].label) for a in missing]
    if not facts:
        if not missing:
            lines.append(T.NOTHING_ON_SECTION.format(label=T.SECTION_LABEL[section], **names))
        return lines, []
    if matched:
        return lines, matched
    # Nothing precise to say: the whole section, after any gap named above.
    lines += [T.SECTION_INTRO[section].format(**names)] + _as_block(section, facts)
    if missing:
        lines.append(T.NOTHING_MORE)
    return lines, facts


def _with_article(region: str) -> str:
    """l'Île-de-France; other region names are used as written."""
    return f"l'{region}" if region[:1].lower() in _VOWELS else region


def _level_phrase(levels: Iterable[str]) -> str:
    levels = list(dict.fromkeys(levels))
    return " ou ".join(levels)


def _salary(kb: KnowledgeBase, sheet: Sheet, question: Question):
    salary = sheet.salary
    caveats = salary.caveats
    aspects = set(question.aspects)
    if not salary.figures:
        lines = [T.NOTHING_ON_SECTION.format(label=T.SECTION_LABEL["salary"], title=sheet.title, de_title=de(sheet.title))]
        return lines + [c.text for c in caveats], list(caveats)

    if "stage" in aspects:
        about = _facts_for_aspects(caveats, ["stage"])
        if about:
            return [" ".join(f.text for f in about)] + _limits(about), about

    figures: list[SalaryFigure] = list(salary.figures)
    lines: list[str] = []
    level = question.experience_level if question.experience_level in LEVELS else None
    if level and not any(f.level == level for f in figures):
        lines.append(T.SALARY_NO_LEVEL.format(asked=level, known=_level_phrase(f.level for f in figures)))
    elif level:
        figures = [f for f in figures if f.level == level]
    region = question.region
    regional = [f for f in figures if f.region and fold(f.region) == fold(region or "")]
    if region and not regional:
        known = " et ".join(dict.fromkeys(_with_article(f.region) for f in figures if f.region))
        lines.append(T.SALARY_NO_REGION.format(asked=region, known=known or "aucune région"))
    elif regional:
        figures = regional
    lines += [f.text for f in figures]
    lines += _basis_and_period(figures, aspects)
    missing_levels = [lv for lv in LEVELS if not any(f.level == lv for f in salary.figures)]
    if missing_levels and not (level and level in missing_levels):
        lines.append(T.SALARY_ONLY_LEVELS.format(missing=_level_phrase(missing_levels)))
    lines += [c.text for c in caveats]
    return [" ".join(lines)], [*figures, *caveats]


def _basis_and_period(figures: Sequence[SalaryFigure], aspects: set[str]) -> list[str]:
    out: list[str] = []
    bases = {f.basis for f in figures}
    periods = {f.period for f in figures}
    for asked in ("brut", "net"):
        if asked in aspects:
            out.append(T.SALARY_BASIS[asked] if asked in bases else T.SALARY_NO_BASIS.format(known="/".join(sorted(bases)), asked=asked))
    for asked in ("annuel", "mensuel"):
        if asked in aspects:
            out.append(T.SALARY_PERIOD[asked] if asked in periods else T.SALARY_NO_PERIOD.format(known="/".join(sorted(periods)), asked=asked))
    return list(dict.fromkeys(out))


def _comparison(sheet: Sheet, others: Sequence[str]):
    names = {"title": sheet.title, "de_title": de(sheet.title)}
    if not sheet.comparisons:
        return [T.COMPARISON_NONE.format(**names)], []
    lines: list[str] = []
    used: list[Fact] = []
    for other in others:
        match = next((c for c in sheet.comparisons if fold(other) in {fold(n) for n in (c.job, *c.names)}), None)
        if match is None:
            lines.append(T.COMPARISON_MISSING.format(other=other, de_other=de(other), **names))
        elif match.facts[0] not in used:
            lines.append(" ".join(f.text for f in match.facts))
            used += match.facts
    if used:
        return lines, used
    if lines:  # only jobs the sheet does not compare with
        lines.append(T.COMPARISON_AVAILABLE.format(de_others=" ou ".join(de(c.job) for c in sheet.comparisons)))
    for comparison in sheet.comparisons:
        lines.append(" ".join(f.text for f in comparison.facts))
        used += comparison.facts
    return lines, used


def _source(kb: KnowledgeBase, sheet: Optional[Sheet], question: Question) -> Reply:
    sheets = [sheet] if sheet else list(kb.sheets.values())
    lines = []
    for s in sheets:
        doc = s.source
        lines.append(
            T.SOURCE.format(
                de_title=de(s.title),
                doc=doc.title,
                author=doc.author,
                collection=T.SOURCE_COLLECTION.format(collection=doc.collection) if doc.collection else "",
            )
        )
    quotes = []
    for ref in question.last_facts[:3]:
        sheet_id, _, fact_id = ref.partition(":")
        quoted = kb.get(sheet_id)
        fact = quoted.fact(fact_id) if quoted else None
        if fact is not None:
            quotes.append(T.SOURCE_QUOTE.format(quote=fact.source))
    if quotes:
        lines += [T.SOURCE_QUOTE_INTRO] + list(dict.fromkeys(quotes))
    return Reply("\n".join(lines), job=sheet.id if sheet else question.context_job, facts=list(question.last_facts))


def _suggestions(intent: str) -> list[dict]:
    return [{"title": title, "payload": f"/{name}"} for title, name in T.SUGGESTIONS if name != intent]
