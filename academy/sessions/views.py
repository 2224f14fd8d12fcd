"""Live session pages: 1:1 offerings and free slots, booking; for every booking (1:1 or
workshop) its page, change and cancel (also from email links), rating, the calendar feed;
and the staff side: schedule, availability, notification log, attendance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import Select, delete, func, or_, select
from sqlalchemy.orm import selectinload

from academy.accounts.models import Firm, Role, User
from academy.conduct.forms import LiftForm
from academy.conduct.models import Incident, Restriction
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.i18n import show_as
from academy.core.pagination import paginate
from academy.core.params import id_arg, instant_arg, int_arg
from academy.core.security import staff_required
from academy.core.timezones import clock_time, viewer_timezone
from academy.core.tokens import InvalidToken
from academy.extensions import db
from academy.feedback.services import rate_booking, rating_of
from academy.notifications.calendar import render
from academy.notifications.dispatcher import health as outbox_health
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling import attendance, bookings, hours, seats, services, workshops
from academy.scheduling.access import can_use, facts_for, terms_of
from academy.scheduling.feed import feed_for, feed_owner, feed_urls, new_feed_token, revoke_feed
from academy.scheduling.links import booking_for_rating_token, booking_for_token
from academy.scheduling.messages import invite
from academy.scheduling.models import (
    AvailabilityWindow,
    Booking,
    BookingEvent,
    BookingStatus,
    DayOff,
    NoShow,
    Notice,
    Occurrence,
    Offering,
    OfferingKind,
    Outcome,
)
from academy.scheduling.policy import NO_SHOW_TERMS, POLICY, Channel, add_months
from academy.scheduling.slots import Slot, load_slots
from academy.sessions.forms import (
    WEEKDAYS,
    WINDOWS_PER_DAY,
    BookForm,
    ConfirmForm,
    DayOffForm,
    ExcuseForm,
    MeetingRoomForm,
    MoveForm,
    OutcomeForm,
    RatingForm,
    ScheduleFilterForm,
    SlotForm,
    availability_form,
)

bp = Blueprint("sessions", __name__)
WEEKS = POLICY.booking_horizon.days // 7


def _offering(slug: str) -> Offering:
    offering = db.session.scalar(
        select(Offering).where(
            Offering.slug == slug, Offering.kind == OfferingKind.ONE_ON_ONE, Offering.active
        )
    )
    return offering or abort(404)


def _chosen_slot() -> tuple[int, datetime] | None:
    """The slot a picker sent (`host`, `start`): None when nothing was chosen; a 400/404 page
    when what was sent is not an id and an instant (core.params)."""
    source = "form" if request.method == "POST" else "args"
    if not (request.form if source == "form" else request.args).get("start"):
        return None
    host = id_arg("host", source, required=True)
    start = instant_arg("start", source, required=True)
    assert host is not None and start is not None
    return host, start


def _week_days(week: int) -> list[date]:
    today = now().astimezone(ZoneInfo(viewer_timezone())).date()
    first = today + timedelta(days=7 * week)
    return [first + timedelta(days=i) for i in range(7)]


def _week_slots(offering: Offering, days: list[date]) -> dict[date, list[Slot]]:
    """The free slots of the days shown (in the viewer's zone), grouped by day."""
    zone = ZoneInfo(viewer_timezone())
    since = datetime.combine(days[0], datetime.min.time(), zone)
    until = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), zone)
    grouped: dict[date, list[Slot]] = defaultdict(list)
    for slot in load_slots(offering, now(), since=since, until=until):
        grouped[slot.starts_at.astimezone(zone).date()].append(slot)
    return grouped


def _week_arg() -> int:
    return int_arg("week", 0, minimum=0, maximum=WEEKS)


# --- Clients -------------------------------------------------------------------------------------


@bp.get("/sessions/")
@login_required
def index() -> str:
    decision = can_use(current_user, Channel.SESSIONS)
    offerings = db.session.scalars(
        select(Offering)
        .where(Offering.kind == OfferingKind.ONE_ON_ONE, Offering.active)
        .order_by(Offering.position)
    ).all()
    upcoming = db.session.scalar(
        select(func.count(Booking.id))
        .join(Booking.occurrence)
        .where(
            Booking.user_id == current_user.id,
            Booking.status == BookingStatus.CONFIRMED,
            Occurrence.ends_at > now(),
        )
    )
    return render_template(
        "sessions/index.html", decision=decision, offerings=offerings, upcoming=upcoming
    )


