"""A throwaway PostgreSQL server of a test's own, with password auth, that it may stop.

Started the way ``scripts/test-services.sh`` starts the shared one (Debian's ``initdb``
and ``pg_ctl``, as the ``postgres`` user when we are root, loopback, fsync off), but with
``scram-sha-256`` auth so that a wrong password is refused, commits kept across a
stop (``synchronous_commit`` on), and owned by one test module
so that stopping it mid-use disturbs no one else. When it cannot start, the test fails
with the reason (never skips).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "s3cret-Pa55word-xyzzy"
"""The superuser's password: tests assert it appears in no message, repr or log."""


@dataclass
class PrivatePostgres:
    """One server: ``dsn(dbname)`` builds URLs with the password; ``stop``/``start``."""

    bindir: Path
    root: Path
    port: int

    def dsn(self, dbname: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        _run_pg(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
                "-o",
                options,
            ],
            "pg_ctl start",
        )

    def stop(self) -> None:
        """A fast shutdown: sessions are ended, committed data kept (no synchronous_commit=off)."""
        _run_pg(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            "pg_ctl stop",
        )


def start_private_postgres() -> PrivatePostgres:
    """initdb a fresh cluster with ``PASSWORD`` and start it on a free loopback port."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="locus-pg-private."))
    os.chmod(root, 0o755)
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n", "utf-8")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    _run_pg(
        [
            str(bindir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        "initdb",
    )
    server = PrivatePostgres(bindir, root, _free_port())
    server.start()
    return server


def remove_private_postgres(server: PrivatePostgres) -> None:
    """Stop the server (when running) and delete its directory."""
    if (server.root / "data" / "postmaster.pid").exists():
        server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail(
            "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: "
            "apt-get install -y postgresql (or run scripts/test-services.sh start once)",
            pytrace=False,
        )
    return found[-1].parent


def _run_pg(argv: list[str], what: str) -> None:
    if os.geteuid() == 0:
        argv = ["runuser", "-u", "postgres", "--", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if done.returncode != 0:
        pytest.fail(f"{what} failed: {done.stdout[-500:]} {done.stderr[-500:]}", pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
