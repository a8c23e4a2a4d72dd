"""Boussole's own demo page under its Content-Security-Policy, in Debian's chromium: the widget
opens, styled, and answers, and the browser reports no violation (tests/hardening checks the headers)."""

from __future__ import annotations

import pytest

from bot.render.typography import french

pytestmark = pytest.mark.slow

REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation",
  e => console.log("csp-violation " + e.violatedDirective + " " + e.blockedURI));"""


def test_the_demo_page_works_under_its_policy(page, widget_stack):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(f"pageerror {e}"))
    page.add_init_script(REPORT_VIOLATIONS)
    response = page.goto(f"{widget_stack.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The page's inline <style> applies (allowed by its hash): main is centred at 46rem.
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "736px"
    page.locator("#boussole-widget .launcher").click()
    panel = page.locator("#boussole-panel")
    panel.wait_for(state="visible")
    # widget.css (a <link> in the Shadow DOM) applies: the launcher has its colour, not the default grey.
    assert page.evaluate("getComputedStyle(document.getElementById('boussole-widget').shadowRoot"
                         ".querySelector('.launcher')).borderRadius") == "24px"
    page.locator("textarea").fill("combien gagne un ingé ML ?")
    page.keyboard.press("Enter")
    # A locator, not wait_for_function: a string predicate is eval'd, which the policy forbids (as it should).
    page.locator(".msg.bot").nth(1).wait_for(timeout=30000)
    assert french("50 k€") in page.locator(".msg.bot").last.inner_text()
    assert not [m for m in messages if "csp-violation" in m or "Content Security Policy" in m or "pageerror" in m], messages
