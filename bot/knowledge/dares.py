"""The Dares' « Portrait statistique des métiers »: salaries and headcounts by family of métiers.

`boussole import dares DIR` copies the files this module reads (FILES) into
data/knowledge/sources/dares/ and writes, with generic code, the 225 families
(FAP-2009) to data/knowledge/index/dares-families.json: label, median monthly
net salary of full-time employees per period, people in employment in the first
and last years published, and the ROME codes that make up each family. A ROME 4.0
fiche reaches its families by its code, else its parent's (families_of). A family
is a group of neighbouring métiers: its figure is never a métier's salary.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

from bot.errors import Errors, KnowledgeError
from bot.knowledge import generated

FAMILIES_FILE = Path("index") / "dares-families.json"
SOURCES_DIR = Path("sources") / "dares"
ATTRIBUTION = "Source : Dares, Portrait statistique des métiers (enquêtes Emploi de l'Insee), 2017-2019"
PAGE_URL = "https://dares.travail-emploi.gouv.fr/donnees/portraits-statistiques-des-metiers"
FILES = {
    "salaries": ("salaire_median_3niv.csv", "utf-8", ","),
    "rome": ("fap225_rome.csv", "cp1252", ";"),
    "headcounts": ("effectifs_3niv.csv", "utf-8", ","),
    "labels": ("libelles_fap.csv", "utf-8", ","),
}
# Copied beside the data files for their credit and licence; not read.
_COPIED_TOO = ("README.md",)
# A family of the 225 (« S0Z42 »); shorter codes are domains (« S ») and 87-families (« S0Z »).
_FAMILY_CODE_LENGTH = 5
_MISSING = "NA"


def _rows(folder: Path, key: str) -> Iterator[tuple[int, dict[str, str]]]:
    name, encoding, delimiter = FILES[key]
    path = folder / name
    try:
        with path.open(encoding=encoding, newline="") as handle:
            reader = csv.DictReader(handle, delimiter=delimiter)
            for row in reader:
                if None in row or None in row.values():
                    raise KnowledgeError([Errors.E031.format(file=path, item=f"line {reader.line_num}",
                                                             reason="the record has the wrong number of fields")])
                if any(v.strip() for v in row.values()):  # the file ends with empty records (« ;; »)
                    yield reader.line_num, {k.strip(): v.strip() for k, v in row.items()}
    except OSError as exc:
        raise KnowledgeError([Errors.E001.format(file=path, reason=exc.strerror or exc)]) from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Errors.E031.format(file=path, item=f"byte {exc.start}",
                                                 reason=f"not {encoding}")]) from exc


def _number(folder: Path, key: str, line: int, value: str) -> Optional[float]:
    if value in ("", _MISSING):
        return None
    try:
        return float(value)
    except ValueError:
        raise KnowledgeError([Errors.E031.format(file=folder / FILES[key][0], item=f"line {line}",
                                                 reason=f"{value!r} is not a number")]) from None


def read_release(folder: Union[str, Path]) -> dict[str, Any]:
    """The 225 families of the files in `folder`, by code, with the ROME codes of each."""
    folder = Path(folder)
    families: dict[str, dict[str, Any]] = {}
    for _, row in _rows(folder, "labels"):
        if len(row["fap"]) == _FAMILY_CODE_LENGTH:
            families[row["fap"]] = {"code": row["fap"], "label": row["libelle"], "medians": {},
                                    "headcounts": {}, "rome": []}

    def family(code: str, key: str, line: int) -> dict[str, Any]:
        if code not in families:
            raise KnowledgeError([Errors.E031.format(file=folder / FILES[key][0], item=f"line {line}",
                                                     reason=f"unknown family {code!r} (not in {FILES['labels'][0]})")])
        return families[code]

    for line, row in _rows(folder, "salaries"):
        median = _number(folder, "salaries", line, row["Salaire_median"])  # every row checked, domains too
        if len(row["Fap3"]) == _FAMILY_CODE_LENGTH:
            if median is not None:
                family(row["Fap3"], "salaries", line)["medians"][row["Annee"]] = round(median)
    for line, row in _rows(folder, "rome"):
        if row["Rome"] != _MISSING:
            family(row["Fap"], "rome", line)["rome"].append(row["Rome"])
    headcounts: dict[str, dict[str, float]] = defaultdict(dict)
    for line, row in _rows(folder, "headcounts"):
        for code, value in row.items():
            number = _number(folder, "headcounts", line, value) if code != "Annee" else None
            if len(code) == _FAMILY_CODE_LENGTH and number is not None:
                headcounts[code][row["Annee"]] = number
    for code, years in headcounts.items():
        if code not in families:
            continue  # a column of no published family (T2Z60 in the 2021 files): no label to say it by
        first, last = min(years), max(years)
        # People in employment, in thousands: the first and last years published.
        family(code, "headcounts", 1)["headcounts"] = {first: round(years[first], 1), last: round(years[last], 1)}
    for record in families.values():
        record["rome"] = sorted(set(record["rome"]))
    return {"source": ATTRIBUTION, "url": PAGE_URL, "families": [families[c] for c in sorted(families)]}


def sources_fingerprint(folder: Union[str, Path]) -> str:
    return generated.fingerprint(folder, (name for name, _, _ in FILES.values()))


def import_release(folder: Union[str, Path], knowledge_dir: Union[str, Path]) -> Path:
    """Copy the Dares' files beside the knowledge and write the families generated from them."""
    folder, knowledge_dir = Path(folder), Path(knowledge_dir)
    release = read_release(folder)  # read (and refused) before anything is copied
    names = [name for name, _, _ in FILES.values()] + [n for n in _COPIED_TOO if (folder / n).is_file()]
    generated.copy_files(folder, knowledge_dir / SOURCES_DIR, names)
    return generate(knowledge_dir, release)


