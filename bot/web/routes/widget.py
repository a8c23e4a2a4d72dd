"""GET / (French demo page), /widget.js and /widget.css: the embeddable chat widget."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parents[1] / "static"
router = APIRouter(include_in_schema=False)
# Short cache: a new release reaches embedding sites within minutes.
CACHE = {"Cache-Control": "public, max-age=300"}


@router.get("/")
async def demo_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


@router.get("/widget.js")
async def widget_js() -> FileResponse:
    return FileResponse(STATIC / "widget.js", media_type="text/javascript; charset=utf-8", headers=CACHE)


@router.get("/widget.css")
async def widget_css() -> FileResponse:
    return FileResponse(STATIC / "widget.css", media_type="text/css; charset=utf-8", headers=CACHE)
