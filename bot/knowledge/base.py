"""Read-only access to the loaded sheets: find a métier by any of its names."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Callable, Hashable, Mapping, Optional, Sequence

from bot.knowledge.catalogue import Catalogue, CatalogueEntry
from bot.knowledge.schema import Aspect, Sheet
from bot.text import fold

# Below this similarity a typed name is not taken for a known métier name.
_FUZZY_CUTOFF = 0.85


class KnowledgeBase:
    def __init__(self, sheets: Sequence[Sheet], aspects: Mapping[str, Aspect], catalogue: Optional[Catalogue] = None,
                 fiches: Sequence[Mapping[str, Any]] = (), directory: Optional[Path] = None,
                 families: Optional[Mapping[str, Mapping[str, Any]]] = None):
        self.sheets = {sheet.id: sheet for sheet in sheets}
        # The Dares' families of métiers by code (bot/knowledge/dares.py), when imported.
        self.families = dict(families or {})
        self.aspects = dict(aspects)
        # France Travail's ROME 4.0 fiches by code (bot/knowledge/rome.py), when imported.
        self.fiches: dict[str, Mapping[str, Any]] = {fiche["code"]: fiche for fiche in fiches}
        self.directory = directory  # where the name files of the resolver live (data/knowledge/names/)
        # ONISEP's index: the métiers recognised without a sheet (bot/knowledge/catalogue.py).
        self.catalogue = catalogue or Catalogue()
        self._by_reference = {s.source.reference: s for s in sheets if s.source.reference}
        self._derived: dict = {}
        self._names = {
            fold(name): sheet.id for sheet in sheets for name in (sheet.id, sheet.title, *sheet.all_names())
        }

    def derived(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """An index built from these sheets once (a fact search, say), kept as long as they are."""
        if key not in self._derived:
            self._derived[key] = build()
        return self._derived[key]

    @property
    def finder(self):
        """Which métiers a text names, over every name of every source (bot/resolve/), built once."""
        from bot.resolve.mentions import MentionFinder
        from bot.resolve.names import build_index

        return self.derived("finder", lambda: MentionFinder(build_index(
            self.directory, list(self.sheets.values()), list(self.fiches.values()), self.catalogue)))

    def salary_families(self, code: str) -> list[Mapping[str, Any]]:
        """The Dares' families of a ROME fiche with a median, closest first (bot/knowledge/dares.py)."""
        from bot.knowledge import dares

        def build() -> list[Mapping[str, Any]]:
            by_rome = self.derived("families_by_rome", lambda: dares.families_by_rome(self.families))
            fiche = self.fiches[code]
            codes = dares.families_of(fiche, by_rome)
            return [self.families[c] for c in dares.closest_first(fiche, codes, self.families, self.finder.index.grammar)]

        # Asked several times per salary turn (reply, refs, reply check): ranked once per fiche.
        return self.derived(("salary_families", code), build)

    def get(self, sheet_id: Optional[str]) -> Optional[Sheet]:
        return self.sheets.get(sheet_id) if sheet_id else None

    def only_sheet(self) -> Optional[Sheet]:
        """The sheet questions default to when no métier was named, if unambiguous."""
        return next(iter(self.sheets.values())) if len(self.sheets) == 1 else None

    def find_job(self, name: str) -> Optional[Sheet]:
        """The sheet a typed job name designates (exact, then close spelling)."""
        key = fold(name)
        if key in self._names:
            return self.sheets[self._names[key]]
        close = difflib.get_close_matches(key, list(self._names), n=1, cutoff=_FUZZY_CUTOFF)
        return self.sheets[self._names[close[0]]] if close else None

    def sheet_of(self, entry: CatalogueEntry) -> Optional[Sheet]:
        """The sheet written from this index entry's fiche (its MET id), if any."""
        return self._by_reference.get(entry.id)

    def sheet_named_in_part(self, text: str) -> Optional[Sheet]:
        """The one sheet a piece of its names points to: « faire du machine learning », « en ML ».

        A piece is two words or more of a name (« machine learning » of « ingé machine
        learning »), or one word written in capitals (« ML »); it counts only if it
        belongs to the names of a single sheet (« big data » is in two).
        """
        own = self.derived("name_pieces", self._name_pieces)
        tokens = fold(text).split()
        capitals = {fold(w) for w in text.split() if len(w) >= 2 and w.isupper()}
        found = {own[piece] for size in range(2, 5) for start in range(len(tokens) - size + 1)
                 if (piece := " ".join(tokens[start:start + size])) in own}
        found |= {own[w] for w in capitals if w in own}
        return self.sheets[found.pop()] if len(found) == 1 else None

    def _name_pieces(self) -> dict[str, str]:
        """Each piece of a name that belongs to one sheet's names only, with that sheet's id."""
        pieces: dict[str, set] = {}
        linking = self.finder.index.grammar.linking  # a piece that starts or ends with one says nothing (« en big data »)
        for name, sheet_id in self._names.items():
            words = name.split()
            for size in range(1, len(words)):
                for start in range(len(words) - size + 1):
                    piece = words[start:start + size]
                    if piece[0] not in linking and piece[-1] not in linking:
                        pieces.setdefault(" ".join(piece), set()).add(sheet_id)
        return {piece: ids.pop() for piece, ids in pieces.items() if len(ids) == 1}

    def titles(self) -> list[str]:
        return [sheet.title for sheet in self.sheets.values()]
