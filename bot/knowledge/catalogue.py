"""ONISEP's index of métiers: every job Boussole recognises, sheet or not.

`boussole import onisep-index FILE` reads ONISEP's open-data XML (« Idéo-Métiers
Onisep », one <item> per métier and publication) and writes one entry per MET id
to data/knowledge/index/onisep-metiers.yml: its label, its masculine and
feminine names, its fiche's address and its ROME code and label. The answers
use it for a métier without a sheet: they name it back with ONISEP's link
instead of saying it is unknown, and never give a figure for it.
"""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable, List, Optional, Union

import yaml
from pydantic import BaseModel, Extra, ValidationError, constr

from bot.errors import Errors, KnowledgeError
from bot.text import fold

log = logging.getLogger(__name__)

INDEX_FILE = Path("index") / "onisep-metiers.yml"
# Who publishes the index, named with each of its links (its licence asks for « Source : Onisep »).
PUBLISHER = "Onisep"
_MET_ID = re.compile(r"MET\.\d+")
# "masseur / masseuse-kinésithérapeute": the gender split is " / ", not "et/ou".
_GENDER_SPLIT = re.compile(r"\s+/\s+")
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")
_WORDS = re.compile(r"[^\s-]+|[\s-]+")
# A name this short or this common is only taken when NLU tags it as a job.
_MIN_SCANNED_WORDS = 2


class RomeJob(BaseModel):
    class Config:
        extra = Extra.forbid

    # ONISEP gives some short codes ("A15", a domain): kept as published.
    code: constr(regex=r"^[A-N][0-9]{2}(?:[0-9]{2})?$")
    label: constr(min_length=1)


class CatalogueEntry(BaseModel):
    class Config:
        extra = Extra.forbid

    id: constr(regex=r"^MET\.\d+$")
    label: constr(min_length=1)
    names: List[constr(min_length=2)]
    url: constr(regex=r"^https?://\S+$")
    rome: List[RomeJob] = []


class CatalogueFile(BaseModel):
    class Config:
        extra = Extra.forbid

    source: str
    metiers: List[CatalogueEntry]


def gender_forms(label: str) -> list[str]:
    """The names a label stands for: "avocat / avocate d'affaires" -> both full forms.

    ONISEP writes the feminine ending after " / ": the side with fewer words
    replaces the same number of words at the start (or the end) of the other.
    """
    forms: list[str] = []
    # "coloriste (textile)" is a coloriste too; "garde (chasse, pêche, …)" lists specialities
    # and a bare "garde" is mostly not a job: no short form for a list.
    short = _PARENTHESIS.sub("", label) if "," not in "".join(_PARENTHESIS.findall(label)) else label
    for text in dict.fromkeys([label, short]):
        parts = _GENDER_SPLIT.split(text.strip())
        if len(parts) == 1:
            forms.append(parts[0])
            continue
        forms += [_one_form(parts, 0), _one_form(parts, 1)] if len(parts) == 2 else _word_by_word(parts)
    return [f for f in dict.fromkeys(" ".join(f.split()) for f in forms) if f]


def _one_form(parts: list[str], keep: int) -> str:
    """The form of `parts[keep]`, completed with the words the other parts share."""
    longest = max(parts, key=lambda p: len(_WORDS.findall(p)))
    mine = _WORDS.findall(parts[keep])
    other = _WORDS.findall(longest)
    if len(mine) >= len(other):
        return parts[keep]
    if keep < parts.index(longest):  # "architecte naval / navale": the head is first, shared
        return "".join(mine + other[len(mine):])
    return "".join(other[: len(other) - len(mine)] + mine)


def _word_by_word(parts: list[str]) -> list[str]:
    """"conseiller / conseillère principal / principale d'éducation": each " / " swaps one word."""
    tokens = [_WORDS.findall(part) for part in parts]
    masculine = tokens[0] + [t for segment in tokens[1:] for t in segment[1:]]
    feminine = [t for segment in tokens[:-1] for t in segment[:-1]] + tokens[-1]
    return ["".join(masculine), "".join(feminine)]


