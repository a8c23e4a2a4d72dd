"""Security headers: nosniff, no framing, no referrer on every response; a CSP that fits each page."""

from __future__ import annotations

import re

import pytest

from bot.web.routes.widget import STATIC
from bot.web.security_headers import API_POLICY, page_policy, source_hash

ALWAYS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


@pytest.mark.parametrize("method, path", [
    ("GET", "/"), ("GET", "/docs"), ("GET", "/widget.js"), ("GET", "/widget.css"), ("GET", "/openapi.json"),
    ("GET", "/api/metiers"), ("GET", "/nulle-part"), ("POST", "/api/chat"), ("GET", "/api/report"),
])
def test_every_response_carries_the_headers(client, method, path):
    response = client.request(method, path)
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (path, response.status_code, response.headers)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_the_demo_page_runs_only_its_own_scripts(client):
    response = client.get("/")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]  # widget.js; no inline script, no eval
    assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]


def test_the_demo_page_fits_its_policy(client):
    """The page's inline <style> is allowed by its hash, and it has no inline script or handler."""
    page = client.get("/").text
    policy = directives(client.get("/").headers["content-security-policy"])
    styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    assert styles and all(source_hash(style) in policy["style-src"] for style in styles)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/widget.js" defer>']
    assert not re.search(r"\son[a-z]+\s*=", page), "inline event handler"
    assert not re.search(r"\sstyle\s*=", page), "inline style attribute"


def test_the_widget_script_has_nothing_the_page_policy_forbids():
    script = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert "eval(" not in script and "new Function" not in script and "innerHTML" not in script
    # Styles come from widget.css (a <link> in the Shadow DOM) and CSSOM calls, never a style attribute.
    assert 'setAttribute("style"' not in script and '"style":' not in script and "style:" not in script


def test_the_widget_stays_loadable_by_other_sites(client):
    response = client.get("/widget.js")
    assert response.headers["content-type"].startswith("text/javascript")  # nosniff needs the right type
    assert "cross-origin-resource-policy" not in response.headers


def test_api_answers_allow_nothing(client):
    assert client.get("/api/metiers").headers["content-security-policy"] == API_POLICY


def test_page_policy_hashes_each_inline_style(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<style>a{}</style><p>x</p><style>\nb{}\n</style>", encoding="utf-8")
    style_src = directives(page_policy(page))["style-src"]
    assert style_src == ["'self'", source_hash("a{}"), source_hash("\nb{}\n")]
