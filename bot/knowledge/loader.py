"""Load and validate the knowledge directory; refuse it whole if anything is wrong.

Layout: `aspects.yml` (the shared facet vocabulary) and one `<sheet-id>.yml`
per métier, whose quoted sources live in files named by `source.file`.
Every problem is reported with its file, field path and line, all at once,
so an operator fixes a file in one pass.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional, Union

import yaml
from pydantic import ValidationError

from bot.errors import Errors, KnowledgeError
from bot.knowledge.base import KnowledgeBase
from bot.knowledge import dares, rome
from bot.knowledge.catalogue import load_catalogue
from bot.knowledge.schema import SECTIONS, AspectVocabulary, Sheet
from bot.text import fold, squash

log = logging.getLogger(__name__)

ASPECTS_FILE = "aspects.yml"
Path_ = tuple[Union[str, int], ...]


def load_knowledge(directory: Union[str, Path]) -> KnowledgeBase:
    """Read every file of `directory`; raise KnowledgeError listing all problems."""
    directory = Path(directory)
    errors: list[str] = []
    aspects_path = directory / ASPECTS_FILE
    aspects_doc = _read_yaml(aspects_path, errors)
    vocabulary = _parse(aspects_path, aspects_doc, AspectVocabulary, errors)
    if vocabulary is not None:
        _check_aspect_topics(aspects_path, aspects_doc, vocabulary, errors)

    sheet_paths = sorted(p for p in directory.glob("*.yml") if p.name != ASPECTS_FILE)
    if not sheet_paths:
        errors.append(Errors.E011.format(directory=directory))
    sheets: list[Sheet] = []
    for path in sheet_paths:
        doc = _read_yaml(path, errors)
        sheet = _parse(path, doc, Sheet, errors)
        if sheet is None:
            continue
        problems = _check_sheet(path, doc, sheet, vocabulary, aspects_path)
        errors.extend(problems)
        if not problems:
            sheets.append(sheet)
    errors.extend(_check_across_sheets(sheet_paths, sheets))
    fiches = rome.load_fiches(directory)
    errors.extend(_check_rome_fiches(directory, sheets, fiches))
    if errors:
        raise KnowledgeError(errors)
    log.info("knowledge.loaded sheets=%s rome_fiches=%d", [s.id for s in sheets], len(fiches))
    return KnowledgeBase(sheets, vocabulary.aspects, load_catalogue(directory), fiches, directory,
                         dares.load_families(directory))


def _check_rome_fiches(directory: Path, sheets: list[Sheet], fiches: list) -> list[str]:
    """A sheet's `rome_fiche` must be an imported fiche (when ROME 4.0 is imported at all)."""
    if not fiches:
        return []
    codes = {fiche["code"] for fiche in fiches}
    return [Errors.E035.format(file=directory / f"{s.id}.yml", code=s.rome_fiche, fiches=directory / rome.FICHES_FILE)
            for s in sheets if s.rome_fiche and s.rome_fiche not in codes]


@lru_cache(maxsize=4)
def shared_knowledge(directory: Union[str, Path]) -> KnowledgeBase:
    """This process's one copy of a knowledge directory, with its name index built: the public
    service and the actions it runs read the same (1,600 fiches are not loaded twice)."""
    kb = load_knowledge(directory)
    kb.finder  # built at start-up rather than on the first question
    return kb


