"""Boussole's state is for this user's eyes only.

The state directory holds every conversation (tracker.db: what people wrote,
and the conversation ids, each the key to its history), the key that signs
those ids and Rasa's log. Created under the usual umask 022 they were 0644 in
a 0755 directory: any local user could read them all.

- `secure_state()` runs first in `boussole run`, `rasa` and `serve`: the
  state directory becomes 0700, Boussole's files in it 0600 (folders 0700),
  and so does an SQLite tracker file kept elsewhere (BOUSSOLE_TRACKER_URL),
  with its journals. Only group and other bits are removed; each change is
  a WARNING naming the file and its old mode. What cannot be changed (the
  file belongs to another user) stops the start with E060: a service that
  leaks conversations must not start quietly.
- New files are private from the start: `private_dir()` for folders,
  `open_private_log()` for the log Rasa writes, and the Rasa child runs under
  `PRIVATE_UMASK`, so the database it creates is 0600; SQLite gives its
  journal and WAL files the database's own mode.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO, Iterator

from bot.errors import BoussoleError
from bot.settings import Settings

log = logging.getLogger(__name__)

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
# The umask of the processes that create state files (the Rasa child): no bit for group or others.
PRIVATE_UMASK = 0o077
# Boussole's files in the state directory: the tracker store and its journals, the id-signing
# key (and the temporary file it is written to), the logs, the metrics of the workers.
STATE_PATTERNS = ("*.db", "*.db-journal", "*.db-wal", "*.db-shm", "secret_key", ".secret_key.*", "*.log", "metrics")
SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")

E060 = ("[E060] {path} is open to other users (mode {old:03o}) and this user cannot make it private ({reason}). "
        "It holds conversations or the key to them: run `chmod {want:03o} {path}` as its owner ({owner}), "
        "or set BOUSSOLE_STATE_DIR to a directory of this user.")
E061 = ("[E061] the state directory {path} is a shared directory (mode {old:04o}, like /tmp): every user may "
        "create files there. Set BOUSSOLE_STATE_DIR to a directory of its own, e.g. {path}/boussole.")

E062 = ("[E062] cannot create the state directory {path} ({reason}). "
        "Make its parent writable by this user, or set BOUSSOLE_STATE_DIR to a writable place.")


class FileModeError(BoussoleError):
    """A state file others can read that this user cannot make private; the message says how to fix it."""


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) if needed; a folder created here is 0700."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path


def open_private_log(path: Path) -> IO[bytes]:
    """`path` opened for appending, created 0600 if missing (open() would make it 0644)."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE), "ab")


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 unless it exists (an empty file is a valid SQLite database)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
    except FileExistsError:
        pass


def secure_state(settings: Settings) -> list[Path]:
    """Make the state directory and Boussole's files private; FileModeError if one cannot be.

    Returns the paths whose mode was changed (each also logged at WARNING).
    """
    state = settings.state_dir
    if state.is_dir() and _is_shared(state):
        raise FileModeError(E061.format(path=state, old=stat.S_IMODE(state.stat().st_mode)))
    try:
        private_dir(state)
    except OSError as exc:
        raise FileModeError(E062.format(path=state, reason=exc.strerror or exc)) from exc
    return [path for path in (state, *_state_files(state), *_tracker_files(settings)) if tighten(path)]


def tighten(path: Path) -> bool:
    """Remove the group and other bits of `path` (not following a symlink); True if it had some."""
    try:
        info = path.lstat()
    except OSError:  # missing, or its folder is not one: the store check says what is wrong
        return False
    if stat.S_ISLNK(info.st_mode) or not (stat.S_ISDIR(info.st_mode) or stat.S_ISREG(info.st_mode)):
        return False  # a symlink could point anywhere: its target is not ours to change
    old = stat.S_IMODE(info.st_mode)
    if not old & 0o077:
        return False
    new = old & 0o700
    try:
        os.chmod(path, new)
    except OSError as exc:
        raise FileModeError(E060.format(path=path, old=old, want=new, reason=exc.strerror or exc,
                                        owner=_owner(info.st_uid))) from exc
    log.warning("files.mode_tightened path=%s old=%03o new=%03o", path, old, new)
    return True


def _is_shared(directory: Path) -> bool:
    """A sticky, world-writable folder (/tmp): making it 0700 would lock every other user out."""
    mode = directory.stat().st_mode
    return bool(mode & stat.S_ISVTX and mode & stat.S_IWOTH)


def _state_files(state: Path) -> Iterator[Path]:
    """Boussole's files in the state directory, and everything inside its sub-folders (metrics/)."""
    for pattern in STATE_PATTERNS:
        for path in sorted(state.glob(pattern)):
            yield path
            if path.is_dir() and not path.is_symlink():
                yield from sorted(path.rglob("*"))


def _tracker_files(settings: Settings) -> list[Path]:
    """The SQLite tracker file and its journals, wherever BOUSSOLE_TRACKER_URL puts them."""
    from bot.rasa.stores import StoreError, tracker_url

    try:
        url = tracker_url(settings)
    except StoreError:
        return []  # the store check says what is wrong with the URL
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return []
    return [Path(url.database + suffix) for suffix in SQLITE_COMPANIONS]


def _owner(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return f"uid {uid}"