@bp.get("/sessions/<slug>/")
@login_required
def slots(slug: str) -> str:
    offering = _offering(slug)
    decision = can_use(current_user, Channel.SESSIONS)
    week = _week_arg()
    days = _week_days(week)
    grouped = _week_slots(offering, days) if decision else {}
    return render_template(
        "sessions/slots.html",
        offering=offering,
        decision=decision,
        days=days,
        grouped=grouped,
        week=week,
        weeks=WEEKS,
        action=url_for(".book", slug=slug),
        form=SlotForm(),
    )


@bp.route("/sessions/<slug>/book", methods=["GET", "POST"])
@login_required
def book(slug: str) -> str | Response:
    offering = _offering(slug)
    form = BookForm(request.form if request.method == "POST" else request.args)
    chosen = _chosen_slot()
    if chosen is None:
        flash(_("Choose a time from the list."), "error")
        return redirect(url_for(".slots", slug=slug))
    host_id, start = chosen
    host = db.session.get(User, host_id) or abort(404)
    if request.method == "POST" and form.validate():
        try:
            booking = services.book_one_on_one(
                current_user,
                offering,
                host_id,
                start,
                form.note.data or "",
                fee_acknowledged=bool(form.fee.data),
            )
        except services.SlotTaken:
            flash(_("This time was just taken. Please choose another one."), "error")
            return redirect(url_for(".slots", slug=slug, week=_week_of(start)))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "Your session is booked. The confirmation and calendar invite are on "
                    "their way to %(email)s.",
                    email=current_user.email,
                ),
                "success",
            )
            return redirect(url_for(".booking", booking_id=booking.id))
    return render_template(
        "sessions/book.html",
        offering=offering,
        form=form,
        host=host,
        start=start,
        end=start + timedelta(minutes=offering.duration_minutes),
        decision=can_use(current_user, Channel.SESSIONS),
        fee=facts_for(current_user).terms.fee,
    )


