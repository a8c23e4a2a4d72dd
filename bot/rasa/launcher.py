"""Run Rasa's own CLI with two resource fixes, nothing else changed.

- Rasa 3.6 calls `jsonschema.validate()` on every custom-action response, and
  that call checks the schema itself against its metaschema each time: about
  20 ms per turn on 2 cores, half of a reply's latency (measured with py-spy).
  The schema, the checks and the error message stay Rasa's own; only the
  compiled validator is built once and reused.
- The model graph has two SpacyNLP nodes and each loads fr_core_news_md; the
  loaded pipeline is read-only, so both nodes now share one copy.
- A message waiting for its conversation's lock (another turn of the same
  conversation is running, maybe on another Rasa server) re-checks the lock
  every second: a turn queued behind a 30 ms turn waited a whole second.
  It now re-checks every BOUSSOLE_LOCK_POLL_SECONDS (default 0.05 s); the
  ticket order, lifetimes and errors stay Rasa's own.

One fix of durability: Rasa's FailSafeTrackerStore answers a failed tracker
read with a fresh tracker (the context silently lost) and a failed save with
an in-memory copy nothing reads (the turn acknowledged and lost);
bot/rasa/store_guard.py makes both fail the turn instead.

And one fix of exposure: `rasa run --auth-token X` would show the token of
Rasa's HTTP API to anyone who lists the processes (ps). The launcher gets it
instead from the first line of its standard input when BOUSSOLE_RASA_TOKEN_ON_STDIN
is set (`boussole run` pipes it to its Rasa child: nothing in /proc), or else
from BOUSSOLE_RASA_TOKEN (`boussole rasa`, which becomes Rasa by exec, from the
operator's environment), removes the variable (Rasa's own children do not
inherit it) and adds the token to Rasa's arguments inside this process only:
the process list shows the command line the process started with, not sys.argv.

Usage: python -m bot.rasa.launcher <rasa arguments>, e.g. `run --enable-api`.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any, Dict, List

from bot.rasa import store_guard

TOKEN_VARIABLE = "BOUSSOLE_RASA_TOKEN"
TOKEN_ON_STDIN = "BOUSSOLE_RASA_TOKEN_ON_STDIN"


def install_cached_action_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    spec = RemoteAction.action_response_format_spec()
    validator = validator_for(spec)(spec)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as e:  # same message as Rasa's
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e

    RemoteAction._validate_action_result = _validate_action_result


def share_spacy_models() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    load_once = functools.lru_cache(maxsize=None)(SpacyNLP.load_model)
    SpacyNLP.load_model = staticmethod(load_once)


def poll_locks_faster(seconds: float) -> None:
    from rasa.core.lock_store import LockStore

    acquire = LockStore._acquire_lock

    async def _acquire_lock(self: LockStore, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> Any:
        return await acquire(self, conversation_id, ticket, min(wait_time_in_seconds, seconds))

    LockStore._acquire_lock = _acquire_lock


def with_token(argv: List[str]) -> List[str]:
    """Rasa's arguments, with `--auth-token` for `rasa run`, from stdin or TOKEN_VARIABLE (then removed)."""
    token = os.environ.pop(TOKEN_VARIABLE, None)
    if os.environ.pop(TOKEN_ON_STDIN, None):
        token = sys.stdin.readline().strip()
    if token and argv[1:2] == ["run"] and "--auth-token" not in argv:
        return [*argv, "--auth-token", token]
    return argv


def main() -> None:
    sys.argv = with_token(sys.argv)
    install_cached_action_validator()
    share_spacy_models()
    poll_locks_faster(float(os.environ.get("BOUSSOLE_LOCK_POLL_SECONDS", "0.05")))
    store_guard.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
