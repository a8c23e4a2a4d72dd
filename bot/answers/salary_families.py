"""The Dares' medians for a métier known by its ROME fiche: said as its families' figures, never its own.

Each figure carries who (full-time employees of a named family), what (median,
net, monthly), when (the period) and where it comes from; the caveats say that a
median is no beginner's salary and that a family groups neighbouring métiers.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from bot.answers import templates as T
from bot.answers.question import Question
from bot.knowledge import dares
from bot.knowledge.base import KnowledgeBase


def latest_median(family: Mapping[str, Any]) -> tuple[str, int]:
    """The family's most recent period and its median (« 2017-2019 », 1558)."""
    period = max(family["medians"], key=lambda p: p.split("-")[-1])
    return period, family["medians"][period]


def amount(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def median_line(family: Mapping[str, Any]) -> str:
    period, median = latest_median(family)
    return T.fill("DARES_MEDIAN", family=family["label"], amount=amount(median), period=period)


def fiche_salary_lines(kb: KnowledgeBase, code: str, question: Question) -> list[str]:
    """What a fiche's salary question gets: ROME gives none, the Dares' families' medians, what the
    figures say of the facets asked (net, per month, seniority, region), the caveats, the Dares'
    source; only the first sentence when no family of the fiche has a median."""
    fiche = kb.fiches[code]
    families = kb.salary_families(code)
    if not families:
        return [T.fill("ROME_NO_SALARY", code=code, label=fiche["label"])]
    return [T.fill("DARES_INTRO", code=code, label=fiche["label"]), *map(median_line, families),
            *asked_lines(families, question), T.fill("DARES_CAVEAT"), dares_credit(kb)]


def context_lines(kb: KnowledgeBase, code: Optional[str], question: Question) -> list[str]:
    """After a sheet's own figure: its ROME fiche's family medians, labelled as context, and that the
    two do not compare as they stand."""
    families = kb.salary_families(code) if code in kb.fiches else []
    if not families:
        return []
    return [T.fill("DARES_CONTEXT", code=code), *map(median_line, families), *asked_lines(families, question),
            T.fill("DARES_CAVEAT"), T.fill("DARES_NOT_COMPARABLE"), dares_credit(kb)]


def asked_lines(families: Sequence[Mapping[str, Any]], question: Question) -> list[str]:
    """The facets of the question the Dares' figures answer, or say they do not distinguish."""
    asked = set(question.aspects)
    # « brut ou net ? »: the sentence on gross says the figures are net; « par mois ou par an ? » likewise.
    asked -= {"net"} if "brut" in asked else set()
    asked -= {"mensuel"} if "annuel" in asked else set()
    lines = [T.fill("DARES_ASKED", a) for a in ("net", "brut", "mensuel", "annuel") if a in asked]
    if question.experience_level:
        lines.append(T.fill("DARES_ASKED", "level", asked=question.experience_level))
    if question.region:
        lines.append(T.fill("DARES_ASKED", "region", asked=question.region))
    return lines


def family_refs(kb: KnowledgeBase, code: str) -> list[str]:
    """« dares:S0Z42 » for each family said, for a later « tu tiens ça d'où ? »."""
    return [f"dares:{family['code']}" for family in kb.salary_families(code)] if code in kb.fiches else []


def source_lines(kb: KnowledgeBase, refs: Sequence[str]) -> list[str]:
    """The Dares' credit for each family the last answer quoted."""
    lines = []
    for ref in refs:
        kind, _, code = ref.partition(":")
        if kind == "dares" and code in kb.families:
            period, _ = latest_median(kb.families[code])
            lines.append(T.fill("DARES_SOURCE", family=kb.families[code]["label"], period=period, url=dares.PAGE_URL))
    return list(dict.fromkeys(lines))


def family_salary_line(kb: KnowledgeBase, code: str) -> Optional[str]:
    """One métier among several: its closest family's median, or None when it has none."""
    families = kb.salary_families(code)
    if not families:
        return None
    period, median = latest_median(families[0])
    return T.fill("DARES_SALARY_OF", title=kb.fiches[code]["label"], family=families[0]["label"],
                  amount=amount(median), period=period)


def salary_caveats(kb: KnowledgeBase, metiers: Sequence[str]) -> list[str]:
    """Under several métiers' salaries: what a family median is, and that a sheet's beginner's gross
    figure and a family's net median do not compare, when both are said."""
    fiches = [m for m in metiers if m not in kb.sheets and kb.salary_families(m)]
    if not fiches:
        return []
    lines = [T.fill("DARES_CAVEAT")]
    if any(m in kb.sheets for m in metiers):
        lines.append(T.fill("DARES_NOT_COMPARABLE"))
    return lines + [dares_credit(kb)]


def dares_credit(kb: KnowledgeBase) -> str:
    return T.fill("DARES_CREDIT", source=dares.ATTRIBUTION, url=dares.PAGE_URL)
