"""France Travail's ROME 4.0: one record per fiche, read from the published CSV set.

`boussole import rome DIR` copies the files this module reads (FILES) from a
RefRomeCsv release into data/knowledge/sources/rome/ and writes every fiche,
with generic code, to data/knowledge/index/rome-fiches.json: titles in both
genders, job titles, definition, missions, access, skills, work contexts,
sectors, mobilities, tags, centres d'intérêt (the strongest marked principal)
and RIASEC profile; the 30 centres d'intérêt themselves head the file. Nothing of a fiche is written by hand; a new
release is a new import. The CSV quirks (doubled apostrophes, blank lines,
one file in cp1252) are the README's of the release.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator, Union

from bot.errors import Errors, KnowledgeError
from bot.knowledge import generated
from bot.knowledge.catalogue import gender_forms

FICHES_FILE = Path("index") / "rome-fiches.json"
SOURCES_DIR = Path("sources") / "rome"
ATTRIBUTION = "Source : France Travail, ROME 4.0"
FICHE_URL = "https://candidat.francetravail.fr/metierscope/fiche-metier/{code}"
# The files of the release the import reads (and copies beside the knowledge).
FILES = {
    "fiches": "unix_referentiel_code_rome_v460_utf8.csv",
    "titles": "unix_referentiel_appellation_v460_utf8.csv",
    "texts": "unix_texte_v460_utf8.csv",
    "links": "unix_liens_rome_referentiels_v460_utf8.csv",
    "items": "unix_item_v460_utf8.csv",
    "core": "unix_coherence_item_v460_utf8.csv",
    "contexts": "unix_referentiel_contexte_travail_v460_utf8.csv",
    "sectors": "unix_arborescence_secteur_activite_v460_utf8.csv",
    "mobilities": "unix_rubrique_mobilite_v460_utf8.csv",
    "interests": "unix_centre_interet_v460_utf8.csv",
    "interest_links": "unix_arborescence_centre_interet_v460_utf8.csv",
    "riasec": "unix_referentiel_code_rome_riasec_v460_utf8.csv",
    "version": "version.txt",
}
# ROME's codes in unix_liens_rome_referentiels: block 5 is the skills (rubrique 1 savoir-faire,
# 2 savoir-être professionnels, 3 savoirs), block 6 the work contexts.
_SKILLS_BLOCK, _CONTEXTS_BLOCK = "5", "6"
SKILL_KINDS = {"1": "savoir_faire", "2": "savoir_etre", "3": "savoirs"}
_KIND_ORDER = {"savoir_faire": 0, "savoir_etre": 1, "savoirs": 2}


def _rows(folder: Path, key: str) -> Iterator[dict[str, str]]:
    """The records of one file, apostrophes undoubled, blank lines skipped."""
    path = folder / FILES[key]
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                if None in row or None in row.values():
                    raise KnowledgeError([Errors.E031.format(file=path, item=f"line {reader.line_num}",
                                                             reason="the record has the wrong number of fields")])
                if any(row.values()):
                    yield {name: value.replace("''", "'").strip() for name, value in row.items()}
    except OSError as exc:
        raise KnowledgeError([Errors.E001.format(file=path, reason=exc.strerror or exc)]) from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeError([Errors.E031.format(file=path, item=f"byte {exc.start}", reason="not UTF-8")]) from exc


def _flag(value: str) -> Union[bool, None]:
    """ROME's O / N tags; an empty cell says nothing (None)."""
    return {"O": True, "N": False}.get(value)


