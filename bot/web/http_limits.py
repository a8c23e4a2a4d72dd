"""What the HTTP server accepts before the app sees a request: the request head's size and time.

uvicorn leaves both open by default. Its default parser, httptools (installed
with uvicorn[standard]), takes request heads of any size: 50 sockets sending
10 MB of headers each took the service from 124 to 642 MB. Its h11 parser
stops at `h11_max_incomplete_event_size`, but says 400 for it. And no timer
runs before a request's head is complete: uvicorn 0.32.1 arms its keep-alive
timer only after a response (never on a new connection), and every byte
received cancels it, so a client that never finishes its headers, or sends
them a byte at a time (slowloris), holds its connection and its memory for
ever; uvicorn has no setting for that.

Hence `BoundedH11Protocol`, uvicorn's h11 protocol with a deadline on each
request head and 431 for a head over the limit, and `uvicorn_options()`,
the keyword arguments of uvicorn.run / uvicorn.Config that `boussole run`
and `boussole serve` both use (bot/cli.py).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from typing import Any, Optional

import h11
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.web import messages as M
from bot.web.shared_redis import ThrottledWarning

log = logging.getLogger(__name__)
_timeouts_warning = ThrottledWarning(log)  # one process-wide: a slowloris opens many connections


class _Connection(h11.Connection):
    """h11's connection with a strict limit on request heads, keeping the last error in what the
    client sent so that the protocol answers its status.

    h11 checks `max_incomplete_event_size` only while a head is incomplete: a head that arrives
    whole in one read (up to 256 KiB with asyncio) passes. Measuring the parsed head closes that gap.
    """

    last_error: Optional[h11.RemoteProtocolError] = None

    def __init__(self, max_head_bytes: int):
        super().__init__(h11.SERVER, max_incomplete_event_size=max_head_bytes)
        self.max_head_bytes = max_head_bytes

    def next_event(self):
        try:
            event = super().next_event()
            if isinstance(event, h11.Request) and _head_size(event) > self.max_head_bytes:
                raise h11.RemoteProtocolError("request head too large", error_status_hint=431)
            return event
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


def _head_size(request: h11.Request) -> int:
    """The request head's size on the wire (request line, headers, blank line), give or take spaces."""
    line = len(request.method) + len(request.target) + len(b"  HTTP/1.1\r\n")
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers.raw_items()) + 2


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus: a client has `header_timeout` seconds to send each request head
    (from the connection, or from the previous response), and a head over the size limit gets 431.

    Passed to uvicorn as `http=functools.partial(BoundedH11Protocol, header_timeout=...)`: uvicorn
    calls it with its usual arguments, and a partial of a module-level class survives the pickling
    of `--workers`.
    """

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._head_deadline: Optional[asyncio.TimerHandle] = None
        self.max_head_bytes = self.config.h11_max_incomplete_event_size or DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
        self.conn = _Connection(self.max_head_bytes)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:  # the head is complete (or the request failed)
            self._disarm_head_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request on this kept-alive connection gets its own deadline: uvicorn's
        # keep-alive timer stops at the first byte of it.
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm_head_deadline()

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """uvicorn answers 400 to any bad request; a head over the limit is 431, in French."""
        if getattr(self.conn.last_error, "error_status_hint", 400) != 431:
            super().send_400_response(msg)
            return
        limit = self.max_head_bytes
        log.debug("http.header_too_large client=%s limit=%d", _host(self.client), limit)
        body = json.dumps({"detail": M.HEADERS_TOO_LARGE.format(limit=f"{limit:,}".replace(",", "\u202f")),
                           "code": "headers_too_large"}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json; charset=utf-8"),
                   (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        for event in (h11.Response(status_code=431, headers=headers, reason=b"Request Header Fields Too Large"),
                      h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event))
        self.transport.close()

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_timed_out(self) -> None:
        """Close, without an answer: nothing was asked yet (a browser's idle pre-connection looks the same)."""
        self._head_deadline = None
        if self.transport.is_closing():
            return
        _timeouts_warning("http.header_timeout client=%s seconds=%g: request head not complete; closed",
                          _host(self.client), self.header_timeout)
        try:
            self.conn.send(h11.ConnectionClosed())
        except h11.LocalProtocolError:  # h11 is mid-request: closing the socket is all that is left
            pass
        self.transport.close()


def _host(client: Optional[tuple[str, int]]) -> str:
    return client[0] if client else "unknown"


def uvicorn_options(settings) -> dict[str, Any]:
    """The keyword arguments of uvicorn.run / uvicorn.Config that set the server's limits."""
    return {
        "http": functools.partial(BoundedH11Protocol, header_timeout=settings.http_header_timeout_seconds),
        "h11_max_incomplete_event_size": settings.http_max_header_bytes,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
        "limit_concurrency": settings.http_max_connections,
    }
