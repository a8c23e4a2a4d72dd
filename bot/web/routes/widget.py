"""GET / (French demo page), /widget.js and /widget.css: the embeddable chat widget.

The demo page is static/index.html with `{{name}}` slots filled when it is
served: what Boussole knows (counts and sources from the loaded knowledge)
and what to try (questions and example métiers of data/web/demo.yml, each
métier's name and sector read from its ROME fiche). Every text is escaped; the
page's inline <style> is left as written, so its CSP hash still matches.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path
from typing import Any, Iterable

import yaml
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from bot.knowledge import catalogue, dares, rome
from bot.knowledge.base import KnowledgeBase
from bot.web.deps import State

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[1] / "static"
DEMO_FILE = Path("data") / "web" / "demo.yml"
router = APIRouter(include_in_schema=False)
# Short cache: a new release reaches embedding sites within minutes.
CACHE = {"Cache-Control": "public, max-age=300"}
_SLOT = re.compile(r"\{\{(\w+)\}\}")
_CREDIT_PREFIX = re.compile(r"^Source\s*:\s*")


def _number(n: int) -> str:
    """1584 -> « 1 584 », digits grouped by a narrow no-break space."""
    return f"{n:,}".replace(",", "\u202f")


def _credit(attribution: str) -> str:
    """« Source : France Travail, ROME 4.0 » -> « France Travail, ROME 4.0 »."""
    return _CREDIT_PREFIX.sub("", attribution)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _link(url: str, text: str) -> str:
    return f'<a href="{_e(url)}">{_e(text)}</a>' if url else _e(text)


def _ask_button(question: str, label: str = "", detail: str = "") -> str:
    """A button that opens the widget and asks `question` (widget.js reads data-boussole-ask)."""
    inner = _e(label or question) + (f' <span class="detail">{_e(detail)}</span>' if detail else "")
    return f'<button type="button" class="ask" data-boussole-ask="{_e(question)}">{inner}</button>'


def _items(fragments: Iterable[str]) -> str:
    return "\n    ".join(f"<li>{f}</li>" for f in fragments)


def _demo_data(home: Path) -> dict[str, Any]:
    path = home / DEMO_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        log.warning("demo.data_unreadable file=%s reason=%s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _example_metiers(kb: KnowledgeBase, entries: list) -> list[str]:
    shown = []
    for entry in entries:
        fiche = kb.fiches.get(str((entry or {}).get("code", "")))
        if fiche is None or not entry.get("question"):
            continue
        sector = next((s["label"] for s in fiche.get("sectors") or [] if s.get("principal")), "")
        shown.append(_ask_button(entry["question"], fiche.get("label") or fiche["names"][0], sector))
    return shown


def _sources(kb: KnowledgeBase) -> list[str]:
    """Each source the knowledge credits, with what it brings."""
    items = []
    if kb.fiches:
        items.append(f"<strong>{_e(_credit(rome.ATTRIBUTION))}</strong>\u00a0: {_number(len(kb.fiches))} fiches métiers "
                     "(définition, activités, compétences, accès, conditions de travail, métiers proches), "
                     "et les centres d'intérêt qui aident à choisir.")
    # The hand-made sheets, by who they are credited to and their collection.
    groups: dict[tuple, list] = {}
    for sheet in kb.sheets.values():
        groups.setdefault((sheet.source.credited, sheet.source.collection), []).append(sheet)
    for (credited, collection), sheets in groups.items():
        name = ", ".join(_e(part) for part in (credited, collection) if part)
        works = ", ".join(_link(s.source.url or "", s.title) if s.source.reference
                          else f"«\u00a0{_link(s.source.url or '', s.source.title)}\u00a0»" for s in sheets)
        kind = "fiche détaillée" if len(sheets) == 1 else "fiches détaillées"
        items.append(f"<strong>{name}</strong>\u00a0: {len(sheets)} {kind} ({works}).")
    if len(kb.catalogue):
        items.append(f"<strong>{_e(catalogue.PUBLISHER)}</strong>\u00a0: {_number(len(kb.catalogue))} métiers reconnus "
                     "par leur nom, avec le lien vers leur fiche.")
    if kb.families:
        items.append(f"<strong>{_link(dares.PAGE_URL, _credit(dares.ATTRIBUTION))}</strong>\u00a0: salaires médians "
                     f"et effectifs de {_number(len(kb.families))} familles professionnelles.")
    return items


def render_demo_page(kb: KnowledgeBase, home: Path) -> str:
    data = _demo_data(home)
    slots = {
        "metiers": _number(len(kb.sheets) + len(kb.fiches)),
        "fiches": _number(len(kb.fiches)),
        "sheets": _number(len(kb.sheets)),
        "questions": _items(_ask_button(str(q)) for q in data.get("questions") or [] if q),
        "examples": _items(_example_metiers(kb, data.get("metiers") or [])),
        "sources": _items(_sources(kb)),
    }
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    return _SLOT.sub(lambda m: slots.get(m.group(1), ""), template)


@router.get("/")
async def demo_page(state: State) -> HTMLResponse:
    return HTMLResponse(render_demo_page(state.knowledge, state.settings.home))


@router.get("/widget.js")
async def widget_js() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=CACHE)


@router.get("/widget.css")
async def widget_css() -> FileResponse:
    return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8", headers=CACHE)
