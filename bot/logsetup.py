"""The operator's log: one format for every Boussole process, on standard error.

`boussole` configures it at start; so does each worker of `boussole serve
--workers N`, which uvicorn starts as a fresh interpreter where nothing was
configured (without this, a worker's INFO lines such as `chat.turn` were lost
and only warnings reached the terminal). Already configured: left as it is.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure() -> None:
    logging.basicConfig(level=logging.INFO, format=FORMAT)  # does nothing if the root logger has handlers
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per proxied request is noise
