"""Which ROME 4.0 fiches to suggest: those France Travail links to the person's centres d'intérêt,
or whose RIASEC profile matches theirs, strongest links first, open to their study limit."""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Sequence

from bot.discovery.study import StudyLevels

Fiche = Mapping
# Suggestions per reply.
PER_REPLY = 5


def linked_to_centres(fiches: Iterable[Fiche], centres: Sequence[str]) -> list[str]:
    """Codes of the fiches linked to any of `centres`: linked to more of them first, then those
    whose link France Travail marks principal, then those with more job titles (the broader métiers)."""
    wanted = set(centres)
    ranked = []
    for fiche in fiches:
        links = {i["code"]: i.get("principal", False) for i in fiche.get("interests") or ()}
        shared = wanted & set(links)
        if shared:
            principal = sum(1 for c in shared if links[c])
            ranked.append(((-len(shared), -principal, -len(fiche.get("titles") or ()), fiche["code"]), fiche["code"]))
    return [code for _, code in sorted(ranked)]


def matching_profile(fiches: Iterable[Fiche], letters: Sequence[str]) -> list[str]:
    """Codes of the fiches whose RIASEC profile (major, minor) fits the person's two strongest letters:
    the same two in order, then swapped, then the first letter as major, then the second."""
    first, second = (list(letters) + [None, None])[:2]
    def rank(profile: Mapping) -> Optional[int]:
        major, minor = profile.get("major"), profile.get("minor")
        if (major, minor) == (first, second):
            return 0
        if (major, minor) == (second, first):
            return 1
        if major == first:
            return 2
        if major == second:
            return 3
        return None
    ranked = []
    for fiche in fiches:
        r = rank(fiche.get("riasec") or {})
        if r is not None:
            ranked.append(((r, fiche["code"]), fiche["code"]))
    return [code for _, code in sorted(ranked)]


def next_suggestions(ordered: Sequence[str], ranks: Mapping[str, Optional[int]], study: StudyLevels,
                     limit: Optional[int], shown: Iterable[str] = (), count: int = PER_REPLY) -> list[str]:
    """The next `count` of `ordered` not yet shown and open to the study limit (`ranks`: each fiche's level)."""
    seen = set(shown)
    picked = []
    for code in ordered:
        if code not in seen and study.open_to(ranks.get(code), limit):
            picked.append(code)
            if len(picked) == count:
                break
    return picked
