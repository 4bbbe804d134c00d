"""The autosave journal: atomic writes, recovery in order, discard, and unreadable files kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cmdesk.autosave import DraftJournal, DraftSnapshot, VariantDraft, new_key


def _snapshot(key: str, text: str, minutes: int = 0) -> DraftSnapshot:
    return DraftSnapshot(
        key=key,
        workspace_id=3,
        post_id=None,
        title="Teaser",
        text=text,
        channel_ids=(1, 2),
        media_ids=(7,),
        variants=(VariantDraft(2, None, ("one", "two")), VariantDraft(1, "own")),
        scheduled_at=datetime(2026, 4, 1, 7, 30, tzinfo=UTC),
        saved_at=datetime(2026, 3, 20, 10, minutes, tzinfo=UTC),
    )


def test_a_snapshot_round_trips(tmp_path: Path) -> None:
    journal = DraftJournal(tmp_path)
    snap = _snapshot(new_key(), "Pan recién hecho 🥖")
    journal.save(snap)
    assert journal.get(snap.key) == snap
    assert journal.pending() == [snap]


def test_saving_again_replaces_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    journal = DraftJournal(tmp_path)
    key = new_key()
    journal.save(_snapshot(key, "first"))
    journal.save(_snapshot(key, "second"))
    assert [d.text for d in journal.pending()] == ["second"]
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.json"]


def test_pending_lists_oldest_first_and_discard_forgets(tmp_path: Path) -> None:
    journal = DraftJournal(tmp_path)
    late, early = _snapshot("b" * 8, "late", 5), _snapshot("a" * 8, "early", 1)
    journal.save(late)
    journal.save(early)
    assert [d.text for d in journal.pending()] == ["early", "late"]
    journal.discard(early.key)
    journal.discard(early.key)  # twice is harmless
    assert [d.text for d in journal.pending()] == ["late"]


def test_an_unreadable_file_is_set_aside_not_deleted(tmp_path: Path) -> None:
    journal = DraftJournal(tmp_path)
    journal.save(_snapshot("good", "kept"))
    (tmp_path / "broken.json").write_text('{"key": "broken", "text": "half', "utf-8")
    assert [d.text for d in journal.pending()] == ["kept"]
    assert (tmp_path / "broken.unreadable").read_text("utf-8").endswith("half")


def test_the_default_folder_is_in_the_data_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CMDESK_DATA_DIR", str(tmp_path))
    journal = DraftJournal()
    journal.save(_snapshot("k1", "x"))
    assert (tmp_path / "drafts" / "k1.json").is_file()
    assert json.loads((tmp_path / "drafts" / "k1.json").read_text())["format"] == 1


def test_keys_cannot_escape_the_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        DraftJournal(tmp_path).save(_snapshot("../evil", "x"))


def test_times_stay_aware(tmp_path: Path) -> None:
    journal = DraftJournal(tmp_path)
    journal.save(_snapshot("t", "x"))
    got = journal.pending()[0]
    assert got.scheduled_at is not None
    assert got.scheduled_at.utcoffset() == timedelta(0)
