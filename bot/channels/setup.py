"""Turn the channel settings into adapters; report which channels are on."""

from __future__ import annotations

import logging
from typing import Optional

from bot.channels.slack import SlackAdapter
from bot.channels.telegram import TelegramAdapter
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_channels(settings: Settings, redis=None) -> tuple[Optional[TelegramAdapter], Optional[SlackAdapter], dict[str, str]]:
    """The adapters of the channels that are on; `redis`: the worker's shared client, if any."""
    status: dict[str, str] = {}
    telegram = slack = None
    if not settings.telegram_bot_token:
        status["telegram"] = "off"
    elif not settings.telegram_secret_token:
        # Safe by default: without a secret anyone could post fake updates.
        log.error("channels.telegram.disabled reason=BOUSSOLE_TELEGRAM_SECRET_TOKEN is not set")
        status["telegram"] = "off: BOUSSOLE_TELEGRAM_SECRET_TOKEN missing"
    else:
        telegram = TelegramAdapter(settings.telegram_bot_token, settings.telegram_secret_token,
                                   settings.telegram_api_base, settings.telegram_bot_username, redis)
        status["telegram"] = "on"
    if not settings.slack_bot_token:
        status["slack"] = "off"
    elif not settings.slack_signing_secret:
        log.error("channels.slack.disabled reason=BOUSSOLE_SLACK_SIGNING_SECRET is not set")
        status["slack"] = "off: BOUSSOLE_SLACK_SIGNING_SECRET missing"
    else:
        slack = SlackAdapter(settings.slack_bot_token, settings.slack_signing_secret, settings.slack_api_base, redis)
        status["slack"] = "on"
    return telegram, slack, status
