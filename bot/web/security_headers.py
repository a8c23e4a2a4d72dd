"""Browser security headers on every response: what a page may load, who may frame it.

- `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and
  `X-Frame-Options: DENY` on every response.
- A Content-Security-Policy on every response that has none: `page_policy`
  for HTML (the demo page: its own scripts and styles only, and the hashes
  of its inline `<style>` blocks), `API_POLICY` (nothing at all) for the
  rest. A route with other needs sets its own header, which is kept (the
  OpenAPI page, bot/web/routes/docs.py, loads swagger-ui from a CDN).

`frame-ancestors 'none'` and X-Frame-Options keep Boussole's pages out of
other sites' frames (clickjacking). None of this stops other sites from
embedding the widget: a `<script src=".../widget.js">` is governed by the
embedding page's policy, not by headers on the script, and no
Cross-Origin-Resource-Policy is set.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def source_hash(text: str) -> str:
    """The CSP source expression that allows one inline `<script>` or `<style>` with exactly this text."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def page_policy(html_page: Path) -> str:
    """The policy of Boussole's HTML pages: scripts, styles, fetches and images from this origin only,
    plus the inline `<style>` blocks of `html_page` (the demo page) by their hash."""
    styles = re.findall(r"<style>(.*?)</style>", html_page.read_text(encoding="utf-8"), flags=re.S)
    style_sources = " ".join(["'self'", *map(source_hash, styles)])
    return (
        "default-src 'none'; script-src 'self'; "
        f"style-src {style_sources}; "
        "connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class SecurityHeaders:
    """ASGI middleware adding the headers above to each HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, page_policy: str, api_policy: str = API_POLICY):
        self.app = app
        self.page_policy = page_policy
        self.api_policy = api_policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in ALWAYS.items():
                    headers.setdefault(name, value)
                html = headers.get("content-type", "").startswith("text/html")
                headers.setdefault("Content-Security-Policy", self.page_policy if html else self.api_policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
