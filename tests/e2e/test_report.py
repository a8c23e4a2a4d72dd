"""`boussole report` on a SQLite tracker store filled by a few hundred real turns through the stack.

The report must rank what failed (fallback, out of scope, low confidence,
« ma source ne dit rien » by facet, replies marked « pas utile »), never show a
sender id, and give Rasa NLU YAML that Rasa itself reads back.
"""

from __future__ import annotations

import json
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.devtools.stack import Stack
from tests.report_traffic import SCRIPTS, SENIOR, TURNS_PER_ROUND, UNSURE_QUESTION, check_json_report, fill, press, report
from tests.conftest import Conversation

pytestmark = pytest.mark.slow

ROUNDS = 30  # 30 rounds of 10 turns: a store of a few hundred turns, as an operator's week


@pytest.fixture(scope="module")
def filled(trained_model, tmp_path_factory):
    """A stack of its own, so that its tracker store holds these conversations only."""
    with Stack(tmp_path_factory.mktemp("report")) as stack:
        started = time.time()
        ids = fill(stack.url, ROUNDS)
        yield stack, ids, started


def test_the_report_ranks_the_failures_of_a_few_hundred_turns(filled):
    stack, ids, _ = filled
    assert ROUNDS * TURNS_PER_ROUND >= 300
    env = {"BOUSSOLE_STATE_DIR": str(stack.state_dir)}
    result = report(env, "--format", "json")
    check_json_report(result, ROUNDS)
    # Progress on standard error, a line per thousand events and one at the end.
    assert "events read (100 %)" in result.stderr, result.stderr
    assert len([line for line in result.stderr.splitlines() if "events read" in line]) >= 2, result.stderr
    for fmt in ("json", "table", "csv", "yaml"):
        out = report(env, "--format", fmt).stdout
        leaked = [i for i in ids if i in out or i[:24] in out]
        assert not leaked, f"{fmt} shows sender ids"


def test_the_table_lists_each_kind_of_failure(filled):
    stack, _, _ = filled
    table = report({"BOUSSOLE_STATE_DIR": str(stack.state_dir)}).stdout
    for heading in ("Not understood (nlu_fallback)", "Classified out of scope", "Understood with low confidence",
                    "Replies marked « pas utile »", "« Ma source ne dit rien » replies, by missing facet"):
        assert heading in table, table
    assert f"{2 * ROUNDS:>5} {2 * ROUNDS:>5}" in table and UNSURE_QUESTION in table
    assert "salaire d'un profil senior" in table and "reply: " in table


def test_the_yaml_is_rasa_training_data_under_the_guessed_intents(filled, tmp_path):
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    stack, _, _ = filled
    out = tmp_path / "to-review.yml"
    result = report({"BOUSSOLE_STATE_DIR": str(stack.state_dir)}, "--format", "yaml", "--output", str(out))
    assert result.returncode == 0 and result.stdout == "", result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Boussole report") and "REVIEW" in text
    examples = {m.get("text"): m.get("intent") for m in RasaYAMLReader().reads(text).training_examples}
    assert UNSURE_QUESTION in examples and examples[UNSURE_QUESTION] not in ("nlu_fallback", None)
    assert all(not t.startswith("/") for t in examples)  # quick-reply payloads are not questions to paste
    assert "nlu_fallback" not in examples.values()


def test_since_keeps_only_the_newer_turns(filled):
    stack, _, _ = filled
    env = {"BOUSSOLE_STATE_DIR": str(stack.state_dir)}
    later = Conversation(stack.url)
    time.sleep(1.1)
    cut = time.strftime("%Y-%m-%dT%H:%M:%S")
    later.say(UNSURE_QUESTION)
    result = report(env, "--format", "json", "--since", cut)
    assert result.returncode == 0, result.stderr
    assert '"turns": 1,' in result.stdout and f'"count": 1' in result.stdout
    bad = report(env, "--since", "la semaine dernière")
    assert bad.returncode == 2 and "expected a date (2026-12-01)" in bad.stderr


