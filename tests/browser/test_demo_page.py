"""Boussole's demo page (GET /) in Debian's chromium, against the real stack: what it presents comes from
the loaded knowledge, its questions open the widget and ask, and a phone reads both without the launcher
covering the text or a reply starting out of sight."""

from __future__ import annotations

import re

import httpx
import pytest

from bot.knowledge import dares, rome

pytestmark = pytest.mark.slow

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
DISCOVERY_QUESTION = "Je ne sais pas quoi faire plus tard"
SHADOW = "document.getElementById('boussole-widget').shadowRoot"

# The page's prose, code aside: French spaces (no-break before « : » and « », after « «, narrow before ; ! ?).
PAGE_TEXT = """() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('pre, code').forEach(n => n.remove());
  return main.textContent;
}"""
# The rectangles of every piece of text in <main>, and the launcher's, in viewport coordinates.
TEXT_UNDER_LAUNCHER = """() => {
  const launcher = document.getElementById('boussole-widget').shadowRoot.querySelector('.launcher').getBoundingClientRect();
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const covered = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.right > launcher.left && r.left < launcher.right && r.bottom > launcher.top && r.top < launcher.bottom)
        covered.push(node.textContent.trim().slice(0, 40));
    }
  }
  return {covered, launcher: {top: launcher.top, bottom: launcher.bottom}};
}"""


def french_typography_faults(text: str) -> list[str]:
    faults = re.findall(r".{0,20}(?:[ \u202f][:»]|«[ \u202f]|[ \u00a0][;!?]|\w[:;!?»]|«\w).{0,5}", text)
    return [f for f in faults if "://" not in f]


def ask_on_page(page, question, timeout=30000):
    """Click the page's button asking `question` (the widget closed first, if open, to uncover the page); the reply."""
    if page.locator("#boussole-panel").is_visible():
        page.get_by_role("button", name="Fermer la discussion").click()
    count = page.locator(".msg.bot").count()
    page.locator(f"main [data-boussole-ask=\"{question}\"]").click()
    page.locator(".msg.bot").nth(max(count, 1)).wait_for(timeout=timeout)
    page.locator(".typing").wait_for(state="hidden", timeout=timeout)
    return page.locator(".msg.bot").last


def test_the_demo_page_presents_what_boussole_knows(page, widget_stack, kb, screenshots):
    screenshots.mkdir(parents=True, exist_ok=True)
    page.goto(f"{widget_stack.url}/")
    text = page.evaluate(PAGE_TEXT)
    assert "{{" not in page.content()
    total = httpx.get(f"{widget_stack.url}/api/metiers", params={"per_page": 1}).json()["total"]
    assert f"{total:,}".replace(",", "\u202f") + "\u00a0métiers" in text
    assert f"{len(kb.fiches):,}".replace(",", "\u202f") in text
    # Every source the knowledge credits is named.
    credits = {rome.ATTRIBUTION.split(" : ", 1)[1], dares.ATTRIBUTION.split(" : ", 1)[1],
               *(s.source.credited for s in kb.sheets.values()), *(s.source.title for s in kb.sheets.values() if not s.source.reference)}
    assert [c for c in credits if c not in text] == []
    # Example métiers: ROME fiches, by their names in the knowledge, across many domains (the code's letter).
    by_label = {f["label"]: code for code, f in kb.fiches.items()}
    examples = page.locator("main .metiers .ask")
    labels = [examples.nth(i).evaluate("b => b.firstChild.textContent.trim()") for i in range(examples.count())]
    assert all(label in by_label for label in labels), labels
    assert len({by_label[label][0] for label in labels}) >= 10
    # Questions to try, the discovery one among them; all French, spaced as French wants.
    questions = page.locator("main .questions [data-boussole-ask]").all_inner_texts()
    assert DISCOVERY_QUESTION in questions and len(questions) >= 4
    assert french_typography_faults(text) == []
    page.screenshot(path=str(screenshots / "demo-desktop.png"), full_page=True)