def parse_onisep_index(path: Union[str, Path]) -> list[CatalogueEntry]:
    """One entry per MET id of ONISEP's XML index, in the file's order."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise KnowledgeError([Errors.E001.format(file=path, reason=exc)]) from exc
    entries: dict[str, CatalogueEntry] = {}
    errors: list[str] = []
    for n, item in enumerate(root.iter("item"), start=1):
        fields = {child.tag: (child.text or "").strip() for child in item}
        met = _MET_ID.search(fields.get("lien_site_onisepfr", ""))
        label = fields.get("libelle_metier", "")
        if not met or not label:
            errors.append(Errors.E031.format(file=path, item=n, reason="no libelle_metier or no MET id in lien_site_onisepfr"))
            continue
        if met.group() in entries:
            continue  # the same métier, described by another publication
        entries[met.group()] = CatalogueEntry(
            id=met.group(),
            label=label,
            names=gender_forms(label),
            url=fields["lien_site_onisepfr"],
            rome=_rome_jobs(fields.get("code_rome", ""), fields.get("libelle_rome", "")),
        )
    if errors:
        raise KnowledgeError(errors)
    return list(entries.values())


def _rome_jobs(codes: str, labels: str) -> list[RomeJob]:
    """ROME codes and labels, both " | "-separated in the same order."""
    pairs = zip(_split_bars(codes), _split_bars(labels))
    return [RomeJob(code=code, label=label) for code, label in pairs]


def _split_bars(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def write_catalogue(entries: Iterable[CatalogueEntry], source: Path, path: Path) -> Path:
    doc = {"source": source.name, "metiers": [e.dict(exclude_none=True) for e in entries]}
    path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated by `boussole import onisep-index` from ONISEP's open data\n"
        "# (« Idéo-Métiers Onisep », Source : Onisep). Do not edit: re-run the import.\n"
    )
    path.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    return path


class Catalogue:
    """Find a métier of the index by one of its names (accents and case folded)."""

    def __init__(self, entries: Iterable[CatalogueEntry] = ()):
        self.entries = list(entries)
        self.by_id = {entry.id: entry for entry in self.entries}
        # Keyed by the folded name in the singular, so "avocates" finds "avocate".
        self._by_name: dict[str, CatalogueEntry] = {}
        for entry in self.entries:
            for name in entry.names:
                self._by_name.setdefault(name_key(name), entry)
        # Longest first, so "ingénieur du son" wins over "ingénieur".
        self._scanned = sorted((n for n in self._by_name if len(n.split()) >= _MIN_SCANNED_WORDS), key=len, reverse=True)

    def __len__(self) -> int:
        return len(self.entries)

    def names(self) -> list[str]:
        return [name for entry in self.entries for name in entry.names]

    def find(self, name: str) -> Optional[CatalogueEntry]:
        """The entry called `name`, singular or plural ("avocats", "infirmières")."""
        return self._by_name.get(name_key(name))

    def find_in_text(self, text: str) -> Optional[CatalogueEntry]:
        """An entry whose name of two words or more appears whole in `text`."""
        folded = f" {name_key(text)} "
        return next((self._by_name[n] for n in self._scanned if f" {n} " in folded), None)


def name_key(text: str) -> str:
    """How a name is matched: folded, hyphens as spaces ("sage femme" is "sage-femme"), in the singular."""
    return singular(fold(text).replace("-", " "))


def singular(key: str) -> str:
    """French plural of a folded name, word by word: "avocats d'affaires" -> "avocat d'affaire"."""
    return " ".join(w[:-1] if len(w) > 3 and w[-1] in "sx" and not w.endswith("ss") else w for w in key.split())


def load_catalogue(knowledge_dir: Union[str, Path]) -> Catalogue:
    """The index of data/knowledge/index/, or an empty one when it was never imported."""
    path = Path(knowledge_dir) / INDEX_FILE
    if not path.exists():
        log.info("catalogue.missing path=%s", path)
        return Catalogue()
    try:
        doc = CatalogueFile.parse_obj(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError([Errors.E001.format(file=path, reason=exc)]) from exc
    except ValidationError as exc:
        raise KnowledgeError([
            Errors.E004.format(file=path, field=".".join(map(str, e["loc"])), line="?", reason=e["msg"])
            for e in exc.errors()
        ]) from exc
    return Catalogue(doc.metiers)
