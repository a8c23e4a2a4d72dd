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
import tempfile
from pathlib import Path
from typing import Optional

_ID = re.compile(r"^[0-9a-f]{32}[0-9a-f]{32}$")
_KEY_FILE = "secret_key"


def load_or_create_key(state_dir: Path) -> bytes:
    """The key of BOUSSOLE_SECRET_KEY, or of the state dir's key file (created on first use).

    Safe when several workers start at once: they all end up with the same key.
    """
    from_env = os.environ.get("BOUSSOLE_SECRET_KEY")
    if from_env:
        return from_env.encode()
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / _KEY_FILE
    if not path.exists():
        _publish_new_key(path)
    key = path.read_text().strip()
    if not key:  # only an interrupted older version could leave this
        raise RuntimeError(f"{path} is empty: delete it and restart to generate a new key "
                           f"(conversation ids issued before are then refused), or set BOUSSOLE_SECRET_KEY")
    return key.encode()


def _publish_new_key(path: Path) -> None:
    """Write a fresh key to a temporary file, then link it to `path` unless another worker did first.

    The key file appears under its name complete (a reader never sees it empty
    or half written), and os.link, unlike os.replace, refuses to overwrite: the
    first worker's key stays, the others read it, so all sign ids alike.
    """
    fd, temporary = tempfile.mkstemp(prefix=f".{_KEY_FILE}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker published its key first: everyone uses that one
    finally:
        os.unlink(temporary)


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
