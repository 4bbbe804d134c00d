"""Checks of campaign and label input: each refusal is a ``ValidationError`` saying what to fix."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdesk.campaigns.dto import CampaignInput
from cmdesk.errors import ValidationError
from cmdesk.models import Campaign, Tag

MAX_CAMPAIGN_NAME = 120
MAX_LABEL_NAME = 80
LABEL_KINDS = ("pillar", "tag")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def check_color(color: str) -> str:
    """``#RRGGBB`` in lower case, or a ``ValidationError``."""
    value = color.strip()
    if not _COLOR.fullmatch(value):
        raise ValidationError(
            f"“{color}” is not a colour: write it as # and six hexadecimal digits, e.g. #2980b9.",
            field="color",
        )
    return value.lower()


def check_campaign(data: CampaignInput) -> CampaignInput:
    """The input tidied (trimmed name, lower-case colour), or a ``ValidationError``."""
    name = " ".join(data.name.split())
    if not name:
        raise ValidationError("A campaign needs a name.", field="name")
    if len(name) > MAX_CAMPAIGN_NAME:
        raise ValidationError(
            f"A campaign name has at most {MAX_CAMPAIGN_NAME} characters.", field="name"
        )
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise ValidationError(
            f"The campaign ends ({data.ends_on:%Y-%m-%d}) before it starts "
            f"({data.starts_on:%Y-%m-%d}): pick an end date on or after the start.",
            field="ends_on",
        )
    return replace(
        data,
        name=name,
        color=check_color(data.color),
        objective=data.objective.strip(),
        notes=data.notes.strip(),
    )


def check_campaign_name_free(
    s: Session, workspace_id: int, name: str, *, except_id: int | None = None
) -> None:
    """Refuse a name another campaign of the workspace has (ignoring case)."""
    q = select(Campaign.id).where(
        Campaign.workspace_id == workspace_id, func.lower(Campaign.name) == name.lower()
    )
    if except_id is not None:
        q = q.where(Campaign.id != except_id)
    if s.scalar(q) is not None:
        raise ValidationError(
            f"This workspace already has a campaign called “{name}”: choose another name.",
            field="name",
        )


def check_kind(kind: str) -> str:
    if kind not in LABEL_KINDS:
        raise ValidationError(f"A label is a pillar or a tag, not “{kind}”.", field="kind")
    return kind


def check_label_name(name: str) -> str:
    value = " ".join(name.split()).lstrip("#")
    if not value:
        raise ValidationError("A pillar or tag needs a name.", field="name")
    if len(value) > MAX_LABEL_NAME:
        raise ValidationError(
            f"A pillar or tag name has at most {MAX_LABEL_NAME} characters.", field="name"
        )
    return value


def check_label_name_free(
    s: Session, workspace_id: int, kind: str, name: str, *, except_id: int | None = None
) -> None:
    q = select(Tag.id).where(
        Tag.workspace_id == workspace_id, Tag.kind == kind, func.lower(Tag.name) == name.lower()
    )
    if except_id is not None:
        q = q.where(Tag.id != except_id)
    if s.scalar(q) is not None:
        what = "pillar" if kind == "pillar" else "tag"
        raise ValidationError(
            f"This workspace already has a {what} called “{name}”: choose another name, or merge "
            "the two.",
            field="name",
        )