def _week_of(start: datetime) -> int:
    today = now().astimezone(ZoneInfo(viewer_timezone())).date()
    return min(
        max((start.astimezone(ZoneInfo(viewer_timezone())).date() - today).days // 7, 0), WEEKS
    )


@bp.get("/sessions/mine")
@login_required
def mine() -> str:
    at = now()
    when = request.args.get("when", "upcoming")
    query = (
        bookings.booking_query().join(Booking.occurrence).where(Booking.user_id == current_user.id)
    )
    if when == "past":
        query = query.where(
            or_(Occurrence.ends_at <= at, Booking.status == BookingStatus.CANCELLED)
        )
        query = query.order_by(Occurrence.starts_at.desc())
    else:
        when = "upcoming"
        query = query.where(Occurrence.ends_at > at, Booking.status != BookingStatus.CANCELLED)
        query = query.order_by(Occurrence.starts_at)
    return render_template("sessions/mine.html", page=paginate(query), when=when)


def _own_booking(booking_id: int) -> Booking:
    return bookings.get_booking(booking_id, current_user) or abort(404)


@bp.get("/sessions/bookings/<int:booking_id>")
@login_required
def booking(booking_id: int) -> str:
    item = _own_booking(booking_id)
    history = db.session.scalars(
        select(BookingEvent).where(BookingEvent.booking_id == item.id).order_by(BookingEvent.id)
    ).all()
    own = item.user_id == current_user.id
    ended = now() >= item.occurrence.ends_at
    waiting = item.status == BookingStatus.WAITLISTED
    return render_template(
        "sessions/booking.html",
        booking=item,
        terms=terms_of(item.user),  # the figures of the booking's client's plan
        history=history,
        change=bookings.preview_change(item, current_user),
        outcome_form=OutcomeForm() if current_user.is_staff else None,
        started=now() >= item.occurrence.starts_at,
        sees_link=own or item.occurrence.host_id == current_user.id,
        workshop=item.occurrence.offering.kind == OfferingKind.WORKSHOP,
        position=(
            seats.waitlist_positions([item.occurrence_id], item.user_id).get(item.occurrence_id)
            if waiting
            else None
        ),
        rating=rating_of(item.id) if ended else None,
        rate_form=RatingForm() if own and ended else None,
    )


@bp.get("/sessions/bookings/<int:booking_id>/calendar.ics")
@login_required
def calendar(booking_id: int) -> Response:
    item = _own_booking(booking_id)
    method = "REQUEST" if item.status == BookingStatus.CONFIRMED else "CANCEL"
    return Response(
        render(invite(item, method)),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="taxdome-session-{item.id}.ics"'},
    )


def _is_workshop(item: Booking) -> bool:
    return item.occurrence.offering.kind == OfferingKind.WORKSHOP


def _change_page(item: Booking, by: User, action: str, cancel_url: str) -> str:
    decision = bookings.preview_change(item, by)
    if _is_workshop(item):  # another date of the same workshop
        return render_template(
            "workshops/change.html",
            booking=item,
            decision=decision,
            dates=workshops.open_dates(item.occurrence.offering_id, item.occurrence_id),
            action=action,
            cancel_url=cancel_url,
            form=MoveForm(),
        )
    week = _week_arg()
    days = _week_days(week)
    return render_template(
        "sessions/change.html",
        booking=item,
        decision=decision,
        days=days,
        grouped=_week_slots(item.occurrence.offering, days),
        week=week,
        weeks=WEEKS,
        action=action,
        cancel_url=cancel_url,
        form=SlotForm(),
    )


def _late_ok() -> bool:
    """The client confirmed a change that counts as a no-show (R10), on the page saying so."""
    return request.form.get("late_ok") == "1"


def _confirm_late(item: Booking, error: DomainError, action: str, **chosen: object) -> str:
    """R10: the change is late; say so and ask once more before doing it."""
    return render_template(
        "sessions/confirm_late.html", booking=item, reason=error.message, action=action, **chosen
    )


def _do_move(item: Booking, by: User, via: str, back: str) -> str | Response:
    form = MoveForm()
    target_id = id_arg("occurrence", "form") if form.validate_on_submit() else None
    if target_id is None:
        flash(_("Choose a date from the list."), "error")
        return redirect(back)
    try:
        item = workshops.move_registration(item, target_id, by=by, via=via, late_ok=_late_ok())
    except bookings.LateChange as error:
        target = db.session.get(Occurrence, target_id)
        return _confirm_late(item, error, back, occurrence=target_id, target=target)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    flash(_("Your registration has moved. The updated invite is on its way."), "success")
    return render_template("sessions/done.html", booking=item, action="changed")


def _do_change(item: Booking, by: User, via: str, back: str) -> str | Response:
    if _is_workshop(item):
        return _do_move(item, by, via, back)
    form = SlotForm()
    chosen = _chosen_slot() if form.validate_on_submit() else None
    if chosen is None:
        flash(_("Choose a time from the list."), "error")
        return redirect(back)
    host_id, start = chosen
    try:
        services.reschedule(item, host_id, start, by=by, via=via, late_ok=_late_ok())
    except bookings.LateChange as error:
        return _confirm_late(item, error, back, host=host_id, start=start)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    flash(_("Your session has moved. The updated invite is on its way."), "success")
    return render_template("sessions/done.html", booking=item, action="changed")


def _cancel_page(item: Booking, by: User, action: str) -> str:
    return render_template(
        "sessions/cancel.html",
        booking=item,
        action=action,
        decision=bookings.preview_change(item, by),
        form=ConfirmForm(),
    )


def _do_cancel(item: Booking, by: User, via: str, back: str) -> str | Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    waiting = item.status == BookingStatus.WAITLISTED
    try:
        services.cancel(item, by=by, via=via, late_ok=_late_ok())
    except bookings.LateChange:
        # Became late since the page was shown: show the warning, ask again (R10).
        flash(_("Less notice is left now: please read this and confirm again."), "info")
        return _cancel_page(item, by, back)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    action = "left_waitlist" if waiting else "cancelled"
    return render_template("sessions/done.html", booking=item, action=action)


def _change_flow(item: Booking, by: User, via: str, here: str, cancel_url: str) -> str | Response:
    if request.method == "POST":
        return _do_change(item, by, via, here)
    return _change_page(item, by, here, cancel_url)


def _cancel_flow(item: Booking, by: User, via: str, here: str) -> str | Response:
    if request.method == "POST":
        return _do_cancel(item, by, via, here)
    return _cancel_page(item, by, here)


def _via(item: Booking) -> str:
    return "account" if current_user.id == item.user_id else "staff"


@bp.route("/sessions/bookings/<int:booking_id>/change", methods=["GET", "POST"])
@login_required
def change(booking_id: int) -> str | Response:
    item = _own_booking(booking_id)
    return _change_flow(
        item,
        current_user,
        _via(item),
        url_for(".change", booking_id=booking_id),
        url_for(".cancel", booking_id=booking_id),
    )


@bp.route("/sessions/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(booking_id: int) -> str | Response:
    item = _own_booking(booking_id)
    return _cancel_flow(item, current_user, _via(item), url_for(".cancel", booking_id=booking_id))


def _rate(item: Booking, here: str) -> str | Response:
    """R17: the attendee's rating of a session after it ends; stored as feedback."""
    form = RatingForm()
    existing = rating_of(item.id)
    if existing is None and form.validate_on_submit():
        try:
            rate_booking(item, form.rating.data, form.message.data or "")
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Thank you for your rating."), "success")
            return redirect(here)
    return render_template("sessions/rate.html", booking=item, form=form, rating=existing)


@bp.route("/sessions/bookings/<int:booking_id>/rate", methods=["GET", "POST"])
@login_required
def rate(booking_id: int) -> str | Response:
    item = bookings.get_booking(booking_id, current_user)
    if item is None or item.user_id != current_user.id:
        abort(404)
    return _rate(item, url_for(".rate", booking_id=booking_id))


@bp.route("/sessions/r/<token>", methods=["GET", "POST"])
def email_rate(token: str) -> str | Response:
    """The rating link of the email sent when a workshop ends: no login needed."""
    item = booking_for_rating_token(token)
    show_as(item.user)
    return _rate(item, url_for(".email_rate", token=token))


# --- The private calendar feed -----------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    user = feed_owner(token)
    if user is None:
        abort(404)
    return Response(
        feed_for(user, _("TaxDome sessions")),
        mimetype="text/calendar",
        headers={"Cache-Control": "private, max-age=300"},
    )


@bp.app_template_global("calendar_feed_urls")
def calendar_feed_urls(user: User) -> tuple[str, str] | None:
    """The profile page's calendar feed section (accounts knows nothing of bookings)."""
    return feed_urls(user)


@bp.post("/account/calendar-feed")
@login_required
def calendar_feed() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if request.form.get("action") == "revoke":
        revoke_feed(current_user)
        flash(_("The calendar link is turned off; calendars using it stop updating."), "success")
    else:
        new_feed_token(current_user)
        flash(_("Your calendar link is ready. Any earlier link no longer works."), "success")
    return redirect(url_for("accounts.profile") + "#calendar-feed")


@bp.errorhandler(InvalidToken)
def invalid_link(error: InvalidToken) -> tuple[str, int]:
    """A tampered, foreign or expired Change/Cancel link: a clear page, never a 500 (R9)."""
    return render_template("sessions/link_invalid.html", expired=error.expired), 400


@bp.route("/sessions/b/<token>/change", methods=["GET", "POST"])
def email_change(token: str) -> str | Response:
    """POLICY R9: the Change link of an email; no login needed, GET changes nothing."""
    item = booking_for_token(token)
    show_as(item.user)
    return _change_flow(
        item,
        item.user,
        "email",
        url_for(".email_change", token=token),
        url_for(".email_cancel", token=token),
    )


@bp.route("/sessions/b/<token>/cancel", methods=["GET", "POST"])
def email_cancel(token: str) -> str | Response:
    """POLICY R9: the Cancel link of an email; no login needed, GET changes nothing."""
    item = booking_for_token(token)
    show_as(item.user)
    return _cancel_flow(item, item.user, "email", url_for(".email_cancel", token=token))


# --- Staff ---------------------------------------------------------------------------------------


@bp.get("/staff/sessions")
@staff_required
def schedule() -> str:
    form = ScheduleFilterForm(request.args)
    form.validate()
    zone = ZoneInfo(viewer_timezone())
    query = bookings.booking_query().join(Booking.occurrence).join(Booking.user)
    hosts = db.session.scalars(
        select(User).where(User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.name)
    ).all()
    host = request.args.get("host", "me" if "host" not in request.args else "")
    if host == "me":
        query = query.where(Occurrence.host_id == current_user.id)
    elif host_id := id_arg("host"):
        query = query.where(Occurrence.host_id == host_id)
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    if start is None and end is None:
        start = now().astimezone(zone).date()
    if start:
        query = query.where(
            Occurrence.starts_at >= datetime.combine(start, datetime.min.time(), zone)
        )
    if end:
        query = query.where(
            Occurrence.starts_at
            < datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
        )
    if q := query_text():
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    page = paginate(query.order_by(Occurrence.starts_at, Booking.id))
    return render_template(
        "sessions/staff_schedule.html", page=page, form=form, hosts=hosts, host=host, start=start
    )


@bp.route("/staff/availability", methods=["GET", "POST"])
@staff_required
def availability() -> str | Response:
    windows = db.session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.host_id == current_user.id)
        .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_time)
    ).all()
    data: dict[str, object] = {}
    counts: dict[int, int] = defaultdict(int)
    for w in windows:
        counts[w.weekday] += 1
        if counts[w.weekday] <= WINDOWS_PER_DAY:
            data[f"d{w.weekday}_{counts[w.weekday]}_start"] = w.start_time
            data[f"d{w.weekday}_{counts[w.weekday]}_end"] = w.end_time
    form = availability_form(data)  # type: ignore[arg-type]
    room = MeetingRoomForm(prefix="room", meeting_url=current_user.meeting_url)
    day_off = DayOffForm(prefix="off")
    if request.method == "POST" and "d0_1_start" in request.form and form.validate_on_submit():
        db.session.execute(
            delete(AvailabilityWindow).where(AvailabilityWindow.host_id == current_user.id)
        )
        for day in range(7):
            for n in range(1, WINDOWS_PER_DAY + 1):
                start, end = form[f"d{day}_{n}_start"].data, form[f"d{day}_{n}_end"].data
                if start is not None:
                    db.session.add(
                        AvailabilityWindow(
                            host_id=current_user.id, weekday=day, start_time=start, end_time=end
                        )
                    )
        db.session.commit()
        flash(_("Your weekly hours have been saved."), "success")
        return redirect(url_for(".availability"))
    if "room-meeting_url" in request.form and room.validate_on_submit():
        current_user.meeting_url = room.meeting_url.data or ""
        db.session.commit()
        flash(_("Your meeting room link has been saved."), "success")
        return redirect(url_for(".availability"))
    if "off-day" in request.form and day_off.validate_on_submit():
        booked = hours.add_day_off(current_user, day_off.day.data, day_off.reason.data)
        flash(_("Day off added."), "success")
        if booked:  # they stay booked: a day off only stops new bookings
            flash(
                ngettext(
                    "You still have %(num)d session that day (%(times)s): move or cancel it "
                    "from the schedule if you cannot take it.",
                    "You still have %(num)d sessions that day (%(times)s): move or cancel them "
                    "from the schedule if you cannot take them.",
                    len(booked),
                    times=", ".join(clock_time(o.starts_at) for o in booked),
                ),
                "error",
            )
        return redirect(url_for(".availability"))
    days_off = db.session.scalars(
        select(DayOff)
        .where(
            DayOff.host_id == current_user.id,
            DayOff.day >= now().astimezone(ZoneInfo(current_user.timezone)).date(),
        )
        .order_by(DayOff.day)
    ).all()
    return render_template(
        "sessions/availability.html",
        form=form,
        room=room,
        day_off=day_off,
        days_off=days_off,
        weekdays=WEEKDAYS,
        per_day=WINDOWS_PER_DAY,
        confirm=ConfirmForm(),
    )


