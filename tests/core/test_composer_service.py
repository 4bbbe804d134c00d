"""The composer's live checks: each network's own counting, its limits, problems, splits, resizes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, MediaDTO
from cmdesk.errors import UserError
from cmdesk.services.composer import highlights
from tests.core.helpers import workspace


def _channel(ctx: AppContext, wid: int, network: str, **limits: object) -> ChannelDTO:
    cid = ctx.channels.add(
        wid,
        network,
        f"{network} {len(ctx.channels.list(wid))}",
        handle="@b@x.social",
        limits=limits or None,
    ).subject
    assert cid is not None
    return ctx.channels.get(cid)


def _image(tmp_path: Path, name: str, size: tuple[int, int], noisy: bool = False) -> Path:
    img = Image.effect_noise(size, 90).convert("RGB") if noisy else Image.new("RGB", size, "red")
    path = tmp_path / name
    img.save(path, quality=100)
    return path


@pytest.fixture
def wid(ctx: AppContext) -> int:
    return workspace(ctx)


def test_mastodon_counts_every_link_as_23_characters(ctx: AppContext, wid: int) -> None:
    masto = _channel(ctx, wid, "mastodon")
    link = "https://example.com/" + "a" * 200
    check = ctx.composer.check(masto, [f"Read {link} now"])
    assert check.count == len("Read ") + 23 + len(" now")
    assert (check.limit, check.unit) == (500, "characters")
    assert not check.over_limit and check.problems == ()


def test_mastodon_limit_comes_from_the_channel(ctx: AppContext, wid: int) -> None:
    masto = _channel(ctx, wid, "mastodon", max_characters=1000)
    check = ctx.composer.check(masto, ["x" * 700])
    assert (check.count, check.limit, check.over_limit) == (700, 1000, False)
    small = _channel(ctx, wid, "mastodon", max_characters=100)
    over = ctx.composer.check(small, ["x" * 101])
    assert over.over_limit
    assert [p.code for p in over.problems] == ["too_long"]
    assert over.problems[0].blocking


def test_bluesky_counts_graphemes_up_to_300(ctx: AppContext, wid: int) -> None:
    sky = _channel(ctx, wid, "bluesky")
    family = "👨‍👩‍👧‍👦"  # one grapheme, 7 code points, 25 bytes
    check = ctx.composer.check(sky, [family * 10 + "漢字" * 100])
    assert check.count == 210
    assert (check.limit, check.unit) == (300, "graphemes")
    assert not check.over_limit
    # 3,100 bytes: Bluesky's 3,000-byte limit binds although only 300 graphemes are typed
    check = ctx.composer.check(sky, [family * 100 + "漢字" * 100])
    assert check.over_limit and check.count > 300
    over = ctx.composer.check(sky, ["日本語" * 101])
    assert over.count == 303 and over.over_limit
    assert over.problems and over.problems[0].code == "too_long"


def test_bluesky_links_count_in_full_unlike_mastodon(ctx: AppContext, wid: int) -> None:
    sky = _channel(ctx, wid, "bluesky")
    masto = _channel(ctx, wid, "mastodon")
    text = "See https://example.com/" + "p" * 60
    assert ctx.composer.check(sky, [text]).count == len(text)
    assert ctx.composer.check(masto, [text]).count == 4 + 23


def test_threads_are_counted_part_by_part(ctx: AppContext, wid: int) -> None:
    sky = _channel(ctx, wid, "bluesky")
    check = ctx.composer.check(sky, ["short", "é" * 301, "ok"])
    assert check.part_counts == (5, 301, 2)
    assert check.count == 301
    assert [p.part for p in check.problems if p.code == "too_long"] == [1]


def test_split_suggestion_cuts_at_sentences_and_each_part_fits(ctx: AppContext, wid: int) -> None:
    sky = _channel(ctx, wid, "bluesky")
    sentence = "Our bakery opens at seven every morning. "
    text = (sentence * 12).strip()
    parts = ctx.composer.split(sky, text)
    assert len(parts) > 1
    assert all(p.endswith(".") for p in parts)
    assert all(ctx.composer.check(sky, [p]).count <= 300 for p in parts)
    assert " ".join(parts) == text


def test_a_split_that_cannot_be_made_says_why(ctx: AppContext, wid: int) -> None:
    small = _channel(ctx, wid, "mastodon", max_characters=10)
    with pytest.raises(UserError, match="too long"):
        ctx.composer.split(small, "@someone_with_a_long_name@example.social hello there")


def _media(ctx: AppContext, wid: int, path: Path, alt: str = "") -> MediaDTO:
    return ctx.media.add_file(wid, path, alt_text=alt)


def test_too_many_images_and_missing_alt_text(ctx: AppContext, wid: int, tmp_path: Path) -> None:
    sky = _channel(ctx, wid, "bluesky")
    media = [
        _media(ctx, wid, _image(tmp_path, f"i{i}.png", (10 + i, 10)), alt="" if i else "A cat")
        for i in range(5)
    ]
    check = ctx.composer.check(sky, ["Look"], media)
    codes = [p.code for p in check.problems]
    assert "too_many_media" in codes
    missing = [p for p in check.problems if p.code == "missing_alt"]
    assert len(missing) == 4 and not any(p.blocking for p in missing)
    assert {p.media_id for p in missing} == {m.id for m in media[1:]}
    assert all(
        "i1.png" in p.message or "i2" in p.message or "i3" in p.message or "i4" in p.message
        for p in missing
    )  # the file's own name, not the stored hash


def test_unsupported_type_is_refused(ctx: AppContext, wid: int, tmp_path: Path) -> None:
    sky = _channel(ctx, wid, "bluesky")
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    dto = _media(ctx, wid, video)
    check = ctx.composer.check(sky, ["Watch"], [dto])
    problem = next(p for p in check.problems if p.code == "unsupported_media")
    assert problem.blocking and problem.media_id == dto.id


def test_an_image_too_large_is_offered_a_resize_that_fits(
    ctx: AppContext, wid: int, tmp_path: Path
) -> None:
    masto = _channel(ctx, wid, "mastodon", image_size_limit=200_000)
    big = _media(ctx, wid, _image(tmp_path, "photo.jpg", (900, 700), noisy=True), alt="Noise")
    assert big.size_bytes > 200_000
    check = ctx.composer.check(masto, ["Photo"], [big])
    offer = next(p for p in check.problems if p.code == "media_too_large")
    assert offer.blocking and offer.resizable and offer.media_id == big.id
    assert "photo.jpg" in offer.message
    small = ctx.composer.resize_for(masto, big)
    assert small.id != big.id and small.size_bytes <= 200_000
    assert small.alt_text == "Noise"
    assert Image.open(io.BytesIO(Path(small.path).read_bytes())).size[0] <= 900
    assert not [p for p in ctx.composer.check(masto, ["Photo"], [small]).problems]


def test_bluesky_offers_to_shrink_what_it_would_shrink_anyway(
    ctx: AppContext, wid: int, tmp_path: Path
) -> None:
    sky = _channel(ctx, wid, "bluesky")
    big = _media(ctx, wid, _image(tmp_path, "wide.png", (2100, 2000)), alt="Red")
    offer = next(p for p in ctx.composer.check(sky, ["x"], [big]).problems)
    assert offer.code == "media_too_large" and offer.resizable and not offer.blocking


def test_alt_text_is_stored_on_the_file(ctx: AppContext, wid: int, tmp_path: Path) -> None:
    dto = _media(ctx, wid, _image(tmp_path, "a.png", (4, 4)))
    updated = ctx.composer.set_alt_text(dto.id, "  A red square ")
    assert updated.alt_text == "A red square"
    assert ctx.composer.get_media([dto.id])[0].alt_text == "A red square"


def test_a_network_without_adapter_still_counts(ctx: AppContext, wid: int) -> None:
    masto = _channel(ctx, wid, "mastodon")
    odd = ChannelDTO(
        id=99,
        workspace_id=wid,
        network="telegram",
        name="T",
        handle="",
        base_url="",
        health="ok",
        health_detail="",
        color="",
        is_demo=False,
        has_credential=False,
        removed=False,
    )
    check = ctx.composer.check(odd, ["héllo 👋🏽"])
    assert check.count == 7 and check.limit == 0
    assert [p.code for p in check.problems] == ["no_adapter"]
    assert ctx.composer.check(masto, [""]).problems[0].code == "empty"


def test_demo_channels_count_by_the_network_they_imitate(ctx: AppContext, wid: int) -> None:
    cid = ctx.channels.add(wid, "bluesky", "Demo sky", is_demo=True).subject
    assert cid is not None
    check = ctx.composer.check(ctx.channels.get(cid), ["a" * 301])
    assert (check.limit, check.over_limit) == (300, True)


def test_highlights_find_links_mentions_and_tags() -> None:
    text = "Hi @ana@masto.es, see https://x.org/a. #pan #2026 email a@b.c"
    found = [(h.kind, text[h.start : h.end]) for h in highlights(text)]
    assert found == [
        ("mention", "@ana@masto.es"),
        ("link", "https://x.org/a"),
        ("tag", "#pan"),
    ]
