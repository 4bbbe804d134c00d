"""CSV import: every problem at its line and column, one transaction, DST, round trips."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from sqlalchemy import func, select

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PostInput
from cmdesk.errors import ValidationError
from cmdesk.exchange import csv_write
from cmdesk.exchange.csv_format import join_list, split_list
from cmdesk.models import Campaign, MediaAsset, Tag
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import channel, workspace

_names = itertools.count(1)


def _ws(ctx: AppContext, tz: str = "Europe/Madrid") -> tuple[int, int, int]:
    wid = workspace(ctx, f"Brand {next(_names)}", tz)
    masto = channel(ctx, wid, "Masto")
    sky = ctx.channels.add(wid, "bluesky", "Sky", handle="@brand.bsky.social").subject
    assert sky is not None
    return wid, masto, sky


def _labels(ctx: AppContext, wid: int) -> None:
    with ctx.db.session(write=True) as s:
        s.add(Campaign(workspace_id=wid, name="Spring launch"))
        s.add(Tag(workspace_id=wid, kind="tag", name="promo"))
        s.add(Tag(workspace_id=wid, kind="tag", name="video"))
        s.add(Tag(workspace_id=wid, kind="pillar", name="Education"))


def _problems(ctx: AppContext, wid: int, text: str) -> list[str]:
    return [str(p) for p in ctx.exchange.check_csv(wid, text).problems]


def _dump(ctx: AppContext) -> list[str]:
    """The whole database as SQL, to compare byte for byte."""
    with ctx.db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None
        return list(raw.iterdump())


# --- format helpers -----------------------------------------------------------------------------


@given(st.lists(st.text(max_size=8).map(str.strip), min_size=1, max_size=5))
def test_list_cells_round_trip(items: list[str]) -> None:
    if items == [""]:
        return
    assert split_list(join_list(items)) == items


# --- a good file --------------------------------------------------------------------------------


def test_a_good_file_is_previewed_then_imported_in_one_change_set(ctx: AppContext) -> None:
    wid, masto, sky = _ws(ctx)
    _labels(ctx, wid)
    text = (
        "\ufeffDate;Time;Channels;Text;Campaign;Tags;Pillar;Title\n"
        "2026-03-30;09:00;Masto|@brand.bsky.social;Hello;spring launch;promo|Video;Education;\n"
        '2026-04-02;;masto;"two\nlines, ""quoted""";;;;\n'
        ";;;;;;;Only a title\n"
    )
    plan = ctx.exchange.check_csv(wid, text)
    assert plan.problems == ()
    assert [p.line for p in plan.posts] == [2, 3, 5]
    first, second, third = plan.posts
    assert first.channel_ids == (masto, sky) and first.status == PostStatus.SCHEDULED
    assert first.scheduled_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    assert second.text == 'two\nlines, "quoted"'
    assert second.when_local == "2026-04-02 09:00 Europe/Madrid"  # the default posting time
    assert third.status == PostStatus.DRAFT and third.scheduled_at is None

    changes = ctx.exchange.import_csv(wid, plan)
    ids = sorted(changes.ids("post", "created"))
    assert len(ids) == 3
    detail = ctx.plan.get_post(ids[0])
    assert detail.status == PostStatus.SCHEDULED and len(detail.tag_ids) == 2
    assert detail.campaign_id is not None and detail.pillar_id is not None
    assert all(t.state == "queued" and t.due_at == first.scheduled_at for t in detail.targets)
    assert {t.state for t in ctx.plan.get_post(ids[2]).targets} == set()
    assert detail.revision == 1 and detail.created_at == detail.updated_at


def test_media_are_copied_in_with_their_alt_text(ctx: AppContext, tmp_path: Path) -> None:
    wid, _masto, _sky = _ws(ctx)
    Image.new("RGB", (8, 8), "red").save(tmp_path / "red.png")
    Image.new("RGB", (8, 8), "blue").save(tmp_path / "blue.jpg")
    csv_file = tmp_path / "plan.csv"
    csv_file.write_text(
        "text,media path,alt text\nPictures,red.png|blue.jpg,A red square|A blue square\n"
        "Again,red.png,\n",
        encoding="utf-8",
    )
    ctx.exchange.import_csv(wid, csv_file)
    with ctx.db.session() as s:
        assets = s.scalars(select(MediaAsset).order_by(MediaAsset.id)).all()
        assert [a.alt_text for a in assets] == ["A red square", "A blue square"]
        assert all((ctx.exchange.media_root / a.path).is_file() for a in assets)


