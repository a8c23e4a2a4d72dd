"""The body of an action call from Rasa, read and checked before an action runs.

rasa_sdk trusts the call: a tracker that is not an object, a missing
`next_action`, a number where the action reads text, each ended in a
TypeError or KeyError deep in the action, a 500 and a 40-line traceback.
`read_action_call()` refuses such a call with `MalformedCall`, naming the
first field that is wrong and what it should be (the route answers 400).

It checks the shape Rasa 3.6 sends (`RemoteAction._action_call_format`) and
what the actions read: the fields of `latest_message` (text, intent,
entities, ranking) and the slots, typed as domain.yml declares them. Extra
fields are left alone: a newer Rasa may add some.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Optional

import yaml

# What a JSON value must be, checked and named (in French, for the 400 body).
Check = tuple[Callable[[Any], bool], str]

TEXT: Check = (lambda v: isinstance(v, str), "un texte")
OPTIONAL_TEXT: Check = (lambda v: v is None or isinstance(v, str), "un texte ou null")
OBJECT: Check = (lambda v: isinstance(v, dict), "un objet JSON")
OPTIONAL_OBJECT: Check = (lambda v: v is None or isinstance(v, dict), "un objet JSON ou null")
LIST: Check = (lambda v: isinstance(v, list), "une liste")
BOOLEAN: Check = (lambda v: isinstance(v, bool), "un booléen")
OPTIONAL_NUMBER: Check = (lambda v: v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)),
                          "un nombre ou null")
ANY: Check = (lambda v: True, "une valeur JSON")

# Rasa's slot types (domain.yml `type:`) and what their value may be; a slot may always be null.
SLOT_CHECKS: dict[str, Check] = {
    "text": OPTIONAL_TEXT,
    "categorical": OPTIONAL_TEXT,
    "bool": (lambda v: v is None or isinstance(v, bool), "un booléen ou null"),
    "float": OPTIONAL_NUMBER,
    "list": (lambda v: v is None or (isinstance(v, list) and all(isinstance(i, str) for i in v)),
             "une liste de textes ou null"),
    "any": ANY,
}


class MalformedCall(ValueError):
    """An action call the executor must not run: which field, and what it should be."""

    def __init__(self, field: str, expected: str, action_name: Optional[str] = None):
        super().__init__(f"{field}: expected {expected}")
        self.field = field
        self.expected = expected
        self.action_name = action_name


def read_action_call(body: bytes, domain_file: Path) -> dict:
    """The call in `body`, checked; MalformedCall at the first wrong field."""
    try:
        call = json.loads(body)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON or not UTF-8
        raise MalformedCall("corps", "un JSON valide") from exc
    _expect(call, OBJECT, "corps")
    _expect(call.get("next_action"), TEXT, "next_action")
    name = call["next_action"]
    try:
        check_call(call, _slot_checks(domain_file))
    except MalformedCall as exc:
        exc.action_name = name
        raise
    return call


def check_call(call: dict, slot_checks: dict[str, Check]) -> None:
    """Everything of the call that rasa_sdk and the actions read has the type they expect."""
    if not call["next_action"]:
        raise MalformedCall("next_action", "un nom d'action")
    for field, check in (("sender_id", OPTIONAL_TEXT), ("version", OPTIONAL_TEXT), ("domain", OPTIONAL_OBJECT)):
        _expect(call.get(field), check, field)
    tracker = call.get("tracker")
    _expect(tracker, OBJECT, "tracker")
    _expect(tracker.get("sender_id"), TEXT, "tracker.sender_id")
    for field, check in (("paused", (lambda v: v is None or isinstance(v, bool), "un booléen")),
                         ("followup_action", OPTIONAL_TEXT), ("latest_action_name", OPTIONAL_TEXT),
                         ("active_loop", OPTIONAL_OBJECT), ("slots", OPTIONAL_OBJECT),
                         ("events", (lambda v: v is None or isinstance(v, list), "une liste"))):
        _expect(tracker.get(field), check, f"tracker.{field}")
    for i, event in enumerate(tracker.get("events") or []):
        _expect(event, OBJECT, f"tracker.events[{i}]")
        _expect(event.get("event"), TEXT, f"tracker.events[{i}].event")
    for slot, value in (tracker.get("slots") or {}).items():
        _expect(value, slot_checks.get(slot, ANY), f"tracker.slots.{slot}")
    _check_message(tracker.get("latest_message"))


def _check_message(message: Any) -> None:
    """The parse result of the last user message, as bot/answers/message.py reads it."""
    _expect(message, OPTIONAL_OBJECT, "tracker.latest_message")
    if not message:
        return
    where = "tracker.latest_message"
    _expect(message.get("text"), OPTIONAL_TEXT, f"{where}.text")
    _expect(message.get("intent"), OPTIONAL_OBJECT, f"{where}.intent")
    intent = message.get("intent") or {}
    _expect(intent.get("name"), OPTIONAL_TEXT, f"{where}.intent.name")
    _expect(intent.get("confidence"), OPTIONAL_NUMBER, f"{where}.intent.confidence")
    for field, fields in (("entities", (("entity", OPTIONAL_TEXT), ("extractor", OPTIONAL_TEXT),
                                        ("confidence_entity", OPTIONAL_NUMBER))),
                          ("intent_ranking", (("name", OPTIONAL_TEXT), ("confidence", OPTIONAL_NUMBER)))):
        items = message.get(field)
        _expect(items, (lambda v: v is None or isinstance(v, list), "une liste"), f"{where}.{field}")
        for i, item in enumerate(items or []):
            _expect(item, OBJECT, f"{where}.{field}[{i}]")
            for key, check in fields:
                _expect(item.get(key), check, f"{where}.{field}[{i}].{key}")


def _expect(value: Any, check: Check, field: str) -> None:
    test, expected = check
    if not test(value):
        raise MalformedCall(field, expected)


@lru_cache(maxsize=4)
def _slot_checks(domain_file: Path) -> dict[str, Check]:
    """Each slot of domain.yml and the check of its type (unknown types: any value)."""
    slots = (yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}).get("slots") or {}
    return {name: SLOT_CHECKS.get(str((spec or {}).get("type")), ANY) for name, spec in slots.items()}
