"""The command line as a person runs it: one clear line on errors, never a traceback by default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cmdesk import __version__

ROOT = Path(__file__).resolve().parents[2]


def run(
    *args: str, data: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        **os.environ,
        "CMDESK_DATA_DIR": str(data),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_backend.MemoryKeyring",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "cmdesk", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version(tmp_path: Path) -> None:
    out = run("--version", data=tmp_path)
    assert out.returncode == 0 and out.stdout.strip() == f"cmdesk {__version__}"


def test_demo_then_demo_again(tmp_path: Path) -> None:
    first = run("demo", data=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Panadería La Espiga" in first.stdout and "posts" in first.stdout
    assert (tmp_path / "cmdesk.sqlite3").exists()  # in the data folder by default
    second = run("--json", "demo", data=tmp_path)
    assert second.returncode == 0
    assert json.loads(second.stdout) == {"created": False, "posts": 0}


def test_db_option_and_environment_choose_the_database(tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere.sqlite3"
    assert run("--db", str(chosen), "demo", data=tmp_path / "d").returncode == 0
    assert chosen.exists() and not (tmp_path / "d" / "cmdesk.sqlite3").exists()
    after = tmp_path / "after.sqlite3"
    assert run("demo", "--db", str(after), data=tmp_path / "d").returncode == 0
    assert after.exists()
    env_db = tmp_path / "env.sqlite3"
    out = run("demo", data=tmp_path / "d", env={"CMDESK_DATABASE_URL": f"sqlite:///{env_db}"})
    assert out.returncode == 0 and env_db.exists()


def test_doctor_on_a_fresh_machine_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    out = run("doctor", data=data)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "will be created" in out.stdout
    assert not data.exists()


def test_doctor_reports_each_part(tmp_path: Path) -> None:
    assert run("demo", data=tmp_path).returncode == 0
    out = run("doctor", data=tmp_path)
    lines = out.stdout.splitlines()
    assert out.returncode == 0, out.stdout + out.stderr
    names = ("data folder", "database", "schema", "keyring", "Qt")
    for name in names:
        assert any(line.startswith("ok") and f" {name} " in line + " " for line in lines), name
    assert "offscreen" in out.stdout


def test_doctor_flags_a_missing_keyring(tmp_path: Path) -> None:
    out = run(
        "--json",
        "doctor",
        data=tmp_path,
        env={"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
    )
    assert out.returncode == 1
    checks = {c["name"]: c for c in json.loads(out.stdout)}
    assert checks["keyring"]["ok"] is False
    assert checks["database"]["ok"] is True


def test_corrupt_database_is_one_line_and_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "cmdesk.sqlite3"
    db.write_bytes(b"garbage" * 1000)
    out = run("demo", data=tmp_path)
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert out.stderr.startswith("cmdesk: The database") and "damaged" in out.stderr
    assert db.read_bytes() == b"garbage" * 1000
    debug = run("--debug", "demo", data=tmp_path)
    assert debug.returncode != 0 and "Traceback" in debug.stderr


@pytest.mark.parametrize("args", [("frobnicate",), ("--db",), ("demo", "--bogus")])
def test_usage_errors_exit_2_in_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    out = run(*args, data=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip().startswith("cmdesk:") and "Traceback" not in out.stderr


def test_unknown_database_driver(tmp_path: Path) -> None:
    out = run("--db", "oracle+nothing://x/y", "demo", data=tmp_path)
    assert out.returncode == 1 and "does not know how to open" in out.stderr


def test_settings_list_and_set(tmp_path: Path) -> None:
    assert run("settings", "set", "missed_grace_minutes", "45", data=tmp_path).returncode == 0
    listed = json.loads(run("settings", "list", "--json", data=tmp_path).stdout)
    assert listed["missed_grace_minutes"] == 45 and listed["publishing_paused"] is False
    bad = run("settings", "set", "missed_grace_minutes", "-3", data=tmp_path)
    assert bad.returncode == 1 and "at least 0" in bad.stderr
    unknown = run("settings", "set", "colour", "red", data=tmp_path)
    assert unknown.returncode == 2