class _Located:
    """A YAML document with its node tree, to report the line of a field."""

    def __init__(self, data: Any, root: Optional[yaml.Node]):
        self.data = data
        self.root = root

    def line(self, path: Path_) -> str:
        """Line of the deepest node of `path` that exists (1-based)."""
        node = self.root
        for key in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                child = next((v for k, v in node.value if k.value == key), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                child = node.value[key]
            if child is None:
                break
            node = child
        return str(node.start_mark.line + 1) if node is not None else "?"


def _read_yaml(path: Path, errors: list[str]) -> Optional[_Located]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(Errors.E001.format(file=path, reason=exc))
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else "?"
        errors.append(Errors.E002.format(file=path, line=line, reason=getattr(exc, "problem", exc)))
        return None
    if not isinstance(data, dict):
        errors.append(Errors.E003.format(file=path, kind=type(data).__name__))
        return None
    return _Located(data, root)


def _parse(path: Path, doc: Optional[_Located], model: type, errors: list[str]):
    if doc is None:
        return None
    try:
        return model.parse_obj(doc.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            errors.append(
                Errors.E004.format(file=path, field=_dotted(loc), line=doc.line(loc), reason=err["msg"])
            )
        return None


def _dotted(path: Iterable[Union[str, int]]) -> str:
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _check_aspect_topics(path: Path, doc: _Located, vocabulary: AspectVocabulary, errors: list[str]) -> None:
    owners: dict[str, str] = {}
    for name, aspect in vocabulary.aspects.items():
        for i, term in enumerate(aspect.terms):
            other = owners.setdefault(fold(term), name)
            if other != name:
                loc = ("aspects", name, "terms", i)
                errors.append(Errors.E014.format(file=path, field=_dotted(loc), line=doc.line(loc), term=term, other=other))
        for i, topic in enumerate(aspect.topics):
            if topic not in SECTIONS:
                loc = ("aspects", name, "topics", i)
                errors.append(
                    Errors.E012.format(
                        file=path, field=_dotted(loc), line=doc.line(loc), topic=topic, sections=", ".join(SECTIONS)
                    )
                )


def _fact_locations(sheet: Sheet):
    """Yield (field path, fact) for every fact of the sheet, as written in YAML."""
    for section in SECTIONS:
        if section == "salary":
            for part in ("figures", "caveats"):
                for i, fact in enumerate(getattr(sheet.salary, part)):
                    yield ("salary", part, i), fact
        elif section == "comparisons":
            for c, comparison in enumerate(sheet.comparisons):
                for i, fact in enumerate(comparison.facts):
                    yield ("comparisons", c, "facts", i), fact
        else:
            for i, fact in enumerate(getattr(sheet, section)):
                yield (section, i), fact


def _check_sheet(path: Path, doc: _Located, sheet: Sheet, vocabulary, aspects_path: Path) -> list[str]:
    errors: list[str] = []
    if sheet.id != path.stem:
        errors.append(Errors.E013.format(file=path, sheet_id=sheet.id, stem=path.stem))
    source_path = (path.parent / sheet.source.file).resolve()
    source_text = None
    if not source_path.is_file():
        loc = ("source", "file")
        errors.append(Errors.E008.format(file=path, field=_dotted(loc), line=doc.line(loc), source_file=source_path))
    else:
        source_text = squash(source_path.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for loc, fact in _fact_locations(sheet):
        field = _dotted(loc)
        if fact.id in seen:
            errors.append(
                Errors.E005.format(file=path, field=field + ".id", line=doc.line(loc + ("id",)), fact_id=fact.id, first=seen[fact.id])
            )
        seen.setdefault(fact.id, field)
        for a, aspect in enumerate(fact.aspects):
            if vocabulary is not None and aspect not in vocabulary.aspects:
                aloc = loc + ("aspects", a)
                errors.append(
                    Errors.E006.format(file=path, field=_dotted(aloc), line=doc.line(aloc), aspect=aspect, aspects_file=aspects_path)
                )
        if source_text is not None and squash(fact.source) not in source_text:
            sloc = loc + ("source",)
            quote = fact.source if len(fact.source) <= 90 else fact.source[:87] + "..."
            errors.append(
                Errors.E007.format(file=path, field=_dotted(sloc), line=doc.line(sloc), source_file=source_path.name, quote=quote)
            )
    return errors


def _check_across_sheets(paths: list[Path], sheets: list[Sheet]) -> list[str]:
    errors: list[str] = []
    by_id: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for sheet in sheets:
        file = next(p for p in paths if p.stem == sheet.id)
        if sheet.id in by_id:
            errors.append(Errors.E009.format(file=file, sheet_id=sheet.id, other=by_id[sheet.id]))
        by_id[sheet.id] = str(file)
        for i, name in enumerate([sheet.title, *sheet.all_names()]):
            key = fold(name)
            owner = by_name.get(key)
            if owner is not None and owner != sheet.id:
                errors.append(
                    Errors.E010.format(file=file, field=f"names[{max(i - 1, 0)}]", line="?", name=name, other=owner)
                )
            by_name[key] = sheet.id
    return errors
