"""Bad input on the public service (real stack over HTTP): a clear 4xx with a French
message for each case, 429 for a flood, and the service stays up."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter

import httpx
import pytest

from bot.devtools.stack import Stack
from bot.text import fold

pytestmark = pytest.mark.slow

JSON = "application/json"
CONVERSATION_ID = "0" * 64  # well-formed, not issued: refused as unknown, after the checks below


def has(text, *words):
    return all(fold(w) in fold(text) for w in words)


def refusal(response: httpx.Response, status: int, code: str, *words: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["code"] == code, body
    assert has(body["detail"], *words), body["detail"]


def post(url: str, body, content_type=JSON, **kwargs) -> httpx.Response:
    headers = {"content-type": content_type} if content_type else {}
    return httpx.post(f"{url}/api/chat", content=body, headers=headers, timeout=60, **kwargs)


def message(text: str, **fields) -> bytes:
    return json.dumps({"message": text, **fields}).encode()


def say(url: str, text: str = "bonjour", conversation_id=None) -> httpx.Response:
    body = {"message": text, **({"conversation_id": conversation_id} if conversation_id else {})}
    return httpx.post(f"{url}/api/chat", json=body, timeout=60)


NOT_JSON = ["JSON valide"]
NOT_AN_OBJECT = ["objet JSON", "par exemple"]
EMPTY_BODY = ["corps de la requête est vide"]
TEXT_EXPECTED = ["message", "texte attendu"]
CONTROL = ["message", "caractères de contrôle interdits", "retour à la ligne"]
UTF8 = ["UTF-8 valide"]

BAD_BODIES = [
    # body, content type, status, code, words of the French message
    pytest.param(b"", JSON, 422, "empty_body", EMPTY_BODY, id="empty"),
    pytest.param(b"", None, 415, "unsupported_media_type", ["JSON", "Content-Type"], id="empty-without-content-type"),
    pytest.param(b"null", JSON, 422, "empty_body", EMPTY_BODY, id="null"),
    pytest.param(b"   ", JSON, 400, "invalid_json", NOT_JSON, id="blank"),
    pytest.param(b"{pas du json", JSON, 400, "invalid_json", NOT_JSON, id="truncated"),
    pytest.param(b'{"message": "salut",}', JSON, 400, "invalid_json", NOT_JSON, id="trailing-comma"),
    pytest.param(b"{'message': 'salut'}", JSON, 400, "invalid_json", NOT_JSON, id="single-quotes"),
    pytest.param(b'{"message": ' + b"9" * 5000 + b"}", JSON, 400, "invalid_json", NOT_JSON, id="5000-digit-number"),
    pytest.param(b"[" * 20000 + b"]" * 20000, JSON, 400, "json_too_deep", ["trop imbriqué"], id="deeply-nested"),
    pytest.param(b"[]", JSON, 422, "not_an_object", NOT_AN_OBJECT, id="array"),
    pytest.param(b'"bonjour"', JSON, 422, "not_an_object", NOT_AN_OBJECT, id="string"),
    pytest.param(b"42", JSON, 422, "not_an_object", NOT_AN_OBJECT, id="number"),
    pytest.param(b"true", JSON, 422, "not_an_object", NOT_AN_OBJECT, id="boolean"),
    pytest.param(b"{}", JSON, 422, "missing_field", ["« message »", "obligatoire"], id="no-message"),
    pytest.param(b'{"conversation_id": null}', JSON, 422, "missing_field", ["« message »", "obligatoire"], id="only-id"),
    pytest.param(b'{"message": null}', JSON, 422, "null_value", ["« message »", "null n'est pas acceptée"], id="null-message"),
    pytest.param(b'{"message": 42}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="int-message"),
    pytest.param(b'{"message": 4.2}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="float-message"),
    pytest.param(b'{"message": NaN}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="nan-message"),
    pytest.param(b'{"message": true}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="bool-message"),
    pytest.param(b'{"message": ["salut"]}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="list-message"),
    pytest.param(b'{"message": {"texte": "salut"}}', JSON, 422, "wrong_type", TEXT_EXPECTED, id="object-message"),
    pytest.param(b'{"message": "salut", "conversation_id": 7}', JSON, 422, "wrong_type",
                 ["« conversation_id »", "texte attendu"], id="int-conversation-id"),
    pytest.param(message(""), JSON, 422, "empty_message", ["message est vide"], id="empty-message"),
    pytest.param(message(" \n\t "), JSON, 422, "empty_message", ["message est vide"], id="blank-message"),
    pytest.param(message("é" * 2001), JSON, 422, "message_too_long", ["trop long", "2001 caractères", "2000"], id="2001-chars"),
    pytest.param(message("a" * 30000), JSON, 422, "message_too_long", ["trop long", "30000 caractères"], id="30000-chars"),
    pytest.param(message("a" * 100_000), JSON, 413, "body_too_large", ["trop volumineuse", "65536 octets"], id="100000-chars"),
    pytest.param(b'{"message": "salut"}', "text/plain", 415, "unsupported_media_type", ["JSON", "Content-Type"], id="text-plain"),
    pytest.param(b"message=salut", "application/x-www-form-urlencoded", 415, "unsupported_media_type", ["JSON"], id="form"),
    # Invalid UTF-8: Latin-1 text, a broken sequence, a stray continuation byte, bytes that are not text.
    pytest.param('{"message": "café"}'.encode("latin-1"), JSON, 400, "invalid_encoding", UTF8, id="latin-1"),
    pytest.param(b'{"message": "\xc3\x28"}', JSON, 400, "invalid_encoding", UTF8, id="broken-sequence"),
    pytest.param(b'{"message": "\x80"}', JSON, 400, "invalid_encoding", UTF8, id="continuation-byte"),
    # No Content-Type is not JSON (a `no-cors` fetch from any site sends none): 415 before the body is read.
    pytest.param(b"\x80\x81\xfe", None, 415, "unsupported_media_type", ["JSON"], id="binary-without-content-type"),
    pytest.param(b'{"message": "salut"}', None, 415, "unsupported_media_type", ["JSON"], id="json-without-content-type"),
    # Lone surrogates: valid JSON escapes (or CESU-8 bytes) that no UTF-8 text can hold.
    pytest.param(b'{"message": "salut \\ud800"}', JSON, 422, "invalid_characters", ["« message »", "Unicode invalides"],
                 id="lone-surrogate-escape"),
    pytest.param(b'{"message": "\xed\xa0\x80"}', JSON, 422, "invalid_characters", ["Unicode invalides"], id="cesu-8-surrogate"),
    # C0 and C1 control characters other than \n, \r and \t.
    pytest.param(message("salut\x00"), JSON, 422, "control_characters", CONTROL, id="nul"),
    pytest.param(message("\x07bip"), JSON, 422, "control_characters", CONTROL, id="bell"),
    pytest.param(message("\x1b[31mrouge\x1b[0m"), JSON, 422, "control_characters", CONTROL, id="ansi-escape"),
    pytest.param(message("a\x0bb\x0cc"), JSON, 422, "control_characters", CONTROL, id="vertical-tab-form-feed"),
    pytest.param(message("efface\x7f"), JSON, 422, "control_characters", CONTROL, id="del"),
    pytest.param(message("ligne\x85suivante"), JSON, 422, "control_characters", CONTROL, id="c1-next-line"),
    pytest.param(message("\x9b31m"), JSON, 422, "control_characters", CONTROL, id="c1-csi"),
    pytest.param(message("salut", conversation_id=CONVERSATION_ID[:-1] + "\x00"), JSON, 422, "control_characters",
                 ["« conversation_id »", "caractères de contrôle"], id="control-in-id"),
]


@pytest.mark.parametrize("body, content_type, status, code, words", BAD_BODIES)
def test_bad_body_gets_a_french_4xx(stack, body, content_type, status, code, words):
    refusal(post(stack.url, body, content_type), status, code, *words)


def chunks(body: bytes, size: int = 4096):
    """An iterator body: httpx sends it chunked, without Content-Length."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