# --- every problem, with its line and column ----------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2026-13-01,09:00,Masto,x,", "2:1: date: '2026-13-01' is not a date written YYYY-MM-DD"),
        ("2026-04-01,9h,Masto,x,", "2:2: time: '9h' is not a time written HH:MM"),
        ("2026-04-01,09:00,Nobody,x,", "2:3: channels: No channel called 'Nobody'"),
        ("2026-04-01,09:00,Masto,x,posted", "2:5: status: Unknown status 'posted'"),
        ("2026-04-01,09:00,Masto,x,published", "2:5: status: A published post cannot be"),
        ("2026-03-01,09:00,Masto,x,", "2:1: date: 2026-03-01 09:00 Europe/Madrid has already"),
        (",09:00,Masto,x,", "2:2: time: A time needs a date"),
        (",,Masto,x,scheduled", "2:5: status: A scheduled post needs a date and a time."),
        (",,Masto,  ,", "2:4: text: A post needs a title or some text."),
        ("2026-04-01,09:00,Masto," + "a" * 501 + ",", "2:4: text: The text is 501 characters"),
        ("2026-04-01,09:00,Sky," + "é" * 301 + ",", "2:4: text: The text is 301 graphemes"),
    ],
)
def test_each_bad_cell_is_reported_at_its_line_and_column(
    ctx: AppContext, row: str, expected: str
) -> None:
    wid, _masto, _sky = _ws(ctx)
    problems = _problems(ctx, wid, f"date,time,channels,text,status\n{row}\n")
    assert any(p.startswith(expected) for p in problems), problems


def test_labels_media_and_ids_are_checked(ctx: AppContext, tmp_path: Path) -> None:
    wid, _masto, _sky = _ws(ctx)
    _labels(ctx, wid)
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    text = (
        "id,text,campaign,tags,pillar,media path,alt text\n"
        "x1,a,Winter,,,,\n"
        "1,b,,promo|nope,,,\n"
        "2,c,,,Fun,,\n"
        f"3,d,,,,{tmp_path / 'missing.png'},\n"
        f"4,e,,,,{tmp_path / 'a.png'},one|two\n"
    )
    problems = _problems(ctx, wid, text)
    assert problems[0].startswith("2:1: id: 'x1' is not a post id")
    assert problems[1].startswith("2:3: campaign: No campaign called 'Winter'")
    assert "known: Spring launch" in problems[1]
    assert problems[2].startswith("3:4: tags: No tag called 'nope'")
    assert problems[3].startswith("4:5: pillar: No content pillar called 'Fun'")
    assert problems[4].startswith("5:6: media path: The media file")
    assert problems[5].startswith("6:7: alt text: 2 alt texts for 1 media files")


def test_create_missing_adds_the_labels_in_the_same_transaction(ctx: AppContext) -> None:
    wid, _masto, _sky = _ws(ctx)
    text = "text,campaign,tags,pillar\na,Winter,x|y,Fun\nb,winter,X,\n"
    plan = ctx.exchange.check_csv(wid, text, create_missing=True)
    assert plan.ok and plan.new_campaigns == ("Winter",) and plan.new_tags == ("x", "y")
    changes = ctx.exchange.import_csv(wid, plan)
    assert len(changes.ids("campaign", "created")) == 1
    assert len(changes.ids("tag", "created")) == 3  # x, y and the pillar Fun
    with ctx.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Campaign)) == 1
        assert s.scalar(select(func.count()).select_from(Tag)) == 3


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "1:0: The file is empty"),
        (b"   \n", "1:0: The file is empty"),
        (b"text\nok\ncaf\xe9\n", "3:0: The file is not UTF-8 text (byte 0xe9)"),
        (
            b'date,text\n2026-04-01,"never closed\nmore\n',
            "2:0: A quoted cell that starts on line 2",
        ),
        (b"date,tiem,text\n", "1:2: tiem: Unknown column 'tiem'"),
        (b"date,text,Text\n", "1:3: text: The column 'text' appears twice."),
        (b"date,time\n", "1:0: The header has no 'text' or 'title' column."),
        (b"text\na,b\n", "2:2: This row has 2 cells but the header names 1 columns."),
    ],
)
def test_file_level_problems(ctx: AppContext, data: bytes, expected: str) -> None:
    wid, _masto, _sky = _ws(ctx)
    problems = [str(p) for p in ctx.exchange.check_csv(wid, data).problems]
    assert any(p.startswith(expected) for p in problems), problems


def test_a_huge_file_is_refused_before_it_is_read(ctx: AppContext, tmp_path: Path) -> None:
    wid, _masto, _sky = _ws(ctx)
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing on disk
    plan = ctx.exchange.check_csv(wid, big)
    assert len(plan.problems) == 1 and "100 MB" in plan.problems[0].message