def test_the_report_over_http_is_the_same_report(filled):
    stack, ids, _ = filled
    command = json.loads(report({"BOUSSOLE_STATE_DIR": str(stack.state_dir)}, "--format", "json").stdout)
    served = httpx.get(f"{stack.url}/api/report", timeout=60)  # loopback: no operator token needed
    assert served.status_code == 200 and served.headers["content-type"].startswith("application/json")
    assert served.json()["fallback"][0] == command["fallback"][0]
    assert not any(i in served.text for i in ids)
    yaml = httpx.get(f"{stack.url}/api/report", params={"format": "yaml", "since": "1d"}, timeout=60)
    assert yaml.status_code == 200 and UNSURE_QUESTION in yaml.text
    for params, code in (({"since": "hier"}, "invalid_since"), ({"format": "pdf"}, "invalid_format")):
        refused = httpx.get(f"{stack.url}/api/report", params=params, timeout=60)
        assert (refused.status_code, refused.json()["code"]) == (422, code) and "Paramètre" in refused.json()["detail"]


def test_a_store_that_does_not_exist_is_named(tmp_path):
    result = report({"BOUSSOLE_STATE_DIR": str(tmp_path / "nowhere")})
    assert result.returncode == 1 and "[E050]" in result.stderr and "tracker.db" in result.stderr


def test_feedback_is_kept_in_the_tracker_counted_and_shown_again(filled):
    stack, _, _ = filled
    conversation = Conversation(stack.url)
    conversation.say("combien gagne un ingénieur ML ?")
    conversation.say(SENIOR)
    assert press(stack.url, conversation, True).json() == {
        "conversation_id": conversation.conversation_id, "helpful": True, "message": "Merci pour votre avis !"}
    assert press(stack.url, conversation, False).status_code == 200  # changed their mind: the last press counts
    history = httpx.get(f"{stack.url}/api/conversations/{conversation.conversation_id}", timeout=30).json()
    judged = [m["helpful"] for m in history["messages"] if m["role"] == "bot"]
    assert judged == [None, False], history
    # The event is Rasa's own, in the conversation's tracker.
    events = httpx.get(f"{stack.rasa_url}/conversations/{conversation.conversation_id}/tracker",
                       params={"token": stack.token}, timeout=30).json()["events"]
    slots = [e["value"]["helpful"] for e in events if e["event"] == "slot" and e["name"] == "feedback"]
    assert slots == [True, False]
    # The conversation goes on as before.
    assert "50 k€" in conversation.say("et son salaire ?")
    metrics = {(s.name, s.labels.get("rating")): s.value
               for f in text_string_to_metric_families(httpx.get(f"{stack.url}/metrics").text) for s in f.samples}
    per_round = sum(1 for script in SCRIPTS for _, opinion in script if opinion is False)
    assert metrics[("boussole_feedback_total", "unhelpful")] == ROUNDS * per_round + 1
    assert metrics[("boussole_feedback_total", "helpful")] == ROUNDS + 1


def test_feedback_on_a_reply_that_is_not_in_the_conversation_is_refused_in_french(filled):
    stack, _, _ = filled
    conversation = Conversation(stack.url)
    conversation.say("bonjour")
    for body, status, code in (
        ({"conversation_id": conversation.conversation_id, "reply": "Une réponse inventée.", "helpful": False}, 404, "unknown_reply"),
        ({"conversation_id": conversation.conversation_id, "reply": "  ", "helpful": False}, 422, "empty_reply"),
        ({"conversation_id": "pas-un-identifiant", "reply": "Bonjour", "helpful": True}, 404, "unknown_conversation"),
        ({"conversation_id": conversation.conversation_id, "reply": "Bonjour", "helpful": "peut-être"}, 422, "wrong_type"),
    ):
        response = httpx.post(f"{stack.url}/api/feedback", json=body, timeout=30)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text
        assert response.json()["detail"][:1].isupper()