def test_a_chunked_body_over_the_limit_gets_413(stack):
    response = post(stack.url, chunks(message("a" * 100_000)))
    assert "content-length" not in response.request.headers
    refusal(response, 413, "body_too_large", "trop volumineuse", "65536 octets")


def test_a_chunked_body_that_never_ends_is_cut_at_the_limit(stack):
    def endless():
        yield b'{"message": "'
        while True:
            yield b"a" * 8192

    refusal(post(stack.url, endless()), 413, "body_too_large", "trop volumineuse")


def test_a_small_chunked_body_is_answered(stack):
    response = post(stack.url, chunks(message("combien gagne un ingé ML ?"), size=5))
    assert response.status_code == 200, response.text
    assert has(response.json()["replies"][0]["text"], "50 k€")


def test_a_long_conversation_outgrows_the_body_limit_of_the_public_api(stack):
    """Rasa's action calls to /webhook carry every event of the conversation (about 3 KB a
    turn): they have their own, larger limit, or every turn after the 18th would be an apology."""
    questions = ["c'est quoi un ingé ML ?", "et son salaire ?", "quelles compétences ?", "quelles études ?", "source ?"]
    conversation_id, turns = None, 0
    while turns < 25:
        response = say(stack.url, questions[turns % len(questions)], conversation_id)
        if response.status_code == 429:  # 10 at once, then 1 a second: wait as told
            time.sleep(int(response.headers["retry-after"]))
            continue
        assert response.status_code == 200, response.text
        conversation_id, turns = response.json()["conversation_id"], turns + 1
        assert "Désolé" not in response.json()["replies"][0]["text"], f"turn {turns}: {response.text}"
    assert "http.body_too_large method=POST path='/webhook'" not in stack.log_path.read_text(errors="replace")


