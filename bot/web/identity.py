"""Conversation ids issued by the service: 128 random bits plus an HMAC tag.

Clients never choose an id: a new conversation gets a fresh one, and an id
sent back is accepted only if its tag proves this service issued it, so
nobody lands in Rasa's shared "default" conversation or in another
person's by guessing. The key lives in the state directory (or
BOUSSOLE_SECRET_KEY), so ids stay valid across restarts and workers.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Optional

_ID = re.compile(r"^[0-9a-f]{32}[0-9a-f]{32}$")
_KEY_FILE = "secret_key"


def load_or_create_key(state_dir: Path) -> bytes:
    from_env = os.environ.get("BOUSSOLE_SECRET_KEY")
    if from_env:
        return from_env.encode()
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / _KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class ConversationIds:
    def __init__(self, key: bytes):
        self._key = key

    @property
    def key(self) -> bytes:
        """The service's secret, also used to derive channel sender ids."""
        return self._key

    def _tag(self, random_part: str) -> str:
        return hmac.new(self._key, random_part.encode(), hashlib.sha256).hexdigest()[:32]

    def new(self) -> str:
        random_part = secrets.token_hex(16)  # 128 bits
        return random_part + self._tag(random_part)

    def verify(self, conversation_id: Optional[str]) -> bool:
        if not isinstance(conversation_id, str) or not _ID.match(conversation_id):
            return False
        random_part, tag = conversation_id[:32], conversation_id[32:]
        return hmac.compare_digest(tag, self._tag(random_part))
