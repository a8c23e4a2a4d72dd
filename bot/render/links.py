"""Titled links in replies, one markup for every channel.

The answers write a source as `[fiche M1855 « Data scientist »](https://…)`
(the frames of data/answers/frames.yml). Each channel shows it its own way:
the plain API keeps the address in the text for clients that cannot render
links, and lists the link so the widget can title it; Telegram gets an HTML
anchor, Slack its `<url|title>` form.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable

LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>]+)\)")


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    text: str  # how the plain text writes it, so a client can find and replace it


def plain_form(title: str, url: str) -> str:
    return f"{title} ({url})"


def _render(text: str, prose: Callable[[str], str], link: Callable[[str, str], str]) -> str:
    pieces, last = [], 0
    for match in LINK.finditer(text):
        pieces += [prose(text[last:match.start()]), link(match.group(1), match.group(2))]
        last = match.end()
    pieces.append(prose(text[last:]))
    return "".join(pieces)


def plain(text: str) -> tuple[str, list[Link]]:
    """The text with each link written « title (address) », and the links in order."""
    links = [Link(m.group(1), m.group(2), plain_form(m.group(1), m.group(2))) for m in LINK.finditer(text)]
    return _render(text, lambda s: s, plain_form), links


def telegram_html(text: str) -> str:
    """Telegram's HTML parse mode: the prose escaped, each link an anchor."""
    return _render(text, lambda s: html.escape(s, quote=False),
                   lambda title, url: f'<a href="{html.escape(url)}">{html.escape(title, quote=False)}</a>')


def _slack_escape(prose: str) -> str:
    # Slack's mrkdwn reserves only these three characters.
    return prose.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(text: str) -> str:
    """Slack's mrkdwn: the prose escaped, each link `<address|title>`."""
    return _render(text, _slack_escape, lambda title, url: f"<{url}|{_slack_escape(title).replace('|', '¦')}>")
