"""``cmdesk backup`` and ``cmdesk restore`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmdesk.bootstrap import build_context
from cmdesk.cli import main
from cmdesk.credentials import MemoryCredentialStore


def _names(db_url: str) -> list[str]:
    ctx = build_context(db_url, credentials=MemoryCredentialStore())
    try:
        return [w.name for w in ctx.workspaces.list()]
    finally:
        ctx.close()


def test_backup_list_and_restore(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["--db", db_url, "workspace", "add", "Kept", "--timezone", "Europe/Madrid"]) == 0
    assert main(["--db", db_url, "backup", "--list"]) == 0
    assert "No backups yet" in capsys.readouterr().out
    assert main(["--db", db_url, "backup", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert made["kind"] == "automatic" and Path(made["path"]).exists()
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", db_url, "backup", "--to", str(copy)]) == 0
    assert "checked" in capsys.readouterr().out and copy.exists()
    assert main(["--db", db_url, "backup", "--list"]) == 0
    assert made["path"] in capsys.readouterr().out

    assert main(["--db", db_url, "workspace", "add", "Later", "--timezone", "UTC"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", None)
    assert main(["--db", db_url, "restore", str(copy)]) == 1
    assert "--yes" in capsys.readouterr().err
    assert sorted(_names(db_url)) == ["Kept", "Later"]
    assert main(["--db", db_url, "restore", str(copy), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "kept at" in out and "cmdesk-before-restore-" in out
    assert _names(db_url) == ["Kept"]


def test_restore_refuses_a_file_that_is_not_a_backup(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "workspace", "add", "Mine", "--timezone", "UTC"]) == 0
    junk = tmp_path / "posts.csv"
    junk.write_text("date,text\n")
    assert main(["--db", db_url, "restore", str(junk), "--yes"]) == 1
    assert "not a SQLite database" in capsys.readouterr().err
    assert _names(db_url) == ["Mine"]
    assert main(["--db", db_url, "backup", "--list", "--to", "x"]) == 1
