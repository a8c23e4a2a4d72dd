"""GET /docs: swagger-ui pinned to one version, each file checked by Subresource Integrity,
and a Content-Security-Policy allowing exactly those files and the page's inline script."""

from __future__ import annotations

import re

from bot.web.routes import docs
from bot.web.security_headers import source_hash

# Computed from the npm package: npm pack swagger-ui-dist@5.35.0; openssl dgst -sha384 -binary F | openssl base64 -A
PINNED = {
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui-bundle.js":
        "sha384-gjRm0bEPMeTmMh5jT2cHccIwCUZSTd8YC+j0d0sXw0MdGEfScduGpSyF3ZSSLkX9",
    "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0/swagger-ui.css":
        "sha384-WlYgdmXYOOBWL5apwjDEZwN+U3HmXSSu5R6V5aGxEcf7z+KuRNwBhoxKVN1i3D5I",
}


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_each_file_from_the_cdn_carries_its_pinned_hash(client):
    page = client.get("/docs").text
    loaded = dict(re.findall(r'(?:src|href)="(https://[^"]+)" integrity="([^"]+)" crossorigin="anonymous"', page))
    assert loaded == PINNED
    assert page.count("https://") == len(PINNED)  # nothing else from another origin (no favicon, no unpinned file)


def test_the_policy_allows_exactly_those_files_and_the_inline_script(client):
    response = client.get("/docs")
    inline = re.findall(r"<script>(.*?)</script>", response.text, flags=re.S)
    assert inline == [docs.INIT_SCRIPT]
    policy = directives(response.headers["content-security-policy"])
    script_url, style_url = sorted(PINNED, key=lambda url: not url.endswith(".js"))
    assert sorted(policy["script-src"]) == sorted([script_url, source_hash(docs.INIT_SCRIPT)])
    assert policy["style-src"] == [style_url]
    assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert "'unsafe-eval'" not in response.headers["content-security-policy"]


def test_the_page_reads_this_service_schema(client):
    assert '"url": "/openapi.json"' in docs.INIT_SCRIPT
    assert client.get("/openapi.json").status_code == 200


def test_fastapi_cdn_pages_are_gone(client):
    assert client.get("/redoc").status_code == 404
    assert "swagger-ui-dist@5/" not in client.get("/docs").text  # FastAPI's unpinned default
