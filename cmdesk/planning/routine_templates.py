"""The profession's routine: daily, weekly and monthly tasks a community manager does.

Taken from ``reference/community-manager-work.md`` (five articles on the job): each template says
what to do and how to do it in cmdesk, and may carry an *action*: a place in cmdesk that the
Routine page turns into a button ("Open the inbox"). ``DEFAULT_KEYS`` are the ones a workspace
gets once, the first time its routine is opened; the rest can be added from the template list.
"""

from __future__ import annotations

from dataclasses import dataclass

from cmdesk.planning.routine_periods import build_rule


@dataclass(frozen=True, slots=True)
class Action:
    """A place in cmdesk a task's button opens."""

    key: str
    label: str


ACTIONS: dict[str, Action] = {
    a.key: a
    for a in (
        Action("inbox", "Open the inbox"),
        Action("listening", "Open listening"),
        Action("attention", "Show posts needing attention"),
        Action("calendar", "Open the calendar"),
        Action("calendar-next-week", "Plan next week"),
        Action("calendar-next-month", "Plan next month"),
        Action("board", "Open the board"),
        Action("ideas", "Open the ideas bin"),
        Action("campaigns", "Open campaigns"),
        Action("report", "Open the report"),
        Action("channels", "Check channels"),
    )
}


@dataclass(frozen=True, slots=True)
class RoutineTemplate:
    """A task of the profession, ready to be added to a workspace's routine."""

    key: str
    cadence: str
    title: str
    description: str
    action: str | None = None
    weekday: int | None = None  #: weekly: 0 Monday .. 6 Sunday
    month_day: int | None = None  #: monthly: 1..31 (the last day in shorter months)
    remind_at: str | None = None

    @property
    def rule(self) -> str:
        return build_rule(self.cadence, weekday=self.weekday, month_day=self.month_day)


TEMPLATES: tuple[RoutineTemplate, ...] = (
    # --- daily ---------------------------------------------------------------------------------
    RoutineTemplate(
        "daily.answer_replies",
        "daily",
        "Answer replies and mentions",
        "Open the inbox, work through the New filter on every channel: reply, like or mark done. "
        "Private messages and comments first; nobody should wait more than a day.",
        action="inbox",
        remind_at="10:00",
    ),
    RoutineTemplate(
        "daily.check_published",
        "daily",
        "Check that yesterday's posts went out",
        "Look at posts needing attention: failed or missed posts are listed with the reason. "
        "Publish now, reschedule or skip each one, and open a published post to see its link.",
        action="attention",
        remind_at="09:30",
    ),
    RoutineTemplate(
        "daily.listen",
        "daily",
        "Listen for the brand",
        "Read the Listening tab of the inbox: what is said about the brand and its subjects. "
        "Note ideas in the ideas bin and watch for signs of a crisis (alert words help).",
        action="listening",
    ),
    RoutineTemplate(
        "daily.spark_conversation",
        "daily",
        "Encourage conversation",
        "Ask a question, answer a follower's post or share a community member's work. "
        "Interaction counts more than reach.",
        action="inbox",
    ),
    # --- weekly --------------------------------------------------------------------------------
    RoutineTemplate(
        "weekly.select_content",
        "weekly",
        "Select content for the community",
        "Go through blogs, forums, news and video channels (your feeds bring them to the ideas "
        "bin). Keep what the community would value; discard the rest.",
        action="ideas",
        weekday=0,
    ),
    RoutineTemplate(
        "weekly.plan_topics",
        "weekly",
        "Plan next week's topics",
        "A week ahead, choose the topics from the content agenda, news and ideas. Create them as "
        "ideas or drafts in next week's calendar, one per day and channel you post on.",
        action="calendar-next-week",
        weekday=3,
        remind_at="10:00",
    ),
    RoutineTemplate(
        "weekly.schedule_week",
        "weekly",
        "Schedule the week",
        "Write the week's posts per network (what, where, which day and at what time), get them "
        "approved and scheduled. Use Add to queue to fill the empty slots.",
        action="board",
        weekday=4,
    ),
    RoutineTemplate(
        "weekly.follow_ads",
        "weekly",
        "Follow the running campaigns",
        "Check each running campaign's posts and results; adjust what is not working.",
        action="campaigns",
        weekday=2,
    ),
    RoutineTemplate(
        "weekly.report_kpis",
        "weekly",
        "Report the week's KPIs",
        "Open the report for the last week: reach, interactions, replies and growth per network. "
        "Add what people said (qualitative) and send it to the marketing lead.",
        action="report",
        weekday=0,
        remind_at="11:00",
    ),
    RoutineTemplate(
        "weekly.anticipate_crises",
        "weekly",
        "Anticipate possible crises",
        "Read the week's comments about the company for recurring complaints or a rising tone; "
        "review the alert words and the crisis manual.",
        action="listening",
        weekday=4,
    ),
    # --- monthly -------------------------------------------------------------------------------
    RoutineTemplate(
        "monthly.content_agenda",
        "monthly",
        "Write the content agenda",
        "From the workspace's objectives, lay out next month in the calendar: pillars, key dates, "
        "campaigns and a topic per posting day.",
        action="calendar-next-month",
        month_day=20,
        remind_at="10:00",
    ),
    RoutineTemplate(
        "monthly.review_campaigns",
        "monthly",
        "Review and plan campaigns",
        "Close finished campaigns with their results; plan the next ones (promotions, contests, "
        "meet-ups) with dates, objective and colour.",
        action="campaigns",
        month_day=1,
    ),
    RoutineTemplate(
        "monthly.study_competitors",
        "monthly",
        "Study the competition",
        "Look at what competitors and the people around the brand publish and how it does; add a "
        "saved search for each and note ideas.",
        action="listening",
        month_day=10,
    ),
    RoutineTemplate(
        "monthly.sector_news",
        "monthly",
        "Keep up with the client's sector",
        "Read the client's news and the sector's, and what is new in social media (platform "
        "changes, formats). Note what changes the plan.",
        action="ideas",
        month_day=5,
    ),
    RoutineTemplate(
        "monthly.audit_profiles",
        "monthly",
        "Audit the social profiles",
        "Check every channel's profile, bio, links and connection health; a deeper audit each "
        "quarter. Reconnect channels that need it.",
        action="channels",
        month_day=15,
    ),
)

BY_KEY: dict[str, RoutineTemplate] = {t.key: t for t in TEMPLATES}

#: What a workspace's routine starts with.
DEFAULT_KEYS: tuple[str, ...] = (
    "daily.answer_replies",
    "daily.check_published",
    "daily.listen",
    "weekly.plan_topics",
    "weekly.schedule_week",
    "weekly.report_kpis",
    "monthly.content_agenda",
    "monthly.review_campaigns",
    "monthly.study_competitors",
)

#: ``template_key`` of a task typed in by the person that carries an action: ``custom.<action>``.
CUSTOM_PREFIX = "custom."


def action_of(template_key: str | None) -> str | None:
    """The action key a task's ``template_key`` leads to, if any."""
    if not template_key:
        return None
    if template_key.startswith(CUSTOM_PREFIX):
        key = template_key[len(CUSTOM_PREFIX) :]
        return key if key in ACTIONS else None
    template = BY_KEY.get(template_key)
    return template.action if template else None
