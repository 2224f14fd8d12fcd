"""Staff pages of live sessions: the schedule, weekly hours and days off, the notification log,
attendance and the no-show ledger (POLICY R12-R16)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from academy.accounts.models import Firm, Role, User
from academy.conduct.forms import LiftForm
from academy.conduct.models import Incident, Restriction
from academy.core.caching import fragment_key
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import query_text
from academy.core.pagination import paginate, paginate_rows
from academy.core.params import id_arg
from academy.core.security import staff_required
from academy.core.timezones import clock_time, viewer_timezone
from academy.extensions import db
from academy.notifications.dispatcher import health as outbox_health
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling import attendance, bookings, hours
from academy.scheduling.access import can_use, terms_of
from academy.scheduling.models import (
    Booking,
    NoShow,
    Occurrence,
    Outcome,
)
from academy.scheduling.policy import NO_SHOW_TERMS, Channel, add_months
from academy.sessions import listings
from academy.sessions.blueprint import (
    booking_urls,
    bp,
    own_booking,
)
from academy.sessions.forms import (
    WEEKDAYS,
    WINDOWS_PER_DAY,
    ConfirmForm,
    DayOffForm,
    ExcuseForm,
    MeetingRoomForm,
    OutcomeForm,
    ScheduleFilterForm,
    availability_form,
)

# --- Staff ---------------------------------------------------------------------------------------


_HOSTS = (
    select(User.id, User.name).where(User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.name)
)


@bp.get("/staff/sessions")
@staff_required
def schedule() -> str:
    form = ScheduleFilterForm(request.args)
    form.validate()
    zone = ZoneInfo(viewer_timezone())
    hosts = db.session.execute(_HOSTS).all()
    host = request.args.get("host", "me" if "host" not in request.args else "")
    params: dict[str, object] = {}
    if host == "me":
        params["host_id"] = current_user.id
    elif host_id := id_arg("host"):
        params["host_id"] = host_id
    start = form.start.data if not form.start.errors else None
    end = form.end.data if not form.end.errors else None
    if start is None and end is None:
        start = now().astimezone(zone).date()
    if start:
        params["start"] = datetime.combine(start, datetime.min.time(), zone)
    if end:
        params["end"] = datetime.combine(end + timedelta(days=1), datetime.min.time(), zone)
    if q := query_text():
        params["like"] = f"%{q.lower()}%"
    statement = listings.schedule(*(key in params for key in ("host_id", "start", "end", "like")))
    page = paginate_rows(statement, params, make=listings.BookingItem)
    return render_template(
        "sessions/staff_schedule.html",
        page=page,
        rows_key=fragment_key(page.items),
        form=form,
        hosts=hosts,
        host=host,
        start=start,
        urls=booking_urls(),
    )


@bp.route("/staff/availability", methods=["GET", "POST"])
@staff_required
def availability() -> str | Response:
    windows = hours.weekly_hours(current_user)
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
        hours.set_weekly_hours(
            current_user,
            [
                (day, form[f"d{day}_{n}_start"].data, form[f"d{day}_{n}_end"].data)
                for day in range(7)
                for n in range(1, WINDOWS_PER_DAY + 1)
                if form[f"d{day}_{n}_start"].data is not None
            ],
        )
        flash(_("Your weekly hours have been saved."), "success")
        return redirect(url_for(".availability"))
    if "room-meeting_url" in request.form and room.validate_on_submit():
        hours.set_meeting_room(current_user, room.meeting_url.data or "")
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
    days_off = hours.days_off_ahead(current_user)
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
    item = hours.own_day_off(current_user, day_off_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        hours.remove_day_off(item)
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
    item = own_booking(booking_id)
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
