"""A throw-away PostgreSQL cluster for tests: started in a temporary folder, stopped and deleted.

Tests that need the real PostgreSQL (row locks, advisory locks, concurrent transactions) use
``PgCluster``; it needs only the server's programs (``initdb``, ``pg_ctl``, ``postgres``), found
on ``PATH`` or where Debian installs them (``/usr/lib/postgresql/<version>/bin``), and the
``psycopg`` driver. ``pg_bin_dir()`` returning None is the reason to skip.

PostgreSQL refuses to run as root, so under root the cluster belongs to an unprivileged user
(``postgres`` if it exists, else ``nobody``) and its folder is a fresh one under the system's
temporary folder, which that user can reach (pytest's own ``tmp_path`` is private to root). The
server listens on 127.0.0.1 only, on a free port, with its Unix socket inside its folder, and
trusts every local connection: it holds nothing but test data and lives only as long as a test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROGRAMS = ("initdb", "pg_ctl", "postgres")
#: The superuser role the cluster is created with (the URL's user).
ROLE = "cmdesk"
_SERVER_OPTIONS = (
    # Durability is pointless for a cluster deleted at the end of the test; this makes it quick.
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=40 -c shared_buffers=16MB"
)


def pg_bin_dir() -> Path | None:
    """The folder holding PostgreSQL's server programs, or None when they are not installed."""
    found = shutil.which("pg_ctl")
    candidates = [Path(found).resolve().parent] if found else []
    # Debian keeps the server programs off PATH; the newest version installed wins.
    debian = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")],
    )
    candidates += [Path(p) for p in reversed(debian)]
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in PROGRAMS):
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as under root; None when not root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("Running as root and no 'postgres' or 'nobody' user to run PostgreSQL as.")


class PgCluster:
    """One PostgreSQL server in a temporary folder. ``start()``, then ``url()``, then ``stop()``."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or pg_bin_dir()
        if found is None:
            raise RuntimeError("PostgreSQL's server programs (initdb, pg_ctl) are not installed.")
        self.bin_dir = found
        self.port = 0
        self._user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="cmdesk-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._running = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        extra: dict[str, Any] = {}
        if self._user is not None:
            extra = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        env = {"PATH": f"{self.bin_dir}:/usr/bin:/bin", "LC_ALL": "C", "LANG": "C"}
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=env,
            cwd=self.root,
            timeout=60,
            check=False,
            **extra,
        )

    def _check(self, result: subprocess.CompletedProcess[str], what: str) -> None:
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(
                f"PostgreSQL {what} failed ({result.returncode}): "
                f"{result.stderr.strip() or result.stdout.strip()}\n{log}"
            )

    def start(self) -> None:
        """Create the cluster and start the server; raises RuntimeError with its log if it cannot."""
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self._check(
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                ROLE,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ),
            "initdb",
        )
        for attempt in range(3):  # a free port can be taken between looking and listening
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.root} {_SERVER_OPTIONS}"
            )
            started = self._run(
                "pg_ctl",
                "start",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "30",
                "-o",
                options,
            )
            if started.returncode == 0:
                self._running = True
                return
            if attempt == 2:
                self._check(started, "start")

    def url(self, database: str = "postgres") -> str:
        """The SQLAlchemy URL of ``database`` on this server (psycopg driver)."""
        return f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new empty database; returns its URL. Each test can have its own."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def dsn(self, database: str = "postgres") -> str:
        """A libpq connection string, for psycopg used directly."""
        return f"host=127.0.0.1 port={self.port} user={ROLE} dbname={database}"

    def stop(self) -> None:
        """Stop the server at once (nothing to keep) and delete its folder."""
        try:
            if self._running:
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
                self._running = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def running_cluster() -> Iterator[PgCluster]:
    """A started cluster for the duration of the block (a fixture's body)."""
    cluster = PgCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
