"""One reply as each channel shows it: French typography first, then its links in the channel's form."""

from __future__ import annotations

from typing import Any

from bot.render import links
from bot.render.typography import french


def for_api(message: dict[str, Any]) -> dict[str, Any]:
    """Text with addresses kept (« title (https://…) »), its links listed, button titles typeset."""
    text, found = links.plain(french(message.get("text") or ""))
    buttons = [{**button, "title": french(button["title"])} for button in message.get("buttons") or []
               if "title" in button and "payload" in button]
    return {"text": text, "buttons": buttons,
            "links": [{"title": link.title, "url": link.url, "text": link.text} for link in found]}


def plain_text(text: str) -> str:
    """The text a plain client shows (to recognise a reply sent back by the widget)."""
    return links.plain(french(text))[0]


def for_telegram(text: str) -> str:
    return links.telegram_html(french(text))


def for_slack(text: str) -> str:
    return links.slack_mrkdwn(french(text))


def button_title(title: str) -> str:
    return french(title)
