"""The support terms (POLICY.md) as pure decisions.

No Flask, no SQLAlchemy: functions take plain values and return a Decision that says
whether something is allowed, why, and under which rule. Reasons are English message
ids marked with N_() so Babel extracts them; the web layer translates them when shown
(academy.core.i18n.explain).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from academy.core.decisions import Decision
from academy.core.markers import N_


class Channel(StrEnum):
    """The support channels of POLICY R1."""

    CHAT = "chat"
    EMAIL = "email"
    HELP = "help"
    RESOURCES = "resources"
    ACADEMY = "academy"
    WORKSHOPS = "workshops"
    SESSIONS = "sessions"


# Display names, in R1's order; translated where shown.
CHANNEL_NAMES: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.CHAT: N_("Chat with the customer success team"),
        Channel.EMAIL: N_("Support inbox (first response within %(hours)d hours)"),
        Channel.HELP: N_("Help section"),
        Channel.RESOURCES: N_("Webinars, video tutorials and articles"),
        Channel.ACADEMY: N_("Academy courses and quizzes"),
        Channel.WORKSHOPS: N_("Live online workshops"),
        Channel.SESSIONS: N_("1:1 sessions (implementation, quick assist)"),
    }
)


@dataclass(frozen=True)
class Grant:
    """One row of the plan table: `plan` gives `channel` to firms with at least `min_seats`."""

    plan: str
    channel: Channel
    min_seats: int = 1


def channel_decision(
    channel: Channel,
    plan: str | None,
    seats: int,
    grants: Iterable[Grant],
) -> Decision:
    """POLICY R2: may a firm on `plan` with `seats` users use `channel`?

    A refusal names the cheapest thing that would grant it: the same plan with more
    seats if that plan has the channel, else the plans that have it.
    """
    if plan is None:
        return Decision(False, "R2", N_("Your account is not linked to a firm's subscription."))
    offering = [g for g in grants if g.channel == channel]
    for g in offering:
        if g.plan == plan and seats >= g.min_seats:
            return Decision(True, "R2")
    same_plan = [g for g in offering if g.plan == plan]
    if same_plan:
        need = min(g.min_seats for g in same_plan)
        return Decision(
            False,
            "R2",
            N_("Your firm's plan includes this for firms with %(seats)d or more users."),
            {"seats": need},
        )
    others = list(dict.fromkeys(g.plan for g in offering))  # in the plan table's order
    if not others:
        return Decision(False, "R2", N_("This channel is not offered on any plan."))
    return Decision(
        False,
        "R2",
        N_("Your firm's plan does not include this. It is available on: %(plans)s."),
        {"plans": others},
    )


# --- Live sessions (POLICY R7-R11) ---------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Every duration of the terms, in one place. The terms page is generated from it."""

    # R8: the reminders of a live session: on which channel (academy.notifications.channels),
    # how long before the start. Emails 2 days, 24 hours and 1 hour before; an SMS 30 minutes.
    reminder_plan: tuple[tuple[str, timedelta], ...] = (
        ("email", timedelta(hours=48)),
        ("email", timedelta(hours=24)),
        ("email", timedelta(hours=1)),
        ("sms", timedelta(minutes=30)),
    )
    # R10: changes and cancellations with less notice than this count as a no-show (R12).
    notice: timedelta = timedelta(hours=24)
    # Not a term: how far ahead 1:1 slots are offered, and the grid they start on.
    booking_horizon: timedelta = timedelta(weeks=6)
    slot_grid: timedelta = timedelta(minutes=30)
    # R3: a support inbox request gets a first response within this long of arrival.
    first_response: timedelta = timedelta(hours=24)
    # Not a term: with this little time left, the inbox marks a request's R3 clock as soon due.
    first_response_warning: timedelta = timedelta(hours=4)


POLICY = Policy()


@dataclass(frozen=True)
class ResponseClock:
    """POLICY R3: where a support request stands against its first-response deadline."""

    deadline: datetime
    responded: bool
    # Positive: time left (or, once answered, how early); negative: how late.
    margin: timedelta
    breached: bool
    soon: bool  # waiting, not yet late, and within the policy's warning of the deadline


def response_clock(
    received_at: datetime,
    first_response_at: datetime | None,
    at: datetime,
    policy: Policy = POLICY,
) -> ResponseClock:
    """R3: the deadline is `policy.first_response` after arrival; the first staff reply stops
    the clock. A reply exactly at the deadline is on time."""
    deadline = received_at + policy.first_response
    stop = first_response_at if first_response_at is not None else at
    margin = deadline - stop
    responded = first_response_at is not None
    breached = margin < timedelta(0)
    soon = not responded and not breached and margin < policy.first_response_warning
    return ResponseClock(deadline, responded, margin, breached, soon)


