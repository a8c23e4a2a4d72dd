"""POST /api/chat and /api/feedback take JSON only: no Content-Type (what a `no-cors` fetch from
another site sends) gets 415 like text/plain, before the body is read."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from bot.web.app import JSON_POST_PATHS
from bot.web.guards import is_json_media_type

BODY = b'{"message": "bonjour"}'


@pytest.mark.parametrize("path", JSON_POST_PATHS)
@pytest.mark.parametrize("content_type", [None, "", "text/plain", "text/plain;charset=UTF-8",
                                          "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                                          "application/jsonx", "application/merge-patch+json", "json"])
def test_a_body_that_is_not_declared_json_gets_415_in_french(client, path, content_type):
    headers = {} if content_type is None else {"content-type": content_type}
    response = client.post(path, content=BODY, headers=headers)
    assert response.status_code == 415, response.text
    assert response.json() == {"code": "unsupported_media_type",
                               "detail": "Le corps de la requête doit être du JSON (en-tête « Content-Type: application/json »)."}


def test_the_body_is_not_read(client):
    def body_that_must_not_be_read():
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    response = client.post("/api/chat", content=body_that_must_not_be_read())
    assert response.status_code == 415


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"])
def test_json_goes_through_to_the_route(client, content_type):
    # Past the guard: the route answers (an unknown conversation here), not the guard.
    response = client.post("/api/chat", content=b'{"message": "bonjour", "conversation_id": "' + b"0" * 64 + b'"}',
                           headers={"content-type": content_type})
    assert response.status_code == 404 and response.json()["code"] == "unknown_conversation"


@pytest.mark.parametrize("content_type, expected", [
    ("application/json", True), (" application/json ; charset=utf-8", True), ("APPLICATION/JSON", True),
    (None, False), ("", False), ("application/json-seq", False), ("text/json", False),
])
def test_is_json_media_type(content_type, expected):
    assert is_json_media_type(content_type) is expected


def test_other_routes_keep_their_own_answers(client):
    assert client.post("/api/metiers").status_code == 405  # wrong method, whatever the body
    assert client.post("/nulle-part").status_code == 404


def test_every_post_route_of_the_public_api_is_guarded(app):
    posts = {r.path for r in app.routes if isinstance(r, APIRoute) and "POST" in r.methods and r.path.startswith("/api/")}
    assert posts == set(JSON_POST_PATHS)
