"""Throwaway PostgreSQL and Redis servers on free loopback ports, from Debian's packages (tests, load script).

`./test.sh` installs the packages (scripts/bootstrap.sh, ensure_services); no
system service is used: each test session gets its own cluster and server in
a temporary directory, removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Optional

from bot.devtools.stack import free_port

MISSING = ("{what} is not installed: run ./test.sh (it installs Debian's postgresql and redis-server "
           "when run as root) or `sudo apt-get install postgresql redis-server`")


def _postgres_bin() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if not candidates:
        raise RuntimeError(MISSING.format(what="PostgreSQL (initdb, pg_ctl)"))
    return Path(candidates[-1]).parent


class Postgres:
    """A PostgreSQL cluster of its own: trust authentication on 127.0.0.1, user and database `boussole`."""

    user = database = "boussole"

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="boussole-pg-"))
        self.data = self.root / "data"
        # initdb refuses to run as root: then the cluster belongs to Debian's postgres user.
        self._as = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
        if self._as:
            shutil.chown(self.root, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *command: str) -> None:
        result = subprocess.run([str(self.bin / command[0]), *command[1:]], capture_output=True, text=True,
                                cwd=self.root, **self._as)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def start(self) -> "Postgres":
        self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        # fsync off: a throwaway cluster need not survive a power cut, and tests run faster.
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -F"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "postgres.log"), "-o", options,
                  "-w", "-t", "60", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, self.database)
        return self

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class Redis:
    """A redis-server of its own on 127.0.0.1, nothing saved to disk."""

    def __init__(self) -> None:
        self.executable = shutil.which("redis-server")
        if not self.executable:
            raise RuntimeError(MISSING.format(what="redis-server"))
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="boussole-redis-"))
        self.process: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "Redis":
        import redis

        self.process = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.root), "--daemonize", "no"],
            stdout=open(self.root / "redis.log", "ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=1).ping()
                return self
            except redis.exceptions.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start: {(self.root / 'redis.log').read_text()}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
