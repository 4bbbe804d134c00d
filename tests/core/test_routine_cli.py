"""``cmdesk routine``: the checklists, check-offs and history from the command line."""

from __future__ import annotations

import json
import re

import pytest

from cmdesk.cli import main


def test_routine_commands(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "workspace", "add", "Espiga", "--timezone", "Europe/Madrid"]) == 0
    capsys.readouterr()
    assert main(["--db", db_url, "routine"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Today (") and "Answer replies and mentions" in out
    found = re.search(r"\]\s+(\d+)\s+Answer replies", out)
    assert found is not None
    task_id = found.group(1)
    assert main(["--db", db_url, "routine", "done", task_id, "--note", "all done"]) == 0
    assert "done." in capsys.readouterr().out
    assert main(["--db", db_url, "routine", "today", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    done = [i for i in data["items"] if i["task"]["id"] == int(task_id)]
    assert done[0]["done"] is True and done[0]["note"] == "all done"
    assert main(["--db", db_url, "routine", "history", "--cadence", "daily", "--count", "3"]) == 0
    assert "x  Answer replies and mentions" in capsys.readouterr().out
    assert main(["--db", db_url, "routine", "undo", task_id]) == 0
    assert "not done" in capsys.readouterr().out
    assert main(["--db", db_url, "routine", "done"]) == 1
    assert "Say which task" in capsys.readouterr().err
    assert main(["--db", db_url, "routine", "done", "9999"]) == 1
    assert "no longer exists" in capsys.readouterr().err