def read_release(folder: Union[str, Path]) -> dict[str, Any]:
    """Every fiche of the release in `folder`, by code, in code order, plus the release's version line."""
    folder = Path(folder)
    fiches: dict[str, dict[str, Any]] = {}
    for row in _rows(folder, "fiches"):
        code = row["code_rome"]
        fiches[code] = {
            "code": code,
            "label": row["libelle_rome"],
            "names": gender_forms(row["libelle_rome"]),
            "parent": row["code_rome_parent"] or None,
            "url": FICHE_URL.format(code=code),
            "tags": {
                "cadre": _flag(row["emploi_cadre"]),
                "reglemente": _flag(row["emploi_reglemente"]),
                "transition_eco": row["transition_eco"] or None,
                "transition_num": _flag(row["transition_num"]),
                "transition_demo": _flag(row["transition_demo"]),
            },
            "titles": [], "definition": None, "missions": [], "access": [], "skills": [],
            "conditions": {}, "sectors": [], "mobilities": [], "interests": [], "riasec": None,
        }

    def fiche(code: str, key: str) -> dict[str, Any]:
        if code not in fiches:
            raise KnowledgeError([Errors.E031.format(file=folder / FILES[key], item=code,
                                                     reason="unknown ROME code")])
        return fiches[code]

    for row in _rows(folder, "titles"):
        fiche(row["code_rome"], "titles")["titles"].append({
            "label": row["libelle_appellation_long"],
            "short": row["libelle_appellation_court"],
            "principal": row["classification"] == "PRINCIPALE",
            "rare": row["peu_usite"] == "O",
        })
    _add_texts(folder, fiches, fiche)
    _add_skills_and_contexts(folder, fiche)
    for row in _rows(folder, "sectors"):
        sector = {"label": row["libelle_sect_activite"], "sub": row["libelle_ss_sect_activite"] or None,
                  "principal": row["principal"] == "oui"}
        target = fiche(row["code_rome"], "sectors")["sectors"]
        if sector not in target:
            target.append(sector)
    moves = defaultdict(list)
    for row in _rows(folder, "mobilities"):
        fiche(row["code_rome"], "mobilities")
        moves[row["code_rome"]].append((int(row["numero_ordre"] or 0), row["code_rome_cible"]))
    for code, targets in moves.items():
        fiches[code]["mobilities"] = [{"code": target, "label": fiche(target, "mobilities")["label"]}
                                      for _, target in sorted(targets)]
    interests = _read_interests(folder, fiche)
    for row in _rows(folder, "riasec"):
        fiche(row["code_rome"], "riasec")["riasec"] = {"major": row["riasec_majeur"] or None,
                                                       "minor": row["riasec_mineur"] or None}
    for record in fiches.values():
        record["titles"].sort(key=lambda t: (not t["principal"], t["rare"]))
        record["interests"].sort(key=lambda i: not i["principal"])  # the strongest links first
        record["sectors"].sort(key=lambda s: not s["principal"])  # principal first, else the file's order
    version = (folder / FILES["version"]).read_text(encoding="utf-8").strip().splitlines()
    return {"source": ATTRIBUTION, "release": version[0] if version else "", "interests": interests,
            "fiches": [fiches[code] for code in sorted(fiches)]}


def _read_interests(folder: Path, fiche) -> list[dict[str, Any]]:
    """ROME's centres d'intérêt (code, label, definition), and each fiche's, `principal` for the strongest."""
    interests = {row["code_centre_interet"]: {"code": row["code_centre_interet"], "label": row["libelle_centre_interet"],
                                              "definition": row["definition_centre_interet"]}
                 for row in _rows(folder, "interests")}
    for row in _rows(folder, "interest_links"):
        if row["code_centre_interet"] not in interests:
            raise KnowledgeError([Errors.E031.format(file=folder / FILES["interest_links"], item=row["code_rome"],
                                                     reason=f"unknown centre d'intérêt {row['code_centre_interet']!r}")])
        fiche(row["code_rome"], "interest_links")["interests"].append(
            {"code": row["code_centre_interet"], "principal": row["principal"] == "oui"})
    return sorted(interests.values(), key=lambda i: int(i["code"]) if i["code"].isdigit() else 0)


def _add_texts(folder: Path, fiches: dict, fiche) -> None:
    """Definition (first sentence), missions (the next ones) and access, in ROME's order."""
    sentences: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(folder, "texts"):
        fiche(row["code_rome"], "texts")
        sentences[row["code_rome"], row["libelle_type_texte"]].append((int(row["position_phrase"]), row["libelle_texte"]))
    for (code, kind), numbered in sentences.items():
        ordered = [text for _, text in sorted(numbered)]
        if kind == "definition":
            fiches[code]["definition"], fiches[code]["missions"] = ordered[0], ordered[1:]
        elif kind == "acces_metier":
            fiches[code]["access"] = ordered