@pytest.mark.parametrize("text", [
    pytest.param("bonjour\ncombien gagne un ingé ML ?", id="line-feed"),
    pytest.param("combien gagne\tun ingé ML ?", id="tab"),
    pytest.param("combien gagne un ingé ML ?\r\n", id="crlf"),
    pytest.param(("combien gagne un ingénieur en machine learning ? " * 50)[:2000], id="2000-chars"),  # the maximum
])
def test_line_breaks_tabs_and_the_maximum_length_are_accepted(stack, text):
    response = post(stack.url, message(text))
    assert response.status_code == 200, response.text
    assert response.json()["replies"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/nulle-part"),
    ("POST", "/nulle-part"),
    ("GET", "/api"),
    ("GET", "/api/chat/plus"),
    ("GET", "/api/metiers/ingenieur-machine-learning/salaire"),
    ("DELETE", "/api/inconnu"),
    ("GET", "/%FF%FE"),
])
def test_unknown_routes_get_404(stack, method, path):
    refusal(httpx.request(method, f"{stack.url}{path}"), 404, "not_found", "adresse n'existe pas")


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/chat"),
    ("PUT", "/api/chat"),
    ("DELETE", "/api/chat"),
    ("PATCH", "/api/chat"),
    ("POST", "/health"),
    ("POST", "/api/metiers"),
    ("DELETE", "/api/metiers/ingenieur-machine-learning"),
    ("PUT", f"/api/conversations/{CONVERSATION_ID}"),
])
def test_wrong_methods_get_405(stack, method, path):
    refusal(httpx.request(method, f"{stack.url}{path}"), 405, "method_not_allowed", "méthode HTTP", "pas acceptée")


def test_the_service_stays_up_after_bad_input(stack):
    """Runs after the cases above (file order): nothing crashed, nothing was left unhandled."""
    assert httpx.get(f"{stack.url}/health").status_code == 200
    response = post(stack.url, message("combien gagne un ingé ML ?"))
    assert response.status_code == 200 and has(response.json()["replies"][0]["text"], "50 k€")
    log = stack.log_path.read_text(errors="replace")
    assert "http.unhandled" not in log and "Exception in ASGI application" not in log


