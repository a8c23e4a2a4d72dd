"""Turn every failure into a JSON body with a French message; never a trace."""

from __future__ import annotations

import logging
from typing import Optional

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.web import messages as M

log = logging.getLogger(__name__)

_TYPE_NAMES = {"str": "texte", "int": "entier", "integer": "entier", "float": "nombre", "bool": "booléen", "dict": "objet", "list": "liste"}


def refuse(status: int, message: str, code: str) -> HTTPException:
    """The exception a route raises to answer {"detail": <French message>, "code": <code>}."""
    return HTTPException(status_code=status, detail={"detail": message, "code": code})


def error_body(status: int, message: str, code: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": message, "code": code})


def _describe(error: dict) -> tuple[str, str]:
    """(French message, code) for the first pydantic/FastAPI validation error."""
    kind = str(error.get("type", ""))
    if error.get("loc", ())[:1] == ("query",):  # a query parameter (GET /api/metiers?per_page=…)
        return _describe_parameter(str(error["loc"][-1]), kind, error.get("ctx") or {})
    loc = [str(part) for part in error.get("loc", ()) if part != "body"]
    field = ".".join(loc) or "corps"
    if "json" in kind:
        return M.INVALID_JSON, "invalid_json"
    if kind == "value_error.missing":
        if not loc:  # no body at all (or JSON null)
            return M.EMPTY_BODY, "empty_body"
        return M.INVALID_FIELD.format(field=field, reason=M.MISSING_FIELD), "missing_field"
    if kind == "type_error.none.not_allowed":
        return M.INVALID_FIELD.format(field=field, reason=M.NULL_VALUE), "null_value"
    if kind == "value_error.control_characters":  # bot.web.guards.PlainText
        return M.CONTROL_CHARACTERS.format(field=field), "control_characters"
    if kind == "value_error.invalid_unicode":
        return M.INVALID_CHARACTERS.format(field=field), "invalid_characters"
    if kind == "value_error.strictbool":  # pydantic's StrictBool: "yes", 1 or "true" are not booleans
        return M.INVALID_FIELD.format(field=field, reason=M.WRONG_TYPE.format(expected="booléen")), "wrong_type"
    if kind.startswith("type_error"):
        expected = _expected(kind)
        if kind in ("type_error.dict",) and field == "corps":
            return M.INVALID_FIELD.format(field=field, reason=M.WRONG_TYPE.format(expected="objet JSON")), "wrong_type"
        return M.INVALID_FIELD.format(field=field, reason=M.WRONG_TYPE.format(expected=expected)), "wrong_type"
    return M.INVALID_FIELD.format(field=field, reason=M.INVALID_VALUE), "invalid_field"


def _expected(kind: str) -> str:
    """The French name of the type a pydantic `type_error.<type>` expected."""
    name = kind.rsplit(".", 1)[-1]
    return _TYPE_NAMES.get(name, name)


def _describe_parameter(name: str, kind: str, limits: dict) -> tuple[str, str]:
    """(French message, code) for a query parameter out of its type or bounds."""
    limit = limits.get("limit_value")
    reasons = {
        "value_error.number.not_ge": M.AT_LEAST.format(limit=limit),
        "value_error.number.not_gt": M.ABOVE.format(limit=limit),
        "value_error.number.not_le": M.AT_MOST.format(limit=limit),
        "value_error.number.not_lt": M.BELOW.format(limit=limit),
        "value_error.any_str.max_length": M.TOO_MANY_CHARACTERS.format(limit=limit),
    }
    if kind in reasons:
        return M.INVALID_PARAMETER.format(name=name, reason=reasons[kind]), "invalid_parameter"
    if kind.startswith("type_error"):
        return M.INVALID_PARAMETER.format(name=name, reason=M.WRONG_TYPE.format(expected=_expected(kind))), "invalid_parameter"
    return M.INVALID_PARAMETER.format(name=name, reason=M.INVALID_VALUE), "invalid_parameter"


def _unreadable_body(cause: Optional[BaseException]) -> tuple[str, str]:
    """FastAPI answers 400 "There was an error parsing the body" for what json.loads raises
    besides JSONDecodeError: say in French which it was."""
    if isinstance(cause, UnicodeDecodeError):
        return M.INVALID_ENCODING, "invalid_encoding"
    if isinstance(cause, RecursionError):
        return M.JSON_TOO_DEEP, "json_too_deep"
    return M.INVALID_JSON, "invalid_json"  # e.g. an integer of more than 4,300 digits


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        parsed = not any("json" in str(error.get("type", "")) for error in errors)  # else exc.body is the bad text
        if parsed and isinstance(exc.body, bytes):
            # FastAPI hands the raw bytes over when the Content-Type is not JSON.
            status, message, code = 415, M.NOT_JSON, "unsupported_media_type"
        elif parsed and exc.body is not None and not isinstance(exc.body, dict):
            status, message, code = 422, M.NOT_AN_OBJECT, "not_an_object"
        else:
            message, code = _describe(errors[0]) if errors else (M.INVALID_JSON, "invalid_json")
            status = 400 if code == "invalid_json" else 422
        log.info("http.bad_input status=%d code=%s method=%s path=%r", status, code, request.method, request.url.path)
        return error_body(status, message, code)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        if isinstance(exc.detail, dict):
            return JSONResponse(status_code=exc.status_code, content=exc.detail, headers=getattr(exc, "headers", None))
        if exc.status_code == 404:
            return error_body(404, M.NOT_FOUND, "not_found")
        if exc.status_code == 405:
            return error_body(405, M.METHOD_NOT_ALLOWED, "method_not_allowed")
        if exc.status_code == 400:
            message, code = _unreadable_body(exc.__cause__)
            log.info("http.bad_input status=400 code=%s method=%s path=%r", code, request.method, request.url.path)
            return error_body(400, message, code)
        # Whatever else the framework raises with an English detail: never shown as is.
        return error_body(exc.status_code, M.HTTP_ERROR.format(status=exc.status_code), "http_error")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("http.unhandled path=%s", request.url.path)
        return error_body(500, M.INTERNAL, "internal_error")
