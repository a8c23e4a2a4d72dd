"""A titled link as each channel shows it."""

from __future__ import annotations

from bot.render import links
from bot.render.reply import for_api, for_slack, for_telegram
from bot.render.typography import NBSP

URL = "https://candidat.francetravail.fr/metierscope/fiche-metier/M1855"
TEXT = f"Un <métier> & plus.\nSource : France Travail, ROME 4.0, [fiche M1855 « Data scientist »]({URL})"


def test_the_plain_api_keeps_the_address_and_lists_the_link():
    reply = for_api({"text": TEXT, "buttons": [{"title": "Salaire ?", "payload": "/ask_salary"}]})
    title = f"fiche M1855 «{NBSP}Data scientist{NBSP}»"
    assert reply["text"].endswith(f"{title} ({URL})")
    assert reply["links"] == [{"title": title, "url": URL, "text": f"{title} ({URL})"}]
    assert reply["links"][0]["text"] in reply["text"]  # what a client replaces by a titled link
    assert reply["buttons"] == [{"title": "Salaire\u202f?", "payload": "/ask_salary"}]


def test_telegram_gets_an_anchor_and_escaped_prose():
    shown = for_telegram(TEXT)
    assert shown.startswith("Un &lt;métier&gt; &amp; plus.")
    assert f'<a href="{URL}">fiche M1855 «{NBSP}Data scientist{NBSP}»</a>' in shown
    assert URL not in shown.replace(f'href="{URL}"', "")  # the address is under the title, not beside it


def test_slack_gets_its_own_link_form_and_escaped_prose():
    shown = for_slack(TEXT)
    assert shown.startswith("Un &lt;métier&gt; &amp; plus.")
    assert shown.endswith(f"<{URL}|fiche M1855 «{NBSP}Data scientist{NBSP}»>")


def test_text_without_links_and_brackets_that_are_no_link_stay_as_they_are():
    assert links.plain("[voir] (pas un lien) [x](ftp://nope)") == ("[voir] (pas un lien) [x](ftp://nope)", [])
