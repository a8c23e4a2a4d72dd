"""Fuzz the running service from its own OpenAPI schema (real stack over HTTP).

Every operation of /openapi.json gets arbitrary bodies (JSON of any shape,
chat-like objects whose fields hold anything, raw bytes, invalid UTF-8, huge
strings, control characters, lone surrogates; declared or chunked length;
JSON or other content types), arbitrary path parameters and now and then
another method. The service must never answer a 5xx but 503 (Rasa
unavailable), every 4xx must be JSON whose "detail" is one of the service's
French messages, and /health must stay 200 afterwards.
"""

from __future__ import annotations

import json
import re
import string
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.stack import Stack
from bot.web import messages as M

pytestmark = pytest.mark.slow

# Examples: POST /api/chat, where the input goes, gets its own round of chat-like JSON objects;
# every operation (it too) gets a round of anything.
CHAT_EXAMPLES, OTHER_EXAMPLES = 150, 40


def french_patterns() -> list[re.Pattern]:
    """Every user-facing message of bot/web/messages.py, its {placeholders} matching anything."""
    patterns = []
    for name, template in vars(M).items():
        if name.isupper() and isinstance(template, str):
            parts = [re.escape(text) + (".*" if field is not None else "")
                     for text, field, _, _ in string.Formatter().parse(template)]
            patterns.append(re.compile("".join(parts), re.DOTALL))
    return patterns


FRENCH = french_patterns()


@pytest.fixture(scope="module")
def fuzz_stack(trained_model, tmp_path_factory):
    # Buckets out of the way: this test is about input, not throttling (a 429 would still pass).
    env = {"BOUSSOLE_RATE_LIMIT_NEW_BURST": "100000", "BOUSSOLE_RATE_LIMIT_CONVERSATION_BURST": "100000",
           "BOUSSOLE_RATE_LIMIT_ADDRESS_BURST": "100000"}
    with Stack(tmp_path_factory.mktemp("fuzz"), extra_env=env) as running:
        yield running


@pytest.fixture(scope="module")
def client(fuzz_stack):
    with httpx.Client(base_url=fuzz_stack.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def issued_id(client) -> str:
    """A real conversation, so that fuzzed messages also reach an existing one and its history."""
    response = client.post("/api/chat", json={"message": "bonjour"})
    assert response.status_code == 200, response.text
    return response.json()["conversation_id"]


def operations(client) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return [(path, method.upper()) for path, item in schema["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


# --- strategies ---------------------------------------------------------------------------------

surrogates = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
controls = st.characters(max_codepoint=0x9F)  # ASCII with every C0 and C1 control
nasty_text = st.one_of(
    st.text(),
    st.text(alphabet=controls, min_size=1),
    st.text(alphabet=st.one_of(st.characters(exclude_categories=["Cc"]), surrogates), min_size=1),
    st.builds(lambda ch, n: ch * n, st.characters(), st.integers(1990, 100_000)),  # at and over the limits
    st.sampled_from(["", " \n\t", "bonjour", "combien gagne un ingé ML ?", "salut\x00", "\x1b[31m", "\ud800",
                     "é" * 2001, "default", "../../etc/passwd"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | nasty_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(nasty_text, children, max_size=4),
    max_leaves=12,
)


def chat_objects(issued: str):
    conversation_ids = st.one_of(st.none(), st.just(issued), st.just(issued), st.just(issued + "\n"), nasty_text, json_values)
    with_text = st.fixed_dictionaries({"message": nasty_text}, optional={"conversation_id": conversation_ids})
    anything = st.fixed_dictionaries({}, optional={
        "message": st.one_of(nasty_text, json_values), "conversation_id": conversation_ids, "extra": json_values,
    })
    return st.one_of(with_text, with_text, anything)


def encode(value, ascii_only: bool) -> bytes:
    # surrogatepass: a lone surrogate becomes CESU-8 bytes, as a broken client would send it.
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def bodies(issued: str):
    """Anything: chat-like or other JSON, invalid UTF-8 inside JSON, raw bytes, nothing."""
    invalid_utf8 = st.builds(lambda raw: b'{"message": "' + raw + b'"}', st.binary(min_size=1, max_size=64))
    return st.one_of(st.builds(encode, chat_objects(issued), st.booleans()), st.builds(encode, json_values, st.booleans()),
                     invalid_utf8, st.binary(max_size=256), st.just(b""))


def path_parameters(issued: str):
    texts = st.one_of(st.text(min_size=1), st.text(alphabet=controls, min_size=1),
                      st.sampled_from(["ingenieur-machine-learning", issued, "0" * 64, "..", "%", " ", "ü"]))
    return st.one_of(
        texts.map(lambda t: quote(t.encode("utf-8", "surrogatepass"), safe="")),
        st.binary(min_size=1, max_size=32).map(lambda b: quote(b, safe="")),  # invalid UTF-8 too
    )


content_types = st.sampled_from([
    "application/json", None, "application/json; charset=latin-1", "application/problem+json",
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
])
other_methods = st.one_of(st.none(), st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))


# --- the test -----------------------------------------------------------------------------------

def check(response: httpx.Response) -> None:
    status = response.status_code
    assert status < 500 or status == 503, (status, response.text[:500])
    if 400 <= status < 500 or (status == 503 and response.request.url.path != "/health"):
        assert response.headers.get("content-type", "").startswith("application/json"), response.headers
        body = response.json()
        detail = body.get("detail")
        assert isinstance(detail, str) and detail, body
        assert any(p.fullmatch(detail) for p in FRENCH), f"not one of the French messages: {detail!r}"
        assert isinstance(body.get("code"), str), body


def fuzz(client: httpx.Client, issued: str, path: str, method: str, examples: int,
         bodies, content_types, other_methods) -> None:
    """`examples` requests to one operation of the schema, each checked."""
    names = re.findall(r"{(\w+)}", path)

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
    @given(values=st.fixed_dictionaries({name: path_parameters(issued) for name in names}), other_method=other_methods,
           body=bodies, content_type=content_types, chunked=st.booleans())
    def one_request(values, other_method, body, content_type, chunked):
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        headers = {"content-type": content_type} if content_type else {}
        content = iter([body[:len(body) // 2], body[len(body) // 2:]]) if chunked else body  # chunked transfer
        check(client.request(other_method or method, url, content=content, headers=headers))

    one_request()


def test_fuzz_every_operation_of_the_schema(fuzz_stack, client, issued_id):
    ops = operations(client)
    assert ("POST", "/api/chat") in [(m, p) for p, m in ops] and ("/api/metiers/{metier_id}", "GET") in ops
    anything = dict(bodies=bodies(issued_id), content_types=content_types, other_methods=other_methods)
    for path, method in ops:
        if (path, method) == ("/api/chat", "POST"):
            # Where the input goes: JSON objects with fields of any type and any text, then anything at all.
            fuzz(client, issued_id, path, method, CHAT_EXAMPLES, st.builds(encode, chat_objects(issued_id), st.booleans()),
                 st.just("application/json"), st.none())
        fuzz(client, issued_id, path, method, OTHER_EXAMPLES, **anything)
    # Still up, still answering, the history of the fuzzed conversation still readable, nothing unhandled.
    assert client.get("/health").status_code == 200
    assert client.post("/api/chat", json={"message": "combien gagne un ingé ML ?"}).status_code == 200
    assert client.get(f"/api/conversations/{issued_id}").status_code == 200
    log = fuzz_stack.log_path.read_text(errors="replace")
    assert "http.unhandled" not in log and "Exception in ASGI application" not in log
