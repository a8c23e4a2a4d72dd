"""The widget on a page of another origin, in Debian's chromium, against the real stack."""

from __future__ import annotations

import json

import pytest

from bot.answers.templates import TOPIC_CHOICE
from tests.conftest import (CLARIFY_OPENING, DATA_SCIENTIST_WORD, ML_CONTEXT, NO_JOB_QUESTION, SHARED_NAME_OPENING,
                            SHARED_NAME_QUESTION, TOPIC_WORDS, UNSURE_QUESTION, WHICH_JOB_OPENING)
from bot.render.typography import french
from tests.report_traffic import report

pytestmark = pytest.mark.slow
# The widget shows a button's title; the word its answer brings back.
TITLE_WORDS = {title: TOPIC_WORDS[f"/{intent}"] for intent, (_, title) in TOPIC_CHOICE.items()}

PANEL = "#boussole-panel"
LOG = ".log"


def bot_messages(page):
    return page.locator(".msg.bot")


def open_with_keyboard(page):
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('boussole-widget').shadowRoot.activeElement.className") == "launcher"
    page.keyboard.press("Enter")
    page.locator(PANEL).wait_for(state="visible")


def ask(page, text):
    count = bot_messages(page).count()
    page.locator("textarea").fill(text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count, timeout=20000)
    return bot_messages(page).last.inner_text()


def test_conversation_in_the_browser(page, browser, host_site, widget_stack, tmp_path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(host_site)
    open_with_keyboard(page)
    assert "Bonjour" in bot_messages(page).first.inner_text()

    # typing indicator exactly while the request is in flight
    def slow(route):
        import time
        time.sleep(0.6)
        route.continue_()
    page.route("**/api/chat", slow)
    page.locator("textarea").fill("combien gagne un ingénieur ML qui débute ?")
    page.keyboard.press("Enter")
    page.locator(".typing").wait_for(state="visible")
    page.locator(".typing").wait_for(state="hidden", timeout=20000)
    page.unroute("**/api/chat")
    assert french("50 k€") in bot_messages(page).last.inner_text()

    # quick reply: stays visible, the chosen one marked
    page.locator(".quick").last.get_by_role("button", name="Compétences").click()
    page.wait_for_function("() => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length >= 3")
    assert "Python" in bot_messages(page).last.inner_text()
    assert page.locator(".quick button[aria-pressed='true']").first.inner_text() == "Compétences"

    # injection is shown as text
    ask(page, "<img src=x onerror=alert(1)>")
    assert page.locator(".msg.user").last.inner_text() == "<img src=x onerror=alert(1)>"
    assert page.evaluate("document.getElementById('boussole-widget').shadowRoot.querySelectorAll('img').length") == 0
    assert not dialogs

    # reload: history from the server, chosen button still marked
    page.reload()
    page.locator(".launcher").click()
    page.get_by_text(french("50 k€"), exact=False).first.wait_for()
    assert page.locator(".msg.user").first.inner_text() == "combien gagne un ingénieur ML qui débute ?"
    assert page.locator(".quick button[aria-pressed='true']").first.inner_text() == "Compétences"

    # a second tab follows the first
    other = page.context.new_page()
    other.goto(host_site)
    other.locator(".launcher").click()
    other.get_by_text(french("50 k€"), exact=False).first.wait_for()
    ask(page, "et quelles formations ?")
    # The other tab shows the turn (the question, then its answer) without a reload.
    answer = bot_messages(page).last.inner_text()
    other.locator(".msg.user").get_by_text("et quelles formations ?", exact=True).wait_for(timeout=20000)
    other.locator(".msg.bot").get_by_text(answer.splitlines()[0], exact=False).first.wait_for(timeout=20000)
    other.close()

    # Escape closes and gives the focus back to the launcher
    page.locator("textarea").focus()
    page.keyboard.press("Escape")
    assert page.locator(PANEL).is_hidden()
    assert page.evaluate("document.getElementById('boussole-widget').shadowRoot.activeElement.className") == "launcher"

    # new conversation
    page.locator(".launcher").click()
    old_id = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('boussole:conversation')).map(k => localStorage[k])[0]")
    page.get_by_role("button", name="Nouvelle conversation").click()
    assert page.locator(".msg").count() == 1
    ask(page, "bonjour")
    new_id = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('boussole:conversation')).map(k => localStorage[k])[0]")
    assert new_id and new_id != old_id

    # backend down: French error, message kept, retry works once it is back
    widget_stack.stop()
    page.locator("textarea").fill("c'est quoi un ingé ML ?")
    page.keyboard.press("Enter")
    page.locator(".error").wait_for(state="visible", timeout=20000)
    assert "Impossible de joindre l'assistant" in page.locator(".error").inner_text()
    assert page.locator(".launcher").is_visible()
    widget_stack.start()
    page.get_by_role("button", name="Réessayer").click()
    page.get_by_text("algorithmes", exact=False).first.wait_for(timeout=20000)
    assert page.locator(".error").is_hidden()