@dataclass(frozen=True)
class Reminder:
    """One reminder of a booking: which channel, how long before the start, when it is due."""

    channel: str  # a channel's name ("email", "sms")
    before: timedelta
    due_at: datetime

    @property
    def key(self) -> str:
        """Names the reminder among a booking's reminders (used to send each at most once)."""
        return f"{self.channel}-{int(self.before.total_seconds() // 60)}m"


def reminders(
    start: datetime,
    booked_at: datetime,
    reachable: Collection[str],
    policy: Policy = POLICY,
) -> list[Reminder]:
    """POLICY R8: the reminders a booking made at `booked_at` gets for a session at `start`,
    on the channels the attendee can be reached on (`reachable`: an SMS needs a phone).

    A reminder whose time has already passed when the booking is made is not sent late.
    """
    planned = [Reminder(c, b, start - b) for c, b in policy.reminder_plan if c in reachable]
    return sorted((r for r in planned if r.due_at > booked_at), key=lambda r: r.due_at)


def reminder_offsets(channel: str, policy: Policy = POLICY) -> list[timedelta]:
    """How long before the start the reminders of one channel go (the terms page)."""
    return [before for c, before in policy.reminder_plan if c == channel]


def booking_decision(start: datetime, at: datetime, policy: Policy = POLICY) -> Decision:
    """May a slot starting at `start` be booked at `at`? Never in the past, never too far."""
    if start <= at:
        return Decision(False, "R7", N_("This time has already passed. Choose another slot."))
    if start > at + policy.booking_horizon:
        return Decision(
            False,
            "R7",
            N_("Sessions can be booked at most %(weeks)d weeks ahead."),
            {"weeks": policy.booking_horizon.days // 7},
        )
    return Decision(True, "R7")


@dataclass(frozen=True)
class ChangeDecision(Decision):
    """R10: a change is allowed until the start; `late` says it counts as a no-show (R12)."""

    late: bool = False


def change_decision(
    start: datetime, at: datetime, policy: Policy = POLICY, *, by_client: bool = True
) -> ChangeDecision:
    """POLICY R10: reschedule or cancel at `at` a session starting at `start`.

    Exactly `policy.notice` (24 h) before the start is on time; any later is late, which is
    still allowed but counts as a no-show (R12). Once the session has started it can no
    longer be changed (its outcome is then marked by staff). R10 and R12 are about the
    client's own changes: staff moving or cancelling a client's session is never late.
    """
    if at >= start:
        return ChangeDecision(
            False, "R10", N_("This session has already started, so it can no longer be changed.")
        )
    if by_client and start - at < policy.notice:
        return ChangeDecision(
            True,
            "R10",
            N_(
                "Less than %(hours)d hours before the start, this change counts as a no-show "
                "under the support terms."
            ),
            {"hours": int(policy.notice.total_seconds() // 3600)},
            late=True,
        )
    return ChangeDecision(True, "R10")


def link_valid_until(start: datetime) -> datetime:
    """POLICY R9: change and cancel links in emails work until the session starts."""
    return start


# --- No-shows (POLICY R12-R16) -------------------------------------------------------------------


class PenaltyMode(StrEnum):
    """R15: what a second no-show within 12 months means; a setting per plan."""

    FEE = "fee"  # the next session carries a fee
    COOLDOWN = "cooldown"  # no booking until six months after the most recent no-show


@dataclass(frozen=True)
class NoShowTerms:
    window_months: int = 12  # R15, R16: the rolling window
    cooldown_months: int = 6  # R15
    unresponsive_minutes: int = 5  # R13: when staff may end a session


NO_SHOW_TERMS = NoShowTerms()


# --- The figures a plan may set for itself (POLICY R2: channels and terms go by plan) ------------


@dataclass(frozen=True)
class PlanSetting:
    """One figure of the terms that a plan may set (pretix's settings DEFAULTS are the model):
    its type, bounds and label are declared once here; the plan table edits it, and every page,
    email and decision reads the plan's value through `terms_for`."""

    key: str
    label: str  # a message id (N_)
    default: int | str
    minimum: int = 0
    maximum: int = 0
    choices: tuple[tuple[str, str], ...] = ()  # (value, message id); empty: a whole number
    unit: str = ""  # a message id (N_), shown after the box

    def clean(self, value: object) -> int | str:
        """The value as the rules use it; anything out of bounds falls back to the default."""
        if self.choices:
            return str(value) if value in {v for v, _ in self.choices} else self.default
        is_number = isinstance(value, int) and not isinstance(value, bool)
        return value if is_number and self.minimum <= value <= self.maximum else self.default


PLAN_SETTINGS: tuple[PlanSetting, ...] = (
    PlanSetting(
        "notice_hours",
        N_("Notice for a change or cancellation (R10)"),
        int(POLICY.notice.total_seconds() // 3600),
        minimum=1,
        maximum=24 * 14,
        unit=N_("hours"),
    ),
    PlanSetting(
        "noshow_penalty",
        N_("After a second no-show (R15)"),
        "fee",
        choices=(
            ("fee", N_("A fee on the next session")),
            ("cooldown", N_("A wait before the next booking")),
        ),
    ),
    PlanSetting("noshow_fee", N_("The fee (R15)"), 50, minimum=0, maximum=100_000),
    PlanSetting(
        "cooldown_months",
        N_("The wait after the most recent no-show (R15)"),
        NO_SHOW_TERMS.cooldown_months,
        minimum=1,
        maximum=24,
        unit=N_("months"),
    ),
)


@dataclass(frozen=True)
class Terms:
    """The terms as they apply to one firm: the defaults, with its plan's settings. Every
    figure a page or an email shows is read from here (`terms.notice_hours`, ...)."""

    policy: Policy
    no_shows: NoShowTerms
    penalty_mode: PenaltyMode
    fee: int

    @property
    def notice_hours(self) -> int:
        return int(self.policy.notice.total_seconds() // 3600)

    @property
    def first_response_hours(self) -> int:
        return int(self.policy.first_response.total_seconds() // 3600)

    @property
    def window_months(self) -> int:
        return self.no_shows.window_months

    @property
    def cooldown_months(self) -> int:
        return self.no_shows.cooldown_months

    @property
    def unresponsive_minutes(self) -> int:
        return self.no_shows.unresponsive_minutes


def terms_for(settings: Mapping[str, object] | None = None) -> Terms:
    """The terms of a plan with these settings (None or {}: the defaults, e.g. for visitors)."""
    given = settings or {}
    values = {s.key: s.clean(given.get(s.key, s.default)) for s in PLAN_SETTINGS}
    return Terms(
        policy=replace(POLICY, notice=timedelta(hours=int(values["notice_hours"]))),
        no_shows=replace(NO_SHOW_TERMS, cooldown_months=int(values["cooldown_months"])),
        penalty_mode=PenaltyMode(values["noshow_penalty"]),
        fee=int(values["noshow_fee"]),
    )


DEFAULT_TERMS = terms_for()


def add_months(at: datetime, months: int) -> datetime:
    """The same day and time `months` later (or earlier); the 31st becomes the month's last day."""
    month_index = at.month - 1 + months
    year, month = at.year + month_index // 12, month_index % 12 + 1
    days_in_month = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return at.replace(year=year, month=month, day=min(at.day, days_in_month))


def within_window(earlier: datetime, later: datetime, terms: NoShowTerms = NO_SHOW_TERMS) -> bool:
    """R15: is `later` within 12 months of `earlier`? Exactly 12 months after counts as within."""
    return earlier <= later <= add_months(earlier, terms.window_months)


@dataclass(frozen=True)
class Standing:
    """A client's no-show record at one instant (counted no-shows only: excused ones are out)."""

    recent: tuple[datetime, ...]  # in the rolling window before `at`, oldest first (R16)
    most_recent: datetime | None
    penalty: bool  # R15: the most recent no-show came within 12 months of an earlier one
    cooldown_until: datetime | None  # R15 cooldown: no booking before this

    @property
    def warned(self) -> bool:
        """R14: at least one counted no-show in the rolling window."""
        return bool(self.recent)


def standing(
    no_shows: Iterable[datetime], at: datetime, terms: NoShowTerms = NO_SHOW_TERMS
) -> Standing:
    """R14-R16 from the instants of a client's counted no-shows."""
    ordered = sorted(n for n in no_shows if n <= at)
    recent = tuple(n for n in ordered if within_window(n, at, terms))
    if not ordered:
        return Standing((), None, False, None)
    last = ordered[-1]
    penalty = any(within_window(earlier, last, terms) for earlier in ordered[:-1])
    cooldown_until = add_months(last, terms.cooldown_months) if penalty else None
    return Standing(recent, last, penalty, cooldown_until)


@dataclass(frozen=True)
class PenaltyDecision(Decision):
    fee_required: bool = False
    not_before: datetime | None = None


def penalty_decision(
    record: Standing,
    mode: PenaltyMode,
    at: datetime,
    fee_charged_since_last: bool,
    terms: NoShowTerms = NO_SHOW_TERMS,
) -> PenaltyDecision:
    """R15: may the client book now, and does the session carry a fee?

    A fee applies to the next session booked after the no-show that triggered it, once.
    A cooldown lasts until `cooldown_months` after the most recent no-show (`record` was
    computed with the same terms).
    """
    months = {"months": terms.window_months}
    if not record.penalty:
        return PenaltyDecision(True, "R15")
    if mode == PenaltyMode.COOLDOWN:
        assert record.cooldown_until is not None
        if at < record.cooldown_until:
            return PenaltyDecision(
                False,
                "R15",
                N_(
                    "After a second no-show within %(months)d months, you can book your next "
                    "session from %(date)s."
                ),
                {**months, "date": record.cooldown_until},
                not_before=record.cooldown_until,
            )
        return PenaltyDecision(True, "R15")
    if fee_charged_since_last:
        return PenaltyDecision(True, "R15")
    return PenaltyDecision(
        True,
        "R15",
        N_("After a second no-show within %(months)d months, your next session carries a fee."),
        months,
        fee_required=True,
    )


def outcome_decision(
    outcome: str, start: datetime, at: datetime, terms: NoShowTerms = NO_SHOW_TERMS
) -> Decision:
    """R12, R13: when staff may mark what happened.

    Attended: once the session has started. A no-show or an interruption: once the client has
    been unresponsive for more than `unresponsive_minutes` (R13), counted from the start — a
    client who never came is unresponsive from the first minute.
    """
    if at < start:
        return Decision(False, "R12", N_("The outcome can be marked once the session has started."))
    after = start + timedelta(minutes=terms.unresponsive_minutes)
    if outcome in ("no_show", "interrupted") and at <= after:
        return Decision(
            False,
            "R13",
            N_(
                "A no-show or an interruption can be recorded only once the client has been "
                "unresponsive for more than %(minutes)d minutes after the start."
            ),
            {"minutes": terms.unresponsive_minutes},
        )
    return Decision(True, "R12")


# --- Conduct (POLICY R4-R6) ---------------------------------------------------------------------


class Measure(StrEnum):
    """R5: what a review of a conduct incident decides."""

    NO_ACTION = "no_action"
    TEMPORARY = "temporary"  # restricted until a date
    PERMANENT = "permanent"
    END_SUBSCRIPTION = "end_subscription"  # the firm's subscription ends, without refund


# R6: what a restriction blocks. Help articles, courses and the terms stay readable.
RESTRICTED_CHANNELS = frozenset({Channel.SESSIONS, Channel.WORKSHOPS, Channel.EMAIL, Channel.CHAT})


def review_decision(reporter_id: int, reviewer_id: int) -> Decision:
    """R4: an incident is assessed by a staff member other than the one who reported it."""
    if reporter_id == reviewer_id:
        return Decision(
            False, "R4", N_("Another staff member must review an incident you reported.")
        )
    return Decision(True, "R4")


def measure_decision(measure: Measure, until: datetime | None, at: datetime) -> Decision:
    """R5: a temporary restriction needs an end in the future; the others need no date."""
    if measure == Measure.TEMPORARY and (until is None or until <= at):
        return Decision(False, "R5", N_("Give the date the restriction ends, in the future."))
    return Decision(True, "R5")


@dataclass(frozen=True)
class ActiveRestriction:
    permanent: bool
    until: datetime | None


def restriction_decision(
    channel: Channel,
    restrictions: Iterable[ActiveRestriction],
    subscription_ended: bool,
    at: datetime,
) -> Decision:
    """R5, R6: is the client's access to `channel` blocked at `at`, why, and until when?"""
    if subscription_ended:
        return Decision(False, "R5", N_("Your firm's subscription has ended."))
    if channel not in RESTRICTED_CHANNELS:
        return Decision(True, "R6")
    current = [r for r in restrictions if r.permanent or (r.until is not None and r.until > at)]
    if any(r.permanent for r in current):
        return Decision(
            False, "R6", N_("Your access to support services is restricted after a conduct review.")
        )
    if current:
        until = max(r.until for r in current if r.until is not None)
        return Decision(
            False,
            "R6",
            N_(
                "Your access to support services is restricted until %(date)s after a conduct "
                "review."
            ),
            {"date": until},
        )
    return Decision(True, "R6")


# --- Access: the order of the rules (POLICY R5/R6, R2, R18, R15) ---------------------------------

# Channels whose use is a "support session" in the sense of R15 and needs accepted terms (R18).
SESSION_CHANNELS = frozenset({Channel.SESSIONS, Channel.WORKSHOPS})


@dataclass(frozen=True)
class AccessFacts:
    """Everything the access rules need to know about one user, loaded once per request."""

    staff: bool
    plan: str | None  # the firm's plan name (None: no firm)
    seats: int
    grants: tuple[Grant, ...]  # the whole plan table (R2 names what would grant a channel)
    subscription_ended: bool  # R5: ended by a conduct review
    restrictions: tuple[ActiveRestriction, ...]  # R5/R6, not lifted
    terms_accepted: bool  # R18: the version in force (or none published yet)
    no_shows: tuple[datetime, ...]  # R12: counted (not excused) no-shows
    terms: Terms  # the figures of the firm's plan (notice, penalty, fee, wait)
    fee_charged_since_last: bool  # R15: the fee already applied to a booking since the last


def access_decision(facts: AccessFacts, channel: Channel, at: datetime) -> Decision:
    """May this user use `channel` at `at`? The one place the order of the rules is decided:
    a closed subscription or a restriction first (R5, R6), then the plan (R2), then for live
    sessions the accepted terms (R18) and the no-show penalty (R15).

    An allowed decision may still carry terms: a PenaltyDecision with `fee_required`.
    """
    if facts.staff:
        return Decision(True, "R2")
    blocked = restriction_decision(channel, facts.restrictions, facts.subscription_ended, at)
    if not blocked:
        return blocked
    decision = channel_decision(channel, facts.plan, facts.seats, facts.grants)
    if not decision or channel not in SESSION_CHANNELS:
        return decision
    if not facts.terms_accepted:
        return Decision(
            False, "R18", N_("Please read and accept the current support terms before you book.")
        )
    penalty = penalty_decision(
        standing(facts.no_shows, at, facts.terms.no_shows),
        facts.terms.penalty_mode,
        at,
        facts.fee_charged_since_last,
        facts.terms.no_shows,
    )
    if not penalty.allowed or penalty.fee_required:
        return penalty
    return decision


def standing_notice(facts: AccessFacts, at: datetime, currency: str) -> Decision | None:
    """What a client's no-show record means for them now (R14, R15), in one sentence with its
    figures and dates: the notice on their home page and the heart of the no-show emails.
    None when no counted no-show is in the window."""
    terms = facts.terms.no_shows
    record = standing(facts.no_shows, at, terms)
    months = {"months": terms.window_months, "latest": record.most_recent}
    if record.penalty and facts.terms.penalty_mode == PenaltyMode.COOLDOWN:
        assert record.cooldown_until is not None
        if at < record.cooldown_until:
            return Decision(
                False,
                "R15",
                N_(
                    "After a second no-show within %(months)d months (the latest on %(latest)s), "
                    "you can book your next session from %(until)s."
                ),
                {**months, "until": record.cooldown_until},
            )
        return None
    if record.penalty:
        if facts.fee_charged_since_last:
            return Decision(
                True,
                "R15",
                N_(
                    "After a second no-show within %(months)d months (the latest on %(latest)s), "
                    "the fee applied to the next session you booked."
                ),
                months,
            )
        return Decision(
            True,
            "R15",
            N_(
                "After a second no-show within %(months)d months (the latest on %(latest)s), "
                "your next session carries a fee of %(fee)d %(currency)s."
            ),
            {**months, "fee": facts.terms.fee, "currency": currency},
        )
    if not record.warned:
        return None
    if facts.terms.penalty_mode == PenaltyMode.COOLDOWN:
        return Decision(
            True,
            "R14",
            N_(
                "Nothing changes for now. If a second no-show happens within %(months)d months "
                "of this one (%(latest)s), your next session can be booked only %(cooldown)d "
                "months after it."
            ),
            {**months, "cooldown": terms.cooldown_months},
        )
    return Decision(
        True,
        "R14",
        N_(
            "Nothing changes for now. If a second no-show happens within %(months)d months of "
            "this one (%(latest)s), your next session will carry a fee of %(fee)d %(currency)s."
        ),
        {**months, "fee": facts.terms.fee, "currency": currency},
    )
