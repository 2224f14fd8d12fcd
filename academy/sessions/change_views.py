"""Changing, cancelling and rating a booking (POLICY R9, R10, R17): from the client's account,
by staff for a client, and from the links emailed to the client (no login needed)."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.accounts.models import User
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.i18n import show_as
from academy.core.params import id_arg
from academy.core.tokens import InvalidToken
from academy.extensions import db
from academy.feedback.services import rate_booking, rating_of
from academy.scheduling import bookings, services, workshops
from academy.scheduling.links import booking_for_rating_token, booking_for_token
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    Occurrence,
    OfferingKind,
)
from academy.sessions.blueprint import (
    bp,
    chosen_slot,
    own_booking,
    picker,
    week_arg,
)
from academy.sessions.forms import (
    ConfirmForm,
    MoveForm,
    RatingForm,
    SlotForm,
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
    return render_template(
        "sessions/change.html",
        booking=item,
        decision=decision,
        action=action,
        cancel_url=cancel_url,
        **picker(item.occurrence.offering, week_arg()),
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
    chosen = chosen_slot() if form.validate_on_submit() else None
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
    item = own_booking(booking_id)
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
    item = own_booking(booking_id)
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
