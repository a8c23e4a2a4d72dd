"""GET /api/metiers and /api/metiers/{id}: every métier Boussole knows, read-only.

A métier is a hand-made sheet (its id, e.g. `data-scientist`) or a ROME 4.0
fiche (its code, e.g. `M1855`). The list is paginated and `?q=` finds métiers
by any of their names with the resolver the conversation uses (typos,
plurals, everyday forms); one métier comes with its sources.
"""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from bot.knowledge import rome
from bot.knowledge.base import KnowledgeBase
from bot.web import messages as M
from bot.web.deps import State
from bot.web.errors import refuse

router = APIRouter(prefix="/api/metiers", tags=["métiers"])

MAX_PER_PAGE = 100
# Names of a métier shown in the list: enough to recognise it, not its 40 job titles.
LISTED_NAMES = 6


class MetierSummary(BaseModel):
    id: str = Field(..., description="Identifiant d'une fiche Boussole ou code ROME 4.0")
    title: str
    names: list[str]
    source: str = Field(..., description="La source qui répond sur ce métier")
    url: Optional[str] = None


class MetierPage(BaseModel):
    total: int = Field(..., description="Nombre de métiers correspondants, toutes pages confondues")
    page: int
    per_page: int
    metiers: list[MetierSummary]


def _summary(kb: KnowledgeBase, metier_id: str) -> MetierSummary:
    sheet = kb.get(metier_id)
    if sheet is not None:
        return MetierSummary(id=sheet.id, title=sheet.title, names=sheet.all_names()[:LISTED_NAMES],
                             source=sheet.source.credited, url=sheet.source.url)
    fiche = kb.fiches[metier_id]
    names = [*fiche["names"], *(t["short"] for t in fiche["titles"] if not t["principal"])]
    return MetierSummary(id=fiche["code"], title=fiche["names"][0], names=list(dict.fromkeys(names))[:LISTED_NAMES],
                         source=rome.ATTRIBUTION, url=fiche["url"])


def _all_ids(kb: KnowledgeBase) -> list[str]:
    """The hand-made sheets first, then every ROME fiche by code."""
    return [*kb.sheets, *sorted(kb.fiches)]


def _found_ids(kb: KnowledgeBase, q: str) -> list[str]:
    """The métiers `q` names, best first: the one it resolves to, or the ones it may mean."""
    found = [m for mention in kb.finder.find(q, [q]) for m in mention.metiers]
    return [m for m in dict.fromkeys(found) if m in kb.sheets or m in kb.fiches]


@router.get("", response_model=MetierPage)
async def list_metiers(state: State,
                       q: Optional[str] = Query(None, max_length=200, description="Un nom de métier, écrit comme on veut"),
                       page: int = Query(1, ge=1, description="Numéro de page, à partir de 1"),
                       per_page: int = Query(50, ge=1, le=MAX_PER_PAGE, description="Métiers par page")) -> MetierPage:
    kb = state.knowledge
    ids = _found_ids(kb, q) if q and q.strip() else _all_ids(kb)
    start = (page - 1) * per_page
    return MetierPage(total=len(ids), page=page, per_page=per_page,
                      metiers=[_summary(kb, metier_id) for metier_id in ids[start:start + per_page]])


@router.get("/{metier_id}")
async def get_metier(metier_id: str, state: State) -> dict[str, Any]:
    kb = state.knowledge
    sheet = kb.get(metier_id)
    if sheet is not None:
        return sheet.dict()
    fiche = kb.fiches.get(metier_id.upper())
    if fiche is not None:
        return {**fiche, "source": {"publisher": "France Travail", "title": f"Fiche ROME {fiche['code']}",
                                    "collection": "ROME 4.0", "url": fiche["url"], "credit": rome.ATTRIBUTION}}
    raise refuse(404, M.UNKNOWN_METIER.format(metier_id=metier_id[:80]), "unknown_metier")
