"""Checks the frozen held-out set of métier names (tests/data/rome_names_heldout.yml).

Only the file's shape and its agreement with ROME 4.0 are checked here; the
resolver is measured against it in the benchmark (issue 18, item 7).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

HELDOUT = Path(__file__).resolve().parents[1] / "data" / "rome_names_heldout.yml"
# The copy of ROME 4.0 the knowledge is imported from (data/knowledge/sources/rome).
ROME_DIR = Path(__file__).resolve().parents[2] / "data" / "knowledge" / "sources" / "rome"
STYLES = {
    "plain", "sms", "typo", "feminine", "plural", "abbreviation",
    "long_sentence", "no_accents", "everyday",
}
CODE = re.compile(r"^[A-N]\d{4}$")


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("’", "'").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


def _rows(name: str) -> list[dict[str, str]]:
    """A ROME CSV: every field quoted, apostrophes doubled, blank lines between records."""
    with (ROME_DIR / name).open(encoding="utf-8", newline="") as handle:
        return [
            {k: (v or "").replace("''", "'") for k, v in row.items()}
            for row in csv.DictReader(handle)
            if row and any(row.values())
        ]


def _gender_forms(label: str) -> set[str]:
    """« Masseur / Masseuse kinésithérapeute » -> the label, both genders."""
    forms = {label}
    parts = label.split(" / ")
    if len(parts) == 2:
        left, right = parts[0].split(), parts[1].split()
        forms.add(parts[1])
        forms.add(" ".join(left + right[len(left):]) if len(right) > len(left) else parts[0])
    return forms


@pytest.fixture(scope="module")
def heldout() -> dict:
    return yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rome_codes() -> set[str]:
    return {row["code_rome"] for row in _rows("unix_referentiel_code_rome_v460_utf8.csv")}


@pytest.fixture(scope="module")
def rome_names() -> set[str]:
    labels = [row["libelle_rome"] for row in _rows("unix_referentiel_code_rome_v460_utf8.csv")]
    for row in _rows("unix_referentiel_appellation_v460_utf8.csv"):
        labels += [row["libelle_appellation_long"], row["libelle_appellation_court"]]
    return {_norm(form) for label in labels for form in _gender_forms(label)}


def test_sizes(heldout):
    assert heldout["version"] == 1
    assert len(heldout["names"]) >= 300
    assert len(heldout["invented"]) >= 50


def test_entries_are_well_formed(heldout):
    for entry in heldout["names"]:
        assert set(entry) <= {"text", "rome", "name", "style", "ambiguous", "not"}, entry
        assert entry["style"] in STYLES, entry
        assert entry["rome"] and all(CODE.match(code) for code in entry["rome"]), entry
        if entry.get("ambiguous"):
            assert len(entry["rome"]) >= 2, entry
        assert not set(entry.get("not") or []) & set(entry["rome"]), entry
    for entry in heldout["invented"]:
        assert set(entry) <= {"text", "name", "style"}, entry
    texts = [e["text"].lower() for e in heldout["names"] + heldout["invented"]]
    assert len(texts) == len(set(texts)), "duplicate sentences"


def test_name_occurs_in_text(heldout):
    for entry in heldout["names"] + heldout["invented"]:
        assert entry["name"].lower() in entry["text"].lower(), entry


def test_every_code_is_a_rome_fiche(heldout, rome_codes):
    for entry in heldout["names"]:
        for code in entry["rome"] + (entry.get("not") or []):
            assert code in rome_codes, (code, entry["text"])


def test_invented_names_are_not_rome_names(heldout, rome_names):
    for entry in heldout["invented"]:
        assert _norm(entry["name"]) not in rome_names, entry["name"]