def test_an_unsure_question_gets_topic_buttons_and_a_click_answers_it(page, host_site, widget_stack):
    page.goto(host_site)
    page.locator(".launcher").click()
    ask(page, ML_CONTEXT)
    assert ask(page, UNSURE_QUESTION).startswith(french(CLARIFY_OPENING))
    buttons = page.locator(".quick").last.get_by_role("button")
    assert 2 <= buttons.count() <= 3
    title = buttons.first.inner_text()
    count = bot_messages(page).count()
    buttons.first.click()
    page.wait_for_function(
        "n => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count, timeout=20000)
    word = TITLE_WORDS[title]
    assert word in bot_messages(page).last.inner_text()


def test_a_question_naming_no_metier_gets_a_button_per_sheet_and_a_click_answers(page, host_site, widget_stack, kb):
    page.goto(host_site)
    page.locator(".launcher").click()
    assert ask(page, NO_JOB_QUESTION).startswith(french(WHICH_JOB_OPENING))
    buttons = page.locator(".quick").last.get_by_role("button")
    assert buttons.count() == len(kb.sheets)
    count = bot_messages(page).count()
    page.locator(".quick").last.get_by_role("button", name="Data scientist").click()
    page.wait_for_function(
        "n => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count, timeout=20000)
    assert french(DATA_SCIENTIST_WORD) in bot_messages(page).last.inner_text()
    # A métier known by its ROME fiche: its source link is a link.
    assert "salaire médian" in ask(page, "combien gagne un géomètre-topographe ?")
    link = bot_messages(page).last.locator("a[href$='/F1107']")
    assert link.count() == 1 and link.get_attribute("rel") == "noopener noreferrer"


def test_a_name_several_fiches_share_gets_a_button_each_and_a_click_answers_that_fiche(page, host_site, widget_stack):
    page.goto(host_site)
    page.locator(".launcher").click()
    assert french(SHARED_NAME_OPENING) in ask(page, SHARED_NAME_QUESTION)
    buttons = page.locator(".quick").last.get_by_role("button")
    assert 2 <= buttons.count() <= 5
    count = bot_messages(page).count()
    buttons.first.click()
    page.wait_for_function(
        "n => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count, timeout=20000)
    assert bot_messages(page).last.locator("a[href*='/fiche-metier/']").count() >= 1


def test_salary_follow_ups_in_the_widget_keep_the_figure_s_labels_and_follow_the_metier(page, host_site, widget_stack):
    page.goto(host_site)
    page.locator(".launcher").click()
    assert french("« Plombiers, chauffagistes »") in ask(page, "combien gagne un plombier ?")
    assert "ne publie que des salaires nets" in ask(page, "c'est brut ou net ?")
    assert "ne distingue pas les régions" in ask(page, "et à Lyon ?")
    switched = ask(page, "et pour un kiné ?")
    assert "Kinésithérapeute" in switched and "salaire médian" in switched and "Plombiers" not in switched
    assert "personnes en emploi en" in ask(page, "ça recrute ?")


def test_feedback_under_a_reply_is_kept_shown_again_and_reported(page, host_site, widget_stack):
    question = "combien gagne un ingénieur ML senior ?"
    page.goto(host_site)
    page.locator(".launcher").click()
    assert "senior" in ask(page, question)
    # One group per reply of the assistant, none under the greeting (the page's own text).
    assert page.locator(".feedback").count() == bot_messages(page).count() - 1
    group = page.locator(".feedback").last
    assert group.get_attribute("role") == "group"
    assert group.get_attribute("aria-label") == french("Cette réponse vous a-t-elle été utile ?")
    helpful = group.get_by_role("button", name="Utile", exact=True)
    unhelpful = group.get_by_role("button", name="Pas utile", exact=True)
    assert helpful.get_attribute("aria-pressed") == unhelpful.get_attribute("aria-pressed") == "false"
    unhelpful.focus()  # with the keyboard, as anyone may
    page.keyboard.press("Enter")
    group.get_by_role("status").get_by_text("Merci pour votre avis !").wait_for(timeout=20000)
    assert (helpful.get_attribute("aria-pressed"), unhelpful.get_attribute("aria-pressed")) == ("false", "true")

    page.reload()  # the choice comes back with the history
    page.locator(".launcher").click()
    page.locator(".feedback button[aria-pressed='true']").first.wait_for(timeout=20000)
    assert page.locator(".feedback button[aria-pressed='true']").all_inner_texts() == ["Pas utile"]

    result = report({"BOUSSOLE_STATE_DIR": str(widget_stack.state_dir)}, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert [u["text"] for u in json.loads(result.stdout)["unhelpful"]] == [question]


def test_accessibility_and_layout(browser, host_site, widget_stack, screenshots):
    from axe_playwright_python.sync_playwright import Axe

    screenshots.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 360, "height": 640}),
                           ("phone-keyboard", {"width": 360, "height": 400})):
        context = browser.new_context(locale="fr-FR", viewport=viewport)
        page = context.new_page()
        page.goto(host_site)
        page.locator(".launcher").click()
        ask(page, "quelles compétences pour devenir ingé ML ?")
        box = page.locator("textarea").bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"]
        panel = page.locator(PANEL).bounding_box()
        assert panel["width"] <= viewport["width"]
        results = Axe().run(page)
        serious = [v["id"] for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
        assert not serious, results.generate_report()
        page.screenshot(path=str(screenshots / f"widget-{name}.png"))
        assert (screenshots / f"widget-{name}.png").stat().st_size > 10_000
        context.close()


def test_cors_allows_only_the_configured_origin(widget_stack, site_port):
    import httpx

    allowed = httpx.options(f"{widget_stack.url}/api/chat", headers={
        "Origin": f"http://127.0.0.1:{site_port}", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert allowed.headers.get("access-control-allow-origin") == f"http://127.0.0.1:{site_port}"
    assert "access-control-allow-credentials" not in allowed.headers
    refused = httpx.options(f"{widget_stack.url}/api/chat", headers={
        "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in refused.headers


def click_and_wait(page, name):
    """Press the last reply's button `name` and wait for the answer; its text."""
    count = bot_messages(page).count()
    page.locator(".quick").last.get_by_role("button", name=name, exact=True).click()
    page.wait_for_function(
        "n => document.getElementById('boussole-widget').shadowRoot.querySelectorAll('.msg.bot').length > n", arg=count, timeout=20000)
    return bot_messages(page).last.inner_text()


def test_discovery_by_buttons_in_the_browser_then_a_suggested_metier_and_its_training(page, host_site, widget_stack):
    page.goto(host_site)
    page.locator(".launcher").click()
    assert "Qu'est-ce qui vous attire" in ask(page, "je ne sais pas quoi faire")
    assert "Nature, animaux, sport" in click_and_wait(page, "Nature, animaux, sport")
    assert page.locator(".quick").last.get_by_role("button", name="Les animaux", exact=True).count() == 1
    suggestions = click_and_wait(page, "Les animaux")
    assert suggestions.count(french("France Travail associe ce métier au centre d'intérêt « J'aime m'occuper des animaux »")) == 5
    more = click_and_wait(page, "D'autres idées")
    assert "Voici d'autres métiers à explorer" in more
    buttons = page.locator(".quick").last.get_by_role("button")
    title = buttons.first.inner_text()
    assert title not in suggestions  # « d'autres idées » never repeats a métier
    definition = click_and_wait(page, title)
    assert "France Travail" in definition
    assert "accessible" in ask(page, "il faut quel diplôme ?")


def test_discovery_on_a_phone_shows_the_themes_in_two_screens_at_most(browser, host_site, widget_stack, screenshots):
    screenshots.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 360, "height": 740}
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    page = context.new_page()
    page.goto(host_site)
    page.locator(".launcher").click()
    ask(page, "je ne sais pas quoi faire")
    buttons = page.locator(".quick").last.get_by_role("button")
    boxes = [buttons.nth(i).bounding_box() for i in range(buttons.count())]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"] for b in boxes)
    assert max(b["y"] + b["height"] for b in boxes) - min(b["y"] for b in boxes) <= 2 * viewport["height"]
    page.screenshot(path=str(screenshots / "discovery-phone-themes.png"))
    click_and_wait(page, "Nature, animaux, sport")
    suggestions = click_and_wait(page, "Les animaux")
    assert "pas un verdict" in suggestions
    page.screenshot(path=str(screenshots / "discovery-phone-suggestions.png"))
    context.close()