# --- daylight saving ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "gap", "later"),
    [
        ("Europe/Madrid", "2026-03-29", "02:30", "03:30"),
        ("America/New_York", "2026-03-08", "02:30", "03:30"),
    ],
)
def test_a_time_in_the_spring_gap_is_refused(
    ctx: AppContext, tz: str, day: str, gap: str, later: str
) -> None:
    wid, _masto, _sky = _ws(ctx, tz)
    problems = _problems(ctx, wid, f"date,time,channels,text\n{day},{gap},Masto,x\n")
    assert problems == [
        f"2:2: time: {gap} does not exist on {day} in {tz}: the clocks go forward then. "
        f"Use {later} or another time."
    ]


@pytest.mark.parametrize(
    ("tz", "day", "wall", "first_utc"),
    [
        ("Europe/Madrid", date(2026, 10, 25), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        ("America/New_York", date(2026, 11, 1), time(1, 30), datetime(2026, 11, 1, 5, 30)),
    ],
)
def test_fold_times_take_the_first_and_the_second_exports_in_utc(
    ctx: AppContext, tz: str, day: date, wall: time, first_utc: datetime
) -> None:
    wid, masto, _sky = _ws(ctx, tz)
    plan = ctx.exchange.check_csv(wid, f"date,time,channels,text\n{day},{wall:%H:%M},Masto,x\n")
    assert plan.posts[0].scheduled_at == first_utc.replace(tzinfo=UTC)
    second = first_utc.replace(tzinfo=UTC) + timedelta(hours=1)  # the same wall time, again
    ctx.plan.create_post(
        wid,
        PostInput(text="second", channel_ids=(masto,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=second,
    )
    text, _n = ctx.exchange.render_csv(wid)
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["date"], row["zone"]) == (second.date().isoformat(), "UTC")
    assert row["time"] == f"{second:%H:%M}"
    other, _m, _s = _ws(ctx, tz)
    back = ctx.exchange.check_csv(other, text.replace(f"{row['id']},", ",", 1))
    assert back.ok and back.posts[0].scheduled_at == second


# --- one transaction ----------------------------------------------------------------------------


def test_a_failure_while_writing_leaves_nothing(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid, _masto, _sky = _ws(ctx)
    Image.new("RGB", (4, 4), "green").save(tmp_path / "g.png")
    (tmp_path / "p.csv").write_text(
        "text,media path,tags\none,g.png,new tag\ntwo,,\nthree,,\n", encoding="utf-8"
    )
    before = _dump(ctx)

    def broken(*args: object) -> None:
        raise OSError("disk on fire")  # after the posts, labels and media rows were added

    monkeypatch.setattr(csv_write, "_links", broken)
    with pytest.raises(OSError, match="disk on fire"):
        ctx.exchange.import_csv(wid, tmp_path / "p.csv", create_missing=True)
    assert _dump(ctx) == before


def test_the_file_is_checked_again_when_imported(ctx: AppContext, clock: FakeClock) -> None:
    wid, _masto, _sky = _ws(ctx)
    plan = ctx.exchange.check_csv(wid, "date,time,channels,text\n2026-03-21,09:00,Masto,x\n")
    assert plan.ok
    clock.set(datetime(2026, 3, 22, tzinfo=UTC))  # the time passed while the dialog was open
    before = _dump(ctx)
    with pytest.raises(ValidationError, match=r"2:1: date: .* has already passed"):
        ctx.exchange.import_csv(wid, plan)
    assert _dump(ctx) == before


def test_a_file_with_problems_is_refused_whole(ctx: AppContext) -> None:
    wid, _masto, _sky = _ws(ctx)
    before = _dump(ctx)
    with pytest.raises(ValidationError, match="1 problem; nothing was imported"):
        ctx.exchange.import_csv(wid, "text,channels\ngood,Masto\nbad,Nobody\n")
    assert _dump(ctx) == before


# --- export and re-import -----------------------------------------------------------------------


def test_reimporting_an_export_into_the_same_workspace_changes_nothing(ctx: AppContext) -> None:
    wid, masto, _sky = _ws(ctx)
    ctx.exchange.import_csv(wid, "date,time,channels,text\n2026-04-01,10:00,Masto,one\n,,,two\n")
    text, count = ctx.exchange.render_csv(wid)
    assert count == 2
    plan = ctx.exchange.check_csv(wid, text)
    assert plan.ok and len(plan.skipped) == 2 and not plan.to_create
    assert ctx.exchange.import_csv(wid, plan).empty
    edited = text.replace(",one,", ",one changed,")
    problems = _problems(ctx, wid, edited)
    assert len(problems) == 1 and problems[0].startswith("2:1: id: Post ")
    assert "changes its text" in problems[0]
    assert masto


def test_an_export_with_history_and_past_times_reimports_as_already_in_the_plan(
    ctx: AppContext, clock: FakeClock
) -> None:
    ctx.demo.create_demo()  # published, failed, missed and archived posts, some in the past
    for ws in ctx.workspaces.list():
        text, count = ctx.exchange.render_csv(ws.id)
        assert "published" in text.lower()
        plan = ctx.exchange.check_csv(ws.id, text)
        assert plan.ok, plan.problems[:3]
        assert len(plan.skipped) == count and not plan.to_create
    # The same rows into another workspace are new posts: there, history is refused.
    first, second = ctx.workspaces.list()[:2]
    text, _ = ctx.exchange.render_csv(first.id)
    problems = [str(p) for p in ctx.exchange.check_csv(second.id, text).problems]
    assert any("published post cannot be imported" in p for p in problems)


_TEXT = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t\r"),
    max_size=40,
)
_WALL = st.tuples(
    st.dates(date(2026, 3, 21), date(2027, 3, 31)), st.integers(0, 23), st.sampled_from([0, 30])
)
_POST = st.fixed_dictionaries(
    {
        "title": st.text(max_size=20).map(str.strip).filter(lambda t: "\x00" not in t),
        "text": _TEXT.map(lambda t: "x" + t),
        "when": st.none() | _WALL,
        "status": st.sampled_from(
            [PostStatus.IDEA, PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED]
        ),
        "channels": st.sets(st.sampled_from(["Masto", "Sky"])),
        "tags": st.sets(st.sampled_from(["promo", "video"])),
        "campaign": st.booleans(),
        "pillar": st.booleans(),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_POST, max_size=6), st.sampled_from(["Europe/Madrid", "America/New_York"]))
def test_export_then_import_gives_the_same_plan(
    ctx: AppContext, posts: list[dict[str, object]], tz: str
) -> None:
    source, masto, sky = _ws(ctx, tz)
    _labels(ctx, source)
    tag_ids = {t.name: t.id for t in ctx.plan.list_tags(source)}
    campaign = ctx.plan.list_campaigns(source)[0].id
    for p in posts:
        when = None
        if p["when"] is not None:
            day, hh, mm = p["when"]  # type: ignore[misc]
            when = at_wall_time(day, time(hh, mm), tz)
        status = p["status"]
        channels = tuple(sorted({"Masto": masto, "Sky": sky}[c] for c in p["channels"]))  # type: ignore[attr-defined]
        if status == PostStatus.SCHEDULED and (when is None or not channels):
            status = PostStatus.DRAFT
        data = PostInput(
            title=str(p["title"]),
            text=str(p["text"]),
            channel_ids=channels,
            tag_ids=tuple(tag_ids[t] for t in p["tags"]),  # type: ignore[attr-defined]
            campaign_id=campaign if p["campaign"] else None,
            pillar_id=tag_ids["Education"] if p["pillar"] else None,
        )
        ctx.plan.create_post(source, data, status=status, scheduled_at=when)  # type: ignore[arg-type]
    first, n = ctx.exchange.render_csv(source)
    assert n == len(posts)
    target, _m, _s = _ws(ctx, tz)
    _labels(ctx, target)
    ctx.exchange.import_csv(target, first)
    second, _n = ctx.exchange.render_csv(target)
    assert _without_ids(second) == _without_ids(first)


def _without_ids(text: str) -> list[list[str]]:
    return [row[1:] for row in csv.reader(io.StringIO(text, newline=""))]


# --- generated files ----------------------------------------------------------------------------

_CELL = st.sampled_from(
    [
        "",
        "2026-04-01",
        "2026-03-29",
        "2026-02-30",
        "09:00",
        "02:30",
        "25:00",
        "Masto",
        "Sky|Masto",
        "Nobody",
        "draft",
        "scheduled",
        "published",
        "promo",
        "x",
        '"',
        "a,b",
        "é",
        "\n",
        ";",
        "|",
    ]
) | st.text(max_size=6)
_HEADER = st.lists(
    st.sampled_from(
        ["date", "time", "zone", "channels", "text", "title", "status", "tags", "id", "bogus"]
    ),
    min_size=1,
    max_size=6,
)


@st.composite
def _csv_files(draw: st.DrawFn) -> bytes:
    header = draw(_HEADER)
    rows = draw(st.lists(st.lists(_CELL, min_size=len(header), max_size=len(header)), max_size=5))
    buffer = io.StringIO(newline="")
    delimiter = draw(st.sampled_from([",", ";"]))
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_csv_files() | st.binary(max_size=200))
def test_generated_files_never_crash_nor_import_half(ctx: AppContext, data: bytes) -> None:
    wid, _masto, _sky = _ws(ctx)
    before = _dump(ctx)
    plan = ctx.exchange.check_csv(wid, data)
    assert all(p.message for p in plan.problems)
    try:
        changes = ctx.exchange.import_csv(wid, data)
    except ValidationError:
        assert not plan.ok
        assert _dump(ctx) == before
        return
    assert plan.ok
    assert len(changes.ids("post", "created")) == len(plan.to_create)
