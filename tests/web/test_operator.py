"""Who reads the operator's data (bot/web/operator.py): /api/report, /metrics and the details of /health.

Without a token, a loopback-bound service serves it only to a request straight
from this machine: a loopback peer AND no forwarding header. A TLS proxy on the
same host relays the world from 127.0.0.1, with X-Forwarded-For: that must not
open every user's questions. The TestClient's peer is whatever the test says;
the last tests use a real uvicorn server on 127.0.0.1, where uvicorn's
proxy_headers rewrites the peer from X-Forwarded-For.
"""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from bot.devtools.stack import free_port
from bot.settings import Settings
from bot.web import operator
from bot.web.app import create_app
from bot.web.http_limits import uvicorn_options
from tests.web.conftest import running_server

LOOPBACK = ("127.0.0.1", 50000)
FORWARDED = {"X-Forwarded-For": "203.0.113.5"}
OPERATOR_ROUTES = ("/api/report", "/metrics")
# The report has no tracker store here: 503 report_unavailable means it got past the operator check.
PASSED = {"/api/report": 503, "/metrics": 200}


@pytest.fixture(scope="module")
def open_app(tmp_path_factory):
    """No operator token, listening on loopback: the set-up of a developer, or of a same-host proxy."""
    app = create_app(Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("open")))
    with TestClient(app, client=LOOPBACK):  # runs the lifespan once for the module
        yield app


def client_from(app, host: str) -> TestClient:
    return TestClient(app, client=(host, 50000))


def refused_as_operator_only(response: httpx.Response) -> bool:
    body = response.json()
    return (response.status_code == 403 and body["code"] == "operator_token_required"
            and "BOUSSOLE_OPERATOR_TOKEN" in body["detail"] and "proxy" in body["detail"])


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1"])
def test_a_direct_loopback_request_reads_the_operator_data_without_a_token(open_app, path, host):
    assert client_from(open_app, host).get(path).status_code == PASSED[path]


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
@pytest.mark.parametrize("header, value", [
    ("X-Forwarded-For", "203.0.113.5"),
    ("X-Forwarded-For", "127.0.0.1"),  # what it says does not matter: it was relayed
    ("Forwarded", "for=203.0.113.5;proto=https"),
    ("X-Real-IP", "203.0.113.5"),
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Host", "boussole.example"),
    ("Via", "1.1 proxy"),
    ("True-Client-IP", "203.0.113.5"),
    ("CF-Connecting-IP", "203.0.113.5"),
])
def test_a_request_relayed_by_a_same_host_proxy_needs_the_token(open_app, path, header, value):
    assert refused_as_operator_only(client_from(open_app, "127.0.0.1").get(path, headers={header: value}))


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
@pytest.mark.parametrize("host", ["203.0.113.5", "testclient", "10.0.0.1"])
def test_a_peer_beyond_loopback_needs_the_token(open_app, path, host):
    assert refused_as_operator_only(client_from(open_app, host).get(path))


def test_health_details_are_for_the_operator_only(open_app):
    local = client_from(open_app, "127.0.0.1").get("/health").json()
    assert local["checks"]["rasa"]["servers"][0]["url"].startswith("http://127.0.0.1:")
    assert "action_answer" in local["checks"]["actions"]["registered"] and "channels" in local
    for response in (client_from(open_app, "127.0.0.1").get("/health", headers=FORWARDED),
                     client_from(open_app, "203.0.113.5").get("/health")):
        public = response.json()
        assert response.status_code == 503  # the same status as the operator's: Rasa is down
        assert public == {"status": "degraded", "checks": {name: {"ok": check["ok"]}
                                                           for name, check in local["checks"].items()}}
        assert "127.0.0.1" not in response.text and "action_answer" not in response.text


# --- with BOUSSOLE_OPERATOR_TOKEN --------------------------------------------------------------

@pytest.fixture(scope="module")
def token_app(tmp_path_factory):
    app = create_app(Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("token"),
                              operator_token="s3cret-token"))
    with TestClient(app, client=LOOPBACK):
        yield app


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
@pytest.mark.parametrize("authorization", [
    "Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token", "BeArEr s3cret-token",
    "Bearer   s3cret-token", " Bearer s3cret-token ",
])
def test_the_bearer_scheme_is_case_insensitive(token_app, path, authorization):
    for host, headers in (("127.0.0.1", {}), ("127.0.0.1", FORWARDED), ("203.0.113.5", {})):
        response = client_from(token_app, host).get(path, headers={"Authorization": authorization, **headers})
        assert response.status_code == PASSED[path], (host, headers)


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
@pytest.mark.parametrize("authorization", [
    None, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer s3cret-token-and-more", "Basic s3cret-token",
    "s3cret-token", "Bearers3cret-token", "Token s3cret-token",
])
def test_anything_but_the_token_gets_401_even_from_loopback(token_app, path, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client_from(token_app, "127.0.0.1").get(path, headers=headers)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("Jeton d'opérateur manquant ou invalide")


def test_health_with_a_token_shows_the_details_to_its_bearer_only(token_app):
    assert "servers" in client_from(token_app, "203.0.113.5").get(
        "/health", headers={"Authorization": "bearer s3cret-token"}).json()["checks"]["rasa"]
    assert client_from(token_app, "127.0.0.1").get("/health").json()["checks"]["rasa"] == {"ok": False}


def test_the_token_is_compared_in_constant_time(monkeypatch):
    compared = []

    def spy(a, b):
        compared.append((a, b))
        return a == b

    monkeypatch.setattr(operator.hmac, "compare_digest", spy)
    assert operator.bearer_matches("bearer tok", "tok")
    assert not operator.bearer_matches("Basic tok", "tok")  # compared all the same: no timing difference
    assert compared == [(b"tok", b"tok"), (b"tok", b"tok")]


# --- a real loopback peer: uvicorn on 127.0.0.1, proxy_headers on (its default) ----------------

@pytest.fixture(scope="module")
def loopback_server(tmp_path_factory):
    settings = Settings(rasa_port=free_port(), state_dir=tmp_path_factory.mktemp("served"))
    with running_server(create_app(settings), **uvicorn_options(settings)) as (host, port):
        yield f"http://{host}:{port}"


@pytest.mark.parametrize("path", OPERATOR_ROUTES)
def test_over_real_loopback_direct_is_open_and_forwarded_needs_the_token(loopback_server, path):
    assert httpx.get(loopback_server + path).status_code == PASSED[path]
    # uvicorn trusts 127.0.0.1 for X-Forwarded-For: request.client becomes 203.0.113.5, or
    # 127.0.0.1 when the far end forges that; either way the header gives the proxy away.
    for forwarded_for in ("203.0.113.5", "127.0.0.1"):
        response = httpx.get(loopback_server + path, headers={"X-Forwarded-For": forwarded_for})
        assert refused_as_operator_only(response), forwarded_for


def test_over_real_loopback_health_details_are_not_relayed(loopback_server):
    assert "servers" in httpx.get(loopback_server + "/health").json()["checks"]["rasa"]
    relayed = httpx.get(loopback_server + "/health", headers=FORWARDED)
    assert relayed.json()["checks"]["rasa"] == {"ok": False} and "channels" not in relayed.json()