# --- rate limiting: a stack of its own, with small buckets ------------------------------------

BURST, PER_SECOND = 5, 0.5
LIMITS = {
    "BOUSSOLE_RATE_LIMIT_CONVERSATION_BURST": str(BURST),
    "BOUSSOLE_RATE_LIMIT_CONVERSATION_PER_SECOND": str(PER_SECOND),
    "BOUSSOLE_RATE_LIMIT_NEW_BURST": str(BURST),
    "BOUSSOLE_RATE_LIMIT_NEW_PER_SECOND": str(PER_SECOND),
}


@pytest.fixture(scope="module")
def limited(trained_model, tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("limited"), extra_env=LIMITS) as running:
        yield running


def open_conversation(url: str) -> str:
    """A new conversation, waiting as told if the address has no token left (earlier tests drain it)."""
    for _ in range(5):
        response = say(url)
        if response.status_code != 429:
            assert response.status_code == 200, response.text
            return response.json()["conversation_id"]
        time.sleep(int(response.headers["retry-after"]))
    raise AssertionError("still rate limited after waiting as told")


def burst(url: str, bodies: list[dict]) -> tuple[list[httpx.Response], float]:
    async def run():
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
            return await asyncio.gather(*(client.post("/api/chat", json=body) for body in bodies))

    started = time.monotonic()
    responses = asyncio.run(run())
    return responses, time.monotonic() - started


def check_throttled(responses: list[httpx.Response], seconds: float) -> int:
    """All answered or refused with 429; at most the burst plus the refill got through. Returns a Retry-After."""
    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 429}, statuses
    assert 1 <= statuses[200] <= BURST + PER_SECOND * seconds + 1, statuses
    refused = [r for r in responses if r.status_code == 429]
    retry_afters = set()
    for response in refused:
        refusal(response, 429, "rate_limited", "Trop de messages", "patientez", "réessayer")
        retry_afters.add(int(response.headers["retry-after"]))
    assert retry_afters and all(1 <= s <= 1 / PER_SECOND for s in retry_afters), retry_afters
    assert has(refused[0].json()["detail"], f"patientez {refused[0].headers['retry-after']} s")
    return max(retry_afters)


def test_a_burst_of_1000_messages_in_one_conversation_gets_429(limited):
    conversation_id = open_conversation(limited.url)
    responses, seconds = burst(limited.url, [{"message": "bonjour", "conversation_id": conversation_id}] * 1000)
    wait = check_throttled(responses, seconds)
    assert httpx.get(f"{limited.url}/health").status_code == 200
    time.sleep(wait)
    assert say(limited.url, "combien gagne un ingé ML ?", conversation_id).status_code == 200


def test_a_burst_of_1000_new_conversations_from_one_address_gets_429(limited):
    existing = open_conversation(limited.url)
    responses, seconds = burst(limited.url, [{"message": "bonjour"}] * 1000)
    wait = check_throttled(responses, seconds)
    ids = [r.json()["conversation_id"] for r in responses if r.status_code == 200]
    assert len(set(ids)) == len(ids)
    # A conversation already open has its own bucket: it still gets answers.
    assert say(limited.url, "combien gagne un ingé ML ?", existing).status_code == 200
    assert httpx.get(f"{limited.url}/health").status_code == 200
    time.sleep(wait)
    assert say(limited.url).status_code == 200


def test_one_conversation_flooding_does_not_throttle_another(limited):
    flooding, other = open_conversation(limited.url), open_conversation(limited.url)
    statuses = Counter(say(limited.url, "bonjour", flooding).status_code for _ in range(BURST + 3))
    assert statuses[429] >= 2, statuses
    assert say(limited.url, "combien gagne un ingé ML ?", other).status_code == 200
    log = limited.log_path.read_text(errors="replace")
    assert "chat.rate_limited sender=conversation:" in log and "chat.rate_limited sender=address:127.0.0.1" in log
    assert flooding not in log and other not in log  # the ids are keys to the conversations: never logged
