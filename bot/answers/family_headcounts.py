"""The Dares' headcounts for a métier known by its ROME fiche: how many people its families employed.

« ça recrute ? », « il y a de l'avenir ? »: neither France Travail nor the Dares
forecasts, so the reply says what the families' headcounts did between the first
and last years published, names each family, and says that the past is no forecast.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

from bot.answers import templates as T
from bot.answers.salary_families import amount, dares_credit
from bot.knowledge import dares
from bot.knowledge.base import KnowledgeBase

# A family whose headcount moved by less than this share either way is said stable: the
# Enquête Emploi is a survey, a few per cent is within its noise.
STABLE_WITHIN = 0.05


def people(thousands: float) -> str:
    """« 144 100 » for the Dares' 144.1 (thousands of people in employment)."""
    return amount(round(thousands * 1000))


def span(family: Mapping[str, Any]) -> Optional[tuple[str, float, str, float]]:
    """The family's first and last years published, with their headcounts; None without two years."""
    years = sorted(family.get("headcounts") or {})
    if len(years) < 2:
        return None
    first, last = years[0], years[-1]
    return first, family["headcounts"][first], last, family["headcounts"][last]


def trend(first_count: float, last_count: float) -> str:
    if first_count <= 0:
        return "flat" if last_count <= 0 else "up"
    change = (last_count - first_count) / first_count
    if abs(change) < STABLE_WITHIN:
        return "flat"
    return "up" if change > 0 else "down"


def counted_families(kb: KnowledgeBase, code: str) -> list[Mapping[str, Any]]:
    """The fiche's families (closest first, as for its salary) with two years of headcounts."""
    return [f for f in kb.salary_families(code) if span(f)] if code in kb.fiches else []


def headcount_line(family: Mapping[str, Any]) -> str:
    first, first_count, last, last_count = span(family)
    return T.fill("DARES_HEADCOUNT", family=family["label"], first=first, first_count=people(first_count),
                  last=last, last_count=people(last_count), trend=T.fill("DARES_TREND", trend(first_count, last_count)))


def outlook_lines(kb: KnowledgeBase, code: str) -> list[str]:
    """The families' headcounts, that they forecast nothing, and the Dares' credit; nothing without one."""
    families = counted_families(kb, code)
    if not families:
        return []
    return [T.fill("DARES_HEADCOUNT_INTRO", code=code), *map(headcount_line, families),
            T.fill("DARES_NO_FORECAST"), dares_credit(kb)]


def headcount_refs(kb: KnowledgeBase, code: str) -> list[str]:
    """« dares-emploi:S0Z42 » for each family counted, for a later « tu tiens ça d'où ? »."""
    return [f"dares-emploi:{family['code']}" for family in counted_families(kb, code)]


def source_lines(kb: KnowledgeBase, refs: Sequence[str]) -> list[str]:
    lines = []
    for ref in refs:
        kind, _, code = ref.partition(":")
        if kind == "dares-emploi" and code in kb.families and span(kb.families[code]):
            first, _, last, _ = span(kb.families[code])
            lines.append(T.fill("DARES_HEADCOUNT_SOURCE", family=kb.families[code]["label"], first=first, last=last,
                                url=dares.PAGE_URL))
    return list(dict.fromkeys(lines))


def headcount_text(family: Mapping[str, Any]) -> list[str]:
    """What the reply check may find said of a family's headcounts (years and counts as said)."""
    found = span(family)
    if not found:
        return []
    first, first_count, last, last_count = found
    return [f"{people(first_count)} personnes en {first}", f"{people(last_count)} en {last}", f"{first}-{last}"]
