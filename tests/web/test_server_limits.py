"""The HTTP server's limits (bot/web/http_limits.py), on a real uvicorn server with the real app (no Rasa).

Raw sockets, since what is tested happens before any HTTP client would be
happy: a request head too large, or never finished.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from bot.devtools.stack import free_port
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.http_limits import BoundedH11Protocol, uvicorn_options
from tests.web.conftest import running_server

HEADER_TIMEOUT = 0.5
MAX_HEADER_BYTES = 8192


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    settings = Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("limits"),
                        http_header_timeout_seconds=HEADER_TIMEOUT, http_max_header_bytes=MAX_HEADER_BYTES)
    with running_server(create_app(settings), **uvicorn_options(settings)) as address:
        yield address


def connect(address) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (or the socket's timeout, which fails the test)."""
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def head(path: str = "/health", extra: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{extra}".encode()


def closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes the connection; it must send nothing."""
    started = time.monotonic()
    assert sock.recv(65536) == b""
    return time.monotonic() - started


@pytest.mark.parametrize("end", ["\r\n\r\n", ""], ids=["whole head in one read", "head never ends"])
def test_a_head_over_the_limit_gets_431_in_french_and_the_connection_closed(server, end):
    with connect(server) as sock:
        sock.sendall(head(extra=f"X-Big: {'a' * (MAX_HEADER_BYTES + 100)}{end}"))
        response = read_all(sock)
    status, _, rest = response.partition(b"\r\n")
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    headers, _, body = rest.partition(b"\r\n\r\n")
    assert b"connection: close" in headers.lower() and b"application/json; charset=utf-8" in headers
    assert json.loads(body) == {"detail": "Les en-têtes de la requête sont trop volumineux : 8\u202f192 octets au maximum.",
                                "code": "headers_too_large"}


def test_ten_megabytes_of_headers_are_not_read(server):
    """The probe of the review: 10 MB of headers on one socket; refused once past the limit."""
    with connect(server) as sock:
        sent = 0
        try:
            sock.sendall(head())
            line = b"X-Big: " + b"a" * 65536 + b"\r\n"
            while sent < 10_000_000:
                sock.sendall(line)
                sent += len(line)
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed by the server: what is expected
        else:
            pytest.fail("the server read 10 MB of headers")
    assert sent < 5_000_000, sent  # at most what the kernel's socket buffers took, not the service


def test_a_head_under_the_limit_is_served(server):
    with connect(server) as sock:
        sock.sendall(head(extra=f"X-Fine: {'a' * (MAX_HEADER_BYTES // 2)}\r\nConnection: close\r\n\r\n"))
        assert read_all(sock).startswith(b"HTTP/1.1 503 ")  # /health degraded: no Rasa here


@pytest.mark.parametrize("sent", [b"", head(), head()[:5]], ids=["nothing", "no blank line", "half a line"])
def test_a_connection_that_never_completes_its_head_is_closed_after_the_timeout(server, sent):
    with connect(server) as sock:
        sock.sendall(sent)
        assert HEADER_TIMEOUT * 0.8 <= closed_after(sock) <= HEADER_TIMEOUT + 2


def test_a_head_sent_a_byte_at_a_time_does_not_keep_the_connection(server):
    """Slowloris: each byte would restart uvicorn's keep-alive timer; the deadline is for the whole head."""
    with connect(server) as sock:
        started = time.monotonic()
        try:
            for byte in head(extra="X-Slow: " + "a" * 100):
                sock.send(bytes([byte]))
                time.sleep(HEADER_TIMEOUT / 10)
        except (BrokenPipeError, ConnectionResetError):
            pass
        else:
            pytest.fail("the server kept reading a head for longer than its timeout")
        assert time.monotonic() - started <= HEADER_TIMEOUT + 2


def test_the_next_request_on_a_kept_alive_connection_has_its_own_deadline(server):
    with connect(server) as sock:
        for _ in range(2):  # a slow client is fine as long as each head comes in time
            sock.sendall(head(extra="\r\n"))
            response = sock.recv(65536)
            assert response.startswith(b"HTTP/1.1 503 ") and b'"status":"degraded"' in response
            time.sleep(HEADER_TIMEOUT * 0.6)
        sock.sendall(head())  # then a head that never ends
        assert closed_after(sock) <= HEADER_TIMEOUT + 2


def test_serve_passes_the_limits_to_uvicorn(tmp_path, monkeypatch):
    """`boussole serve` gives uvicorn the settings' limits (`run` calls the same uvicorn_options)."""
    import uvicorn

    from bot import cli
    from bot.settings import get_settings

    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: calls.append(kwargs))
    port = free_port()
    for name, value in {"BOUSSOLE_RASA_TOKEN": "t" * 24, "BOUSSOLE_HOST": "127.0.0.1", "BOUSSOLE_PORT": str(port),
                        "BOUSSOLE_STATE_DIR": str(tmp_path), "BOUSSOLE_HTTP_MAX_HEADER_BYTES": "4096",
                        "BOUSSOLE_HTTP_HEADER_TIMEOUT_SECONDS": "3", "BOUSSOLE_HTTP_MAX_CONNECTIONS": "500"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--port", str(port)]) == 0
    finally:
        get_settings.cache_clear()
    [options] = calls
    assert options["http"].func is BoundedH11Protocol and options["http"].keywords == {"header_timeout": 3.0}
    assert options["h11_max_incomplete_event_size"] == 4096 and options["limit_concurrency"] == 500
    assert options["timeout_keep_alive"] == 5.0
