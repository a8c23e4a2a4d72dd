"""Replies from a France Travail ROME 4.0 fiche: one builder per part of the fiche.

A fiche is the dict bot/knowledge/rome.py generates. Each builder returns the
lines of the reply for one topic, under the topic table's `rome` part; the
frames are data (data/answers/frames.yml). The caller adds the source line.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence

from bot.answers import templates as T
from bot.knowledge.base import KnowledgeBase
from bot.knowledge.catalogue import gender_forms
from bot.text import fold

Fiche = Mapping[str, Any]
# A reply lists at most this many items of a long part (skills, sectors); the fiche's link has the rest.
MAX_ITEMS = 8
SKILL_KINDS = ("savoir_faire", "savoir_etre", "savoirs")


def credit(kb: KnowledgeBase, fiche: Fiche) -> list[str]:
    """« Source : France Travail, ROME 4.0, fiche … » and ONISEP's fiche of the same métier, if any."""
    lines = [T.fill("ROME_CREDIT", code=fiche["code"], label=fiche["label"], url=fiche["url"])]
    lines += [T.fill("ONISEP_TOO", url=url) for url in onisep_urls(kb, fiche["code"])[:1]]
    return lines


def onisep_urls(kb: KnowledgeBase, code: str) -> list[str]:
    """ONISEP's fiches linked to this ROME fiche: by its code, or by the ROME 3 code it was split from."""
    def build() -> dict[str, list[str]]:
        parents = {c: f.get("parent") for c, f in kb.fiches.items()}
        children: dict[str, list[str]] = {}
        for child, parent in parents.items():
            if parent and parent != child:
                children.setdefault(parent, []).append(child)
        links: dict[str, list[str]] = {}
        for entry in kb.catalogue.entries:
            for job in entry.rome:
                targets = [job.code] if job.code in kb.fiches else children.get(job.code, [])
                for target in targets:
                    links.setdefault(target, []).append(entry.url)
        return {c: list(dict.fromkeys(urls)) for c, urls in links.items()}
    return kb.derived("onisep_by_rome", build).get(code, [])


def other_title(kb: KnowledgeBase, fiche: Fiche, name: str) -> bool:
    """Whether `name` is one of the fiche's job titles other than its own (« avocat » in « Juriste »)."""
    grammar = kb.finder.index.grammar
    key = " ".join(kb.finder.correct(grammar.words(name)))
    own = {grammar.key(form) for title in (fiche["label"], *fiche.get("names", ())) for form in gender_forms(title)}
    others = {grammar.key(form) for t in fiche.get("titles", ()) for part in ("label", "short") for form in gender_forms(t[part])}
    return key in others and key not in own


def _listed(items: Sequence[str]) -> list[str]:
    return [f"- {item}" for item in items]


def definition(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    return [fiche["definition"]] if fiche.get("definition") else []


def missions(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    return _listed(fiche.get("missions") or [])


def employers(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    sectors = [s["label"] if not s.get("sub") else f"{s['label']} ({s['sub']})" for s in fiche.get("sectors") or []]
    lines = [T.fill("ROME_SECTORS", items=", ".join(dict.fromkeys(sectors[:MAX_ITEMS])))] if sectors else []
    structures = next((items for group, items in (fiche.get("conditions") or {}).items()
                       if fold(group) == fold(T.ROME_STRUCTURES_GROUP)), [])
    return lines + (_listed(structures) if structures else [])


def skills(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    """Core savoir-faire first (the others if none is marked core), then savoir-être, then savoirs."""
    lines: list[str] = []
    every = fiche.get("skills") or []
    shown = 0
    for kind in SKILL_KINDS:
        of_kind = [s for s in every if s["kind"] == kind]
        if kind == "savoir_faire":
            of_kind = [s for s in of_kind if s.get("core")] or of_kind
        kept = list(dict.fromkeys(s["label"] for s in of_kind))[:MAX_ITEMS]
        if kept:
            lines += [T.fill("ROME_SKILL_GROUPS", kind)] + _listed(kept)
            shown += len(kept)
    if shown < len(every):
        lines.append(T.fill("ROME_MORE_SKILLS"))
    return lines


def access(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    return [" ".join(fiche.get("access") or [])] if fiche.get("access") else []


def conditions(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    groups = fiche.get("conditions") or {}
    return [T.fill("ROME_CONDITION_GROUP", group=group, items=", ".join(items)) for group, items in groups.items() if items]


def mobilities(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    return _listed([m["label"] for m in fiche.get("mobilities") or []][:MAX_ITEMS])


def tags(fiche: Fiche, aspects: Sequence[str], kb: KnowledgeBase) -> list[str]:
    """What the fiche's tags say of the métier's place; ROME makes no forecast, and says so."""
    lines: list[str] = []
    for name, value in (fiche.get("tags") or {}).items():
        if name == "transition_eco":
            if value and value != T.ROME_ECO_NONE:
                lines.append(T.fill("ROME_TAGS", name, value=value))
        elif value is True:
            lines.append(T.fill("ROME_TAGS", name))
    return lines + [T.fill("ROME_NO_FORECAST")]


PARTS: Mapping[str, Callable[[Fiche, Sequence[str], KnowledgeBase], list[str]]] = {
    "definition": definition, "missions": missions, "employers": employers, "skills": skills, "access": access,
    "conditions": conditions, "mobilities": mobilities, "tags": tags,
}


def aspect_lines(kb: KnowledgeBase, fiche: Fiche, part: str, aspects: Sequence[str], intent: str) -> list[str]:
    """For each asked aspect of this topic that no item of the part names, a « nothing on it » line."""
    section = T.SECTION_OF_INTENT.get(intent)
    text = f" {fold(' '.join(PARTS[part](fiche, (), kb)))} "
    lines = []
    for name in dict.fromkeys(aspects):
        aspect = kb.aspects.get(name)
        if aspect is None or section not in aspect.topics:
            continue
        if not any(f" {fold(term)} " in text for term in aspect.terms):
            lines.append(T.fill("ROME_NOTHING_ON_ASPECT", code=fiche["code"], label=aspect.label))
    return lines


def part_lines(kb: KnowledgeBase, fiche: Fiche, intent: str, aspects: Sequence[str] = ()) -> Optional[list[str]]:
    """The reply's lines for `intent` from the fiche: intro and items; None when the fiche has nothing on it."""
    topic = T.TOPICS.topic(intent)
    if topic is None or topic.rome == "none":
        return None
    items = PARTS[topic.rome](fiche, aspects, kb)
    if not items:
        return None
    intro = T.fill("ROME_INTRO", intent, label=fiche["label"])
    return aspect_lines(kb, fiche, topic.rome, aspects, intent) + [intro] + items