def _add_skills_and_contexts(folder: Path, fiche) -> None:
    """Skills (core savoir-faire first, then savoir-être, then savoirs) and work contexts by type."""
    items = {row["code_ogr"]: row["libelle"] for row in _rows(folder, "items")}
    contexts = {row["code_ogr"]: (row["code_type_cont_trav"], row["libelle_type_cont_trav"], row["libelle_cont_travail"])
                for row in _rows(folder, "contexts")}
    core = {(row["code_rome"], row["code_ogr"]) for row in _rows(folder, "core") if row["coeur_metier"] == "Principale"}
    skills: dict[str, list] = defaultdict(list)
    found: dict[str, list] = defaultdict(list)
    for row in _rows(folder, "links"):
        code, ogr = row["code_rome"], row["code_ogr"]
        if row["code_compo_bloc"] == _SKILLS_BLOCK and row["code_rubrique"] in SKILL_KINDS:
            if ogr not in items:
                raise KnowledgeError([Errors.E031.format(file=folder / FILES["links"], item=f"{code} {ogr}",
                                                         reason="no label in the items file")])
            skills[code].append({"label": items[ogr], "kind": SKILL_KINDS[row["code_rubrique"]],
                                 "core": (code, ogr) in core})
        elif row["code_compo_bloc"] == _CONTEXTS_BLOCK and ogr in contexts:
            found[code].append(contexts[ogr])
    for code, listed in skills.items():
        unique = list({skill["label"]: skill for skill in listed}.values())
        fiche(code, "links")["skills"] = sorted(unique, key=lambda s: (_KIND_ORDER[s["kind"]], not s["core"]))
    for code, listed in found.items():
        groups: dict[str, list[str]] = {}
        for _, kind, label in sorted(listed, key=lambda c: c[0]):  # ROME's order of context types
            if label not in groups.setdefault(kind, []):
                groups[kind].append(label)
        fiche(code, "links")["conditions"] = groups


def render(release: dict[str, Any]) -> str:
    """The file's text: stable (sorted codes, fixed key order), one fiche per line for readable diffs."""
    return generated.render(release, "fiches")


def sources_fingerprint(folder: Union[str, Path]) -> str:
    """Hash of the files the import reads: the generated fiches are stale when it changes."""
    return generated.fingerprint(folder, FILES.values())


def import_release(folder: Union[str, Path], knowledge_dir: Union[str, Path]) -> Path:
    """Copy the release's files beside the knowledge and write the fiches generated from them."""
    folder, knowledge_dir = Path(folder), Path(knowledge_dir)
    release = read_release(folder)  # read (and refused) before anything is copied
    generated.copy_files(folder, knowledge_dir / SOURCES_DIR, FILES.values())
    return generate(knowledge_dir, release)


def generate(knowledge_dir: Union[str, Path], release: Union[dict[str, Any], None] = None) -> Path:
    """Write the fiches from the copied sources (the generated file is not kept in git: it is 15 MB)."""
    knowledge_dir = Path(knowledge_dir)
    sources = knowledge_dir / SOURCES_DIR
    release = release or read_release(sources)
    release = {"source": release["source"], "release": release["release"],
               "sources_sha256": sources_fingerprint(sources), "interests": release["interests"],
               "fiches": release["fiches"]}
    target = knowledge_dir / FICHES_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(release), encoding="utf-8")
    return target


def is_up_to_date(knowledge_dir: Union[str, Path]) -> bool:
    """The generated fiches match the copied sources (True when ROME is not imported at all)."""
    knowledge_dir = Path(knowledge_dir)
    sources, target = knowledge_dir / SOURCES_DIR, knowledge_dir / FICHES_FILE
    if not (sources / FILES["fiches"]).is_file():
        return True
    if not target.is_file():
        return False
    return _header(target).get("sources_sha256") == sources_fingerprint(sources)


def _header(path: Path) -> dict[str, Any]:
    """The generated file's first line: everything but the fiches (read without loading 15 MB)."""
    with path.open(encoding="utf-8") as handle:
        return json.loads(handle.readline().rstrip().removesuffix(', "fiches": [') + "}")


def load_interests(knowledge_dir: Union[str, Path]) -> list[dict[str, Any]]:
    """ROME's 30 centres d'intérêt (code, label, definition), from the generated file's header line."""
    path = Path(knowledge_dir) / FICHES_FILE
    return _header(path).get("interests", []) if path.is_file() else []


def load_fiches(knowledge_dir: Union[str, Path]) -> list[dict[str, Any]]:
    """The imported fiches (empty when ROME was never imported)."""
    path = Path(knowledge_dir) / FICHES_FILE
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["fiches"]
