"""Real-browser fixtures: Debian's chromium driven by Playwright, a page on a second origin."""

from __future__ import annotations

import functools
import os
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from bot.devtools.stack import Stack, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def site_port():
    return free_port()


@pytest.fixture(scope="session")
def widget_stack(trained_model, site_port, tmp_path_factory):
    env = {"BOUSSOLE_CORS_ORIGINS": f"http://127.0.0.1:{site_port}"}
    with Stack(tmp_path_factory.mktemp("widget"), extra_env=env) as running:
        yield running


@pytest.fixture(scope="session")
def host_site(widget_stack, site_port, tmp_path_factory):
    """A page of another origin that embeds the widget with one tag (and CSS of its own)."""
    root = tmp_path_factory.mktemp("site")
    (root / "index.html").write_text(f"""<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Site d'une école</title>
<style>* {{ font-size: 40px !important; color: red !important; }} button {{ display: none !important; }}</style></head>
<body><main><h1>Formations de l'école</h1><p>Bienvenue sur notre site.</p></main>
<script src="{widget_stack.url}/widget.js" data-server="{widget_stack.url}" data-title="Boussole" defer></script>
</body></html>""", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site_port}/index.html"
    server.shutdown()


# Module scope: Playwright's sync API keeps an event loop running in the main
# thread while it is open, which would break later tests that use asyncio.run().
@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: ./test.sh installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: BOUSSOLE_SCREENSHOTS=docs/screenshots refreshes the README's."""
    target = os.environ.get("BOUSSOLE_SCREENSHOTS")
    return Path(target) if target else tmp_path_factory.mktemp("screenshots")
