"""``cmdesk import csv`` and ``cmdesk export csv|ics`` as a person runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from cmdesk.cli import main


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = str(tmp_path / "plan.sqlite3")
    assert main(["--db", url, "workspace", "add", "Brand", "--timezone", "Europe/Madrid"]) == 0
    return url


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "posts.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_problems_print_one_a_line_as_line_column_message(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    path = _write(
        tmp_path,
        "date,time,text,status\n2030-03-31,02:30,gap,draft\n2030-04-01,9,bad time,draft\n"
        "ok,,x,draft\n",
    )
    assert main(["--db", db, "import", "csv", str(path)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "2:2: time: 02:30 does not exist on 2030-03-31 in Europe/Madrid: the clocks go "
        "forward then. Use 03:30 or another time.",
        "3:2: time: '9' is not a time written HH:MM on the 24-hour clock.",
        "4:1: date: 'ok' is not a date written YYYY-MM-DD (e.g. 2026-03-30).",
        f"{path}: 3 problems; nothing was imported.",
    ]
    assert main(["--db", db, "export", "csv", "-"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only: nothing was imported


def test_dry_run_previews_then_import_and_export(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path, "date,time,text,status\n2030-04-01,09:00,Spring is here,draft\n,,Idea,idea\n"
    )
    capsys.readouterr()
    assert main(["--db", db, "import", "csv", "--dry-run", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "2: 2030-04-01 09:00 Europe/Madrid · no channel · Draft · Spring is here",
        "3: no date · no channel · Idea · Idea",
        "Would import 2 posts.",
    ]
    assert main(["--db", db, "--json", "import", "csv", str(path)]) == 0
    assert json.loads(capsys.readouterr().out) == {"ok": True, "created": 2, "skipped": 0}
    exported = tmp_path / "out.csv"
    assert (
        main(
            [
                "--db",
                db,
                "export",
                "csv",
                "--from",
                "2030-04-01",
                "--to",
                "2030-04-01",
                str(exported),
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == f"Wrote 1 post to {exported}."
    assert "Spring is here" in exported.read_text(encoding="utf-8")
    assert main(["--db", db, "import", "csv", str(exported)]) == 0
    assert capsys.readouterr().out.strip() == "Imported 0 posts; 1 already in the plan."


def test_export_ics_and_bad_dates(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.ics"
    assert main(["--db", db, "export", "ics", str(out)]) == 0
    assert Calendar.from_ical(out.read_bytes()).walk("VEVENT") == []
    with pytest.raises(SystemExit) as stop:
        main(["--db", db, "export", "ics", "--from", "tomorrow", str(out)])
    assert stop.value.code == 2
    capsys.readouterr()
    assert (
        main(["--db", db, "export", "ics", "--from", "2030-02-01", "--to", "2030-01-01", str(out)])
        == 1
    )
    assert "end date is before the start date" in capsys.readouterr().err
