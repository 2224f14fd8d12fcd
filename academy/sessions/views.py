"""Pages of a client's live sessions: 1:1 offerings and free slots, booking, "My sessions",
a booking's page and its calendar file, the private calendar feed, notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.pagination import paginate_rows
from academy.core.timezones import viewer_timezone
from academy.extensions import db
from academy.feedback.services import rating_of
from academy.notifications.calendar import render
from academy.scheduling import attendance, bookings, seats, services
from academy.scheduling.access import can_use, facts_for, terms_of
from academy.scheduling.feed import feed_of, feed_urls, new_feed_token, revoke_feed
from academy.scheduling.messages import invite
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Notice,
    Occurrence,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import Channel
from academy.sessions.blueprint import (
    WEEKS,
    booking_urls,
    bp,
    chosen_slot,
    one_on_one,
    own_booking,
    picker,
    week_arg,
)
from academy.sessions.forms import (
    BookForm,
    ConfirmForm,
    OutcomeForm,
    RatingForm,
)
from academy.sessions.listings import MINE_PAST, MINE_UPCOMING, BookingItem

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
    offering = one_on_one(slug)
    decision = can_use(current_user, Channel.SESSIONS)
    return render_template(
        "sessions/slots.html",
        offering=offering,
        decision=decision,
        action=url_for(".book", slug=slug),
        **picker(offering, week_arg(), load=bool(decision)),
    )


@bp.route("/sessions/<slug>/book", methods=["GET", "POST"])
@login_required
def book(slug: str) -> str | Response:
    offering = one_on_one(slug)
    form = BookForm(request.form if request.method == "POST" else request.args)
    chosen = chosen_slot()
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
    when = "past" if request.args.get("when") == "past" else "upcoming"
    page = paginate_rows(
        MINE_PAST if when == "past" else MINE_UPCOMING,
        {"user_id": current_user.id, "at": now()},
        BookingItem,
    )
    return render_template("sessions/mine.html", page=page, when=when, urls=booking_urls())


@bp.get("/sessions/bookings/<int:booking_id>")
@login_required
def booking(booking_id: int) -> str:
    item = own_booking(booking_id)
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
    item = own_booking(booking_id)
    method = "REQUEST" if item.status == BookingStatus.CONFIRMED else "CANCEL"
    return Response(
        render(invite(item, method)),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="taxdome-session-{item.id}.ics"'},
    )


# --- The private calendar feed -----------------------------------------------------------------


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    calendar = feed_of(token, _("TaxDome sessions"))
    if calendar is None:
        abort(404)
    return Response(
        calendar,
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