def test_a_question_of_the_page_opens_the_widget_asks_it_and_titles_the_reply_s_links(page, widget_stack, screenshots):
    page.goto(f"{widget_stack.url}/")
    reply = ask_on_page(page, DISCOVERY_QUESTION)
    assert page.locator("#boussole-panel").is_visible()
    assert page.locator(".msg.user").last.inner_text() == DISCOVERY_QUESTION
    assert "Qu'est-ce qui vous attire" in reply.inner_text()
    assert page.locator(".quick").last.get_by_role("button").count() >= 3

    # A métier of the page: the reply's links are titled, their addresses hidden.
    question = page.locator("main .metiers [data-boussole-ask]").first.get_attribute("data-boussole-ask")
    with page.expect_response(lambda r: r.url.endswith("/api/chat")) as answered:
        reply = ask_on_page(page, question)
    links = [link for r in answered.value.json()["replies"] for link in r.get("links", [])]
    anchors = page.locator(".msg.bot").last.locator("a")
    if links:  # the server titles its links: the widget shows each title as a link, never « title (address) »
        assert [(a.inner_text(), a.get_attribute("href")) for a in anchors.all()] == [(l["title"], l["url"]) for l in links]
        assert all(a.get_attribute("target") == "_blank" and "noopener" in a.get_attribute("rel") for a in anchors.all())
        assert not [l for l in links if l["text"] in reply.inner_text()]
    else:
        assert anchors.count() >= 1  # a bare address is still a link
    page.screenshot(path=str(screenshots / "demo-widget-desktop.png"))


def test_on_a_phone_the_launcher_leaves_the_text_readable_and_a_long_reply_is_read_from_its_start(
        browser, widget_stack, screenshots):
    context = browser.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{widget_stack.url}/")
    page.screenshot(path=str(screenshots / "demo-phone.png"), full_page=True)
    # Nothing of the page is horizontally out of the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # At the end of the page, no line of text lies under the launcher.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    result = page.evaluate(TEXT_UNDER_LAUNCHER)
    assert result["launcher"]["bottom"] <= PHONE["height"] and result["covered"] == [], result

    # A long reply (a métier's skills): the log shows its start, not its end.
    question = next(q for q in page.locator("main [data-boussole-ask]").evaluate_all("bs => bs.map(b => b.dataset.boussoleAsk)")
                    if q.startswith("Quelles compétences"))
    ask_on_page(page, DISCOVERY_QUESTION)
    reply = ask_on_page(page, question)
    log = page.locator(".log")
    log_box, reply_box = log.bounding_box(), reply.bounding_box()
    # The reply and what follows it (feedback, buttons) are longer than the log: where it starts matters.
    below = page.evaluate(f"""r => {{ const log = {SHADOW}.querySelector('.log');
        return log.scrollHeight - (r.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop); }}""",
        reply.element_handle())
    assert below > log_box["height"] and page.evaluate(f"{SHADOW}.querySelector('.log').scrollTop") > 0
    assert log_box["y"] <= reply_box["y"] <= log_box["y"] + 40, (log_box, reply_box)
    # Lines break between words: nothing overflows a bubble, however long its address.
    assert page.evaluate(f"[...{SHADOW}.querySelectorAll('.msg')].filter(m => m.scrollWidth > m.clientWidth + 1).length") == 0
    page.screenshot(path=str(screenshots / "demo-widget-phone.png"))

    # Back at the top of the reply's list? A short reply is shown whole.
    short = ask_on_page(page, DISCOVERY_QUESTION)
    short_box, log_box = short.bounding_box(), log.bounding_box()
    assert log_box["y"] <= short_box["y"] and short_box["y"] + short_box["height"] <= log_box["y"] + log_box["height"]
    context.close()


def test_the_page_s_questions_work_from_script_on_another_site(page, host_site, widget_stack):
    page.goto(host_site)
    page.wait_for_function("() => window.Boussole && typeof window.Boussole.ask === 'function'")
    page.evaluate("window.Boussole.ask('combien gagne un ingénieur ML qui débute ?')")
    page.locator("#boussole-panel").wait_for(state="visible")
    page.locator(".msg.bot").nth(1).wait_for(timeout=30000)
    assert page.locator(".msg.user").last.inner_text() == "combien gagne un ingénieur ML qui débute ?"
    assert re.search(r"50\sk€", page.locator(".msg.bot").last.inner_text())  # whatever space French typography puts