@bp.post("/staff/availability/days-off/<int:day_off_id>/delete")
@staff_required
def delete_day_off(day_off_id: int) -> Response:
    item = db.session.scalar(
        select(DayOff).where(DayOff.id == day_off_id, DayOff.host_id == current_user.id)
    )
    if item is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        db.session.delete(item)
        db.session.commit()
        flash(_("Day off removed."), "success")
    return redirect(url_for(".availability"))


@bp.get("/staff/notifications")
@staff_required
def notification_log() -> str:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    status = request.args.get("status", "")
    if status in set(OutboxStatus):  # anything else (junk, NUL) shows every message
        query = query.where(OutboxMessage.status == status)
    else:
        status = ""
    booking_id = id_arg("booking")
    if booking_id:
        query = query.where(OutboxMessage.booking_id == booking_id)
    return render_template(
        "sessions/notification_log.html",
        page=paginate(query),
        status=status,
        booking_id=booking_id,
        health=outbox_health(),
    )


# --- Attendance and the no-show ledger (POLICY R12-R16) -------------------------------------------


@bp.post("/staff/bookings/<int:booking_id>/outcome")
@staff_required
def mark_outcome(booking_id: int) -> Response:
    item = _own_booking(booking_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            attendance.mark_outcome(
                item, Outcome(form.outcome.data), by=current_user, note=form.note.data or ""
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The outcome has been recorded."), "success")
    else:
        flash(_("Choose what happened from the list."), "error")
    return redirect(url_for(".booking", booking_id=booking_id))


def _no_show_query() -> Select[tuple[NoShow]]:
    return select(NoShow).options(
        selectinload(NoShow.booking)
        .selectinload(Booking.occurrence)
        .selectinload(Occurrence.offering)
    )


@bp.get("/staff/clients/<int:user_id>")
@staff_required
def client_page(user_id: int) -> str:
    """R16: a client's no-show history (rolling 12 months; excused ones struck through)."""
    client = db.session.scalar(
        select(User)
        .options(selectinload(User.firm).selectinload(Firm.plan))
        .where(User.id == user_id)
    ) or abort(404)
    since = add_months(now(), -NO_SHOW_TERMS.window_months)
    shown = 50  # the most recent; the count says how many there are in all
    no_shows = db.session.scalars(
        _no_show_query()
        .where(NoShow.user_id == user_id, NoShow.occurred_at >= since)
        .order_by(NoShow.occurred_at.desc())
        .limit(shown)
    ).all()
    total = db.session.scalar(
        select(func.count(NoShow.id)).where(NoShow.user_id == user_id, NoShow.occurred_at >= since)
    )
    recent = db.session.scalars(
        bookings.booking_query()
        .join(Booking.occurrence)
        .where(Booking.user_id == user_id)
        .order_by(Occurrence.starts_at.desc())
        .limit(10)
    ).all()
    return render_template(
        "sessions/client.html",
        client=client,
        no_shows=no_shows,
        bookings=recent,
        record=attendance.client_standing(client),
        more=max((total or 0) - len(no_shows), 0),
        restrictions=db.session.scalars(
            select(Restriction)
            .where(Restriction.user_id == user_id)
            .order_by(Restriction.created_at.desc())
        ).all(),
        incidents=db.session.scalars(
            select(Incident)
            .options(selectinload(Incident.review))
            .where(Incident.client_id == user_id)
            .order_by(Incident.created_at.desc())
            .limit(20)
        ).all(),
        lift_form=LiftForm(),
        decision=can_use(client, Channel.SESSIONS),
        terms=terms_of(client),  # the client's plan's figures, not the staff viewer's
        excuse=ExcuseForm(),
    )


@bp.post("/staff/no-shows/<int:no_show_id>/excuse")
@staff_required
def excuse_no_show(no_show_id: int) -> str | Response:
    no_show = db.session.get(NoShow, no_show_id) or abort(404)
    form = ExcuseForm()
    if form.validate_on_submit():
        try:
            attendance.excuse(no_show, by=current_user, reason=form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The no-show is excused and no longer counts."), "success")
    else:
        flash(_("Say why the no-show is excused."), "error")
    return redirect(url_for(".client_page", user_id=no_show.user_id))


@bp.get("/staff/no-shows")
@staff_required
def no_show_list() -> str:
    """R16: clients by number of counted no-shows in the last 12 months."""
    since = add_months(now(), -NO_SHOW_TERMS.window_months)
    counts = (
        select(
            NoShow.user_id,
            func.count(NoShow.id).label("n"),
            func.max(NoShow.occurred_at).label("last"),
        )
        .where(NoShow.excused_at.is_(None), NoShow.occurred_at >= since)
        .group_by(NoShow.user_id)
        .subquery()
    )
    page = paginate(
        select(User)
        .options(selectinload(User.firm))
        .join(counts, counts.c.user_id == User.id)
        .order_by(counts.c.n.desc(), counts.c.last.desc(), User.id)
    )
    ids = [u.id for u in page.items]
    stats = (
        {
            row.user_id: row
            for row in db.session.execute(select(counts).where(counts.c.user_id.in_(ids)))
        }
        if ids
        else {}
    )
    return render_template("sessions/no_shows.html", page=page, stats=stats)


@bp.post("/notices/<int:notice_id>/dismiss")
@login_required
def dismiss_notice(notice_id: int) -> Response:
    notice = db.session.scalar(
        select(Notice).where(Notice.id == notice_id, Notice.user_id == current_user.id)
    ) or abort(404)
    if ConfirmForm().validate_on_submit():
        attendance.dismiss_notices(notice)
        flash(_("The notice is dismissed."), "success")
    return redirect(url_for("home.index"))
