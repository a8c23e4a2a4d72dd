"""Who may read the operator's data (/metrics, feedback counts): the bearer of BOUSSOLE_OPERATOR_TOKEN.

Without a token configured, the data stays open on loopback (a developer's
machine, or a scraper beside the service) and is refused once the service
listens beyond loopback, so that turning on a public interface never opens
it by accident.
"""

from __future__ import annotations

import hmac
import logging
from typing import Optional

from fastapi import Header, HTTPException

from bot.web import messages as M
from bot.web.deps import State

log = logging.getLogger(__name__)


def operator_data_warning(settings) -> Optional[str]:
    """The start-up warning of a public service without an operator token, if it is one."""
    if settings.listens_beyond_loopback and not settings.operator_token:
        return (f"operator.token_missing host={settings.host}: /metrics is refused until "
                f"BOUSSOLE_OPERATOR_TOKEN is set")
    return None


def require_operator(state: State, authorization: Optional[str] = Header(None)) -> None:
    """FastAPI dependency: 401 without the right bearer token, 403 when no token exists beyond loopback."""
    expected = state.settings.operator_token
    if expected:
        if not hmac.compare_digest((authorization or "").encode(), f"Bearer {expected}".encode()):
            raise HTTPException(401, detail={"detail": M.OPERATOR_TOKEN_INVALID, "code": "unauthorized"},
                                headers={"WWW-Authenticate": "Bearer"})
    elif state.settings.listens_beyond_loopback:
        raise HTTPException(403, detail={"detail": M.OPERATOR_TOKEN_REQUIRED, "code": "operator_token_required"})
