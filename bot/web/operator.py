"""Who may read the operator's data (/metrics, /api/report, the details of /health).

With BOUSSOLE_OPERATOR_TOKEN set: the bearer of that token, and nobody else
(`Authorization: Bearer <token>`, the scheme in any case, RFC 7235).

Without a token, the data is refused once the service listens beyond
loopback, so that turning on a public interface never opens it by accident;
on a loopback-bound service it is open only to a request that comes straight
from this machine: its peer is a loopback address and it carries no
forwarding header. That second condition matters: the usual TLS proxy runs
on the same host (Telegram only calls HTTPS), so every request it relays
comes from 127.0.0.1; what gives it away is the header it adds
(X-Forwarded-For, Forwarded, X-Real-IP…). uvicorn's proxy_headers even
rewrites the peer from X-Forwarded-For, so the decision reads the raw
headers of the ASGI scope, not only `request.client`. A proxy that adds no
such header cannot be told apart from a local client: a public deployment
sets the token.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Optional

from fastapi import HTTPException, Request
from starlette.types import Scope

from bot.web import messages as M
from bot.web.deps import State

log = logging.getLogger(__name__)


def operator_data_warning(settings) -> Optional[str]:
    """The start-up warning of a public service without an operator token, if it is one."""
    if settings.listens_beyond_loopback and not settings.operator_token:
        return (f"operator.token_missing host={settings.host}: /metrics and /api/report are refused, and "
                f"/health shows no details, until BOUSSOLE_OPERATOR_TOKEN is set")
    return None


# Headers a proxy adds to say whom it relays; any of them makes a request "forwarded".
FORWARDING_HEADERS = frozenset({
    b"forwarded", b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"x-real-ip",
    b"x-client-ip", b"true-client-ip", b"cf-connecting-ip", b"fastly-client-ip", b"x-cluster-client-ip",
    b"x-original-forwarded-for", b"via",
})


def is_forwarded(scope: Scope) -> bool:
    """The request went through a proxy that said so (the raw ASGI headers, lower-case names)."""
    return any(name.lower() in FORWARDING_HEADERS for name, _ in scope.get("headers") or ())


def _is_loopback(host: Optional[str]) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # a test client's name, a Unix socket: not provably this machine
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return (mapped or address).is_loopback


def is_direct_local(scope: Scope) -> bool:
    """The request comes straight from this machine: a loopback peer, and no proxy in between."""
    client = scope.get("client")
    return bool(client) and _is_loopback(client[0]) and not is_forwarded(scope)


def bearer_matches(authorization: Optional[str], expected: str) -> bool:
    """`Authorization: Bearer <expected>`, the scheme in any case (RFC 7235), compared in constant time."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    # Compare even when the scheme is wrong, so that the time says nothing about the header.
    same = hmac.compare_digest(credentials.strip().encode(), expected.encode())
    return scheme.lower() == "bearer" and same


def operator_refusal(request: Request, settings) -> Optional[HTTPException]:
    """Why this request may not read operator data (401 or 403), or None when it may."""
    if settings.operator_token:
        if bearer_matches(request.headers.get("authorization"), settings.operator_token):
            return None
        return HTTPException(401, detail={"detail": M.OPERATOR_TOKEN_INVALID, "code": "unauthorized"},
                             headers={"WWW-Authenticate": "Bearer"})
    if settings.listens_beyond_loopback:
        return HTTPException(403, detail={"detail": M.OPERATOR_TOKEN_REQUIRED, "code": "operator_token_required"})
    if not is_direct_local(request.scope):
        return HTTPException(403, detail={"detail": M.OPERATOR_TOKEN_REQUIRED_REMOTE,
                                          "code": "operator_token_required"})
    return None


def is_operator(request: Request, settings) -> bool:
    """The request may read operator data (for routes that show less to others rather than refuse)."""
    return operator_refusal(request, settings) is None


def require_operator(request: Request, state: State) -> None:
    """FastAPI dependency: 401 without the right bearer token; 403 without a token configured, unless
    the request comes straight from this machine to a loopback-bound service."""
    refusal = operator_refusal(request, state.settings)
    if refusal is not None:
        log.info("operator.refused path=%s status=%d forwarded=%s", request.url.path, refusal.status_code,
                 is_forwarded(request.scope))
        raise refusal
