"""GET /api/metiers and /api/metiers/{id}: the knowledge, read-only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from bot.web import messages as M
from bot.web.deps import State

router = APIRouter(prefix="/api/metiers", tags=["métiers"])


class MetierSummary(BaseModel):
    id: str
    title: str
    names: list[str]


@router.get("", response_model=list[MetierSummary])
async def list_metiers(state: State) -> list[MetierSummary]:
    return [MetierSummary(id=s.id, title=s.title, names=s.all_names()) for s in state.knowledge.sheets.values()]


@router.get("/{metier_id}")
async def get_metier(metier_id: str, state: State) -> dict[str, Any]:
    sheet = state.knowledge.get(metier_id)
    if sheet is None:
        known = ", ".join(state.knowledge.sheets) or "aucune"
        raise HTTPException(404, detail={"detail": M.UNKNOWN_METIER.format(metier_id=metier_id[:80], known=known), "code": "unknown_metier"})
    return sheet.dict()
