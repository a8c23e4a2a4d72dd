"""Turn every failure into a JSON body with a French message; never a trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web import messages as M

log = logging.getLogger(__name__)

_TYPE_NAMES = {"str": "texte", "int": "entier", "float": "nombre", "bool": "booléen", "dict": "objet", "list": "liste"}


def error_body(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message, "code": code})


def _describe(error: dict) -> tuple[str, str]:
    """(French message, code) for the first pydantic/FastAPI validation error."""
    kind = str(error.get("type", ""))
    loc = [str(part) for part in error.get("loc", ()) if part != "body"]
    field = ".".join(loc) or "corps"
    if "json" in kind:
        return M.INVALID_JSON, "invalid_json"
    if kind == "value_error.missing":
        return M.INVALID_FIELD.format(field=field, reason=M.MISSING_FIELD), "missing_field"
    if kind.startswith("type_error"):
        expected = _TYPE_NAMES.get(kind.rsplit(".", 1)[-1], kind.rsplit(".", 1)[-1])
        if kind in ("type_error.dict",) and field == "corps":
            return M.INVALID_FIELD.format(field=field, reason=M.WRONG_TYPE.format(expected="objet JSON")), "wrong_type"
        return M.INVALID_FIELD.format(field=field, reason=M.WRONG_TYPE.format(expected=expected)), "wrong_type"
    return M.INVALID_FIELD.format(field=field, reason="valeur invalide"), "invalid_field"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if exc.body is not None and not isinstance(exc.body, (dict, bytes, str)):
            return error_body(422, M.NOT_AN_OBJECT, "not_an_object")
        message, code = _describe(errors[0]) if errors else (M.INVALID_JSON, "invalid_json")
        status = 400 if code == "invalid_json" else 422
        return error_body(status, message, code)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc.detail, dict):
            return JSONResponse(status_code=exc.status_code, content=exc.detail, headers=getattr(exc, "headers", None))
        if exc.status_code == 404:
            return error_body(404, M.NOT_FOUND, "not_found")
        if exc.status_code == 405:
            return error_body(405, M.METHOD_NOT_ALLOWED, "method_not_allowed")
        return error_body(exc.status_code, str(exc.detail), "http_error")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("http.unhandled path=%s", request.url.path)
        return error_body(500, M.INTERNAL, "internal_error")