def generate(knowledge_dir: Union[str, Path], release: Optional[dict[str, Any]] = None) -> Path:
    knowledge_dir = Path(knowledge_dir)
    sources = knowledge_dir / SOURCES_DIR
    release = release or read_release(sources)
    release = {**{k: v for k, v in release.items() if k != "families"},
               "sources_sha256": sources_fingerprint(sources), "families": release["families"]}
    target = knowledge_dir / FAMILIES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(generated.render(release, "families"), encoding="utf-8")
    return target


def is_up_to_date(knowledge_dir: Union[str, Path]) -> bool:
    """The generated families match the copied sources (True when the Dares is not imported)."""
    knowledge_dir = Path(knowledge_dir)
    sources, target = knowledge_dir / SOURCES_DIR, knowledge_dir / FAMILIES_FILE
    if not (sources / FILES["salaries"][0]).is_file():
        return True
    if not target.is_file():
        return False
    return json.loads(target.read_text(encoding="utf-8")).get("sources_sha256") == sources_fingerprint(sources)


def load_families(knowledge_dir: Union[str, Path]) -> dict[str, dict[str, Any]]:
    """The imported families by code (empty when the Dares was never imported)."""
    path = Path(knowledge_dir) / FAMILIES_FILE
    if not path.is_file():
        return {}
    return {f["code"]: f for f in json.loads(path.read_text(encoding="utf-8"))["families"]}


def families_by_rome(families: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """The families each ROME code sits in, with a median published."""
    by_rome: dict[str, list[str]] = defaultdict(list)
    for code, family in families.items():
        if family["medians"]:
            for rome in family["rome"]:
                by_rome[rome].append(code)
    return dict(by_rome)


def families_of(fiche: Mapping[str, Any], by_rome: Mapping[str, Sequence[str]]) -> list[str]:
    """A ROME 4.0 fiche's families: its code's, else its parent code's (the fiches split from a ROME 3 code)."""
    return list(by_rome.get(fiche["code"]) or by_rome.get(fiche.get("parent") or "", ()))


# « The closest first », written once: at most this many families are said.
MAX_FAMILIES = 3
# Words shared by a family's label and a fiche's names are compared on this many first letters
# (« développeur » and « développement », « plombier » and « plombiers »).
_STEM = 6


def closest_first(fiche: Mapping[str, Any], codes: Sequence[str], families: Mapping[str, Mapping[str, Any]],
                  grammar) -> list[str]:
    """The families to say for a fiche, closest first, at most MAX_FAMILIES: for a fiche ROME tags
    cadre, the families of cadres or engineers (grammar.yml's `senior_family_words`); then those
    whose label shares the most words with the fiche's names; then the Dares' own order."""
    def stems(text: str) -> set[str]:
        return {w[:_STEM] for w in grammar.words(text) if w not in grammar.linking and len(w) > 2}

    names = stems(" ".join([fiche["label"], *(t["label"] for t in fiche.get("titles", ()))]))
    senior = {w[:_STEM] for w in grammar.senior_family_words}

    def rank(code: str) -> tuple:
        label = stems(families[code]["label"])
        is_senior = bool(fiche.get("tags", {}).get("cadre")) and bool(label & senior)
        return (not is_senior, -len(label & names), code)

    return sorted(codes, key=rank)[:MAX_FAMILIES]
