"""The team page for owners, invitations and their links, leaving, joining by domain (issue 17)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from academy.accounts import sessions
from academy.accounts.models import Firm
from academy.accounts.services import find_user_by_email, firm_with_domain_of
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.courses.models import Course
from academy.extensions import db, limiter
from academy.firms import assignments, services
from academy.firms import team as roster
from academy.firms.forms import AssignForm, DomainForm, InviteForm, JoinSignupForm
from academy.scheduling.access import terms_of
from academy.sessions.forms import ConfirmForm

bp = Blueprint("firms", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _invite_limit() -> str:
    return str(current_app.config["FIRM_INVITE_RATE_LIMIT"])


def _per_user() -> str:
    return str(current_user.get_id() or request.remote_addr)


def _owned_firm() -> Firm:
    """Only an owner has a team page; anyone else gets 404 (ARCHITECTURE 8)."""
    try:
        return services.require_owner(current_user)
    except DomainError:
        abort(404)


@bp.record_once
def _globals(state) -> None:
    # The catalogue and the home page list what the member's firm assigned, first.
    state.app.jinja_env.globals["assigned_to_me"] = lambda: assignments.for_member(current_user)


def _assign_form(firm: Firm, members: list[roster.MemberRow], formdata=None) -> AssignForm:
    form = AssignForm(formdata=formdata, prefix="assign")
    form.course.choices = [
        SelectChoice(c.id, c.title)
        for c in db.session.scalars(
            select(Course).where(Course.published.is_(True)).order_by(Course.title)
        )
    ]
    form.members.choices = [SelectChoice(m.user.id, m.user.name) for m in members]
    return form


def _team_page(
    firm: Firm,
    invite_form: InviteForm | None = None,
    assign_form: AssignForm | None = None,
    domain_form: DomainForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    terms = terms_of(current_user)
    members = roster.members(firm, terms)
    return (
        render_template(
            "firms/team.html",
            firm=firm,
            seats=services.seat_count(firm),
            members=members,
            terms=terms,
            invitations=services.pending_invitations(firm.id),
            requests=services.join_requests(firm.id),
            assignments=assignments.for_firm(firm.id),
            history=services.history(firm.id, 20),
            invite_form=invite_form or InviteForm(formdata=None, prefix="invite"),
            assign_form=assign_form or _assign_form(firm, members),
            domain_form=domain_form
            or DomainForm(formdata=None, prefix="domain", domain=firm.email_domain or ""),
            confirm=ConfirmForm(),
            now=now(),
        ),
        status,
    )


@bp.get("/team")
@login_required
def team() -> tuple[str, int]:
    return _team_page(_owned_firm())


@bp.post("/team/invitations")
@login_required
@limiter.shared_limit(_invite_limit, scope="firm-invite", key_func=_per_user)
def invite() -> Response | tuple[str, int]:
    _owned_firm()
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        emails = services.parse_emails(form.emails.data)
        try:
            made = services.invite(current_user, emails)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _("Invitations sent: %(emails)s.", emails=", ".join(i.email for i in made)),
                "success",
            )
            return redirect(url_for(".team", _anchor="invitations"))
    db.session.rollback()  # the lock taken for the seat count, if any
    return _team_page(_owned_firm(), invite_form=form, status=422)


def _confirm(title: str, text: str, button: str, back: str) -> str:
    return render_template(
        "firms/confirm.html", title=title, text=text, button=button, back=back, form=ConfirmForm()
    )


def _act(action, ok: str, anchor: str = "members") -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(ok, "success")
    return redirect(url_for(".team", _anchor=anchor))


@bp.route("/team/invitations/<int:invitation_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(invitation_id: int) -> str | Response:
    _owned_firm()
    try:
        _firm, invitation = services.owned_invitation(current_user, invitation_id)
    except DomainError:
        abort(404)
    if request.method == "GET":
        return _confirm(
            _("Revoke the invitation?"),
            _(
                "The link sent to %(email)s stops working and its seat is free again.",
                email=invitation.email,
            ),
            _("Revoke the invitation"),
            url_for(".team", _anchor="invitations"),
        )
    return _act(
        lambda: services.revoke(current_user, invitation_id),
        _("The invitation for %(email)s is revoked.", email=invitation.email),
        "invitations",
    )


@bp.post("/team/invitations/<int:invitation_id>/resend")
@login_required
@limiter.shared_limit(_invite_limit, scope="firm-invite", key_func=_per_user)
def resend(invitation_id: int) -> Response:
    _owned_firm()
    try:
        _firm, invitation = services.owned_invitation(current_user, invitation_id)
    except DomainError:
        abort(404)
    return _act(
        lambda: services.resend(current_user, invitation_id),
        _("The invitation for %(email)s is sent again.", email=invitation.email),
        "invitations",
    )


def _member(user_id: int):
    _owned_firm()
    try:
        return services.member_of(current_user, user_id)[1]
    except DomainError:
        abort(404)


@bp.route("/team/members/<int:user_id>/remove", methods=["GET", "POST"])
@login_required
def remove(user_id: int) -> str | Response:
    member = _member(user_id)
    if request.method == "GET":
        return _confirm(
            _("Remove %(name)s from the firm?", name=member.name),
            _(
                "They lose the firm's channels at once. Their courses, certificates and "
                "bookings stay in their own account."
            ),
            _("Remove from the firm"),
            url_for(".team"),
        )
    return _act(
        lambda: services.remove_member(current_user, user_id),
        _("%(name)s is no longer in the firm.", name=member.name),
    )


@bp.route("/team/members/<int:user_id>/transfer", methods=["GET", "POST"])
@login_required
def transfer(user_id: int) -> str | Response:
    member = _member(user_id)
    if request.method == "GET":
        return _confirm(
            _("Make %(name)s the owner instead of you?", name=member.name),
            _("You stay in the firm as a member and no longer see this page."),
            _("Transfer ownership"),
            url_for(".team"),
        )
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.transfer_ownership(current_user, user_id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".team"))
    flash(_("%(name)s is now an owner of the firm.", name=member.name), "success")
    return redirect(url_for("home.index"))


@bp.post("/team/members/<int:user_id>/owner")
@login_required
def make_owner(user_id: int) -> Response:
    member = _member(user_id)
    owner = request.form.get("owner") == "1"
    return _act(
        lambda: services.set_owner(current_user, user_id, owner),
        _("%(name)s is now an owner.", name=member.name)
        if owner
        else _("%(name)s is now a member.", name=member.name),
    )


@bp.route("/firm/leave", methods=["GET", "POST"])
@login_required
def leave() -> str | Response:
    if current_user.is_staff or current_user.firm_id is None:
        abort(404)
    firm = db.session.get(Firm, current_user.firm_id)
    if request.method == "GET":
        return _confirm(
            _("Leave %(firm)s?", firm=firm.name if firm else ""),
            _(
                "You lose the firm's channels at once; your courses, certificates and bookings "
                "stay with you. To come back you need a new invitation."
            ),
            _("Leave the firm"),
            url_for("accounts.profile"),
        )
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.leave(current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("accounts.profile"))
    flash(_("You have left the firm."), "success")
    return redirect(url_for("home.index"))


@bp.post("/team/assignments")
@login_required
def assign() -> Response | tuple[str, int]:
    firm = _owned_firm()
    members = roster.members(firm, terms_of(current_user))
    form = _assign_form(firm, members, formdata=request.form)
    if form.validate_on_submit():
        zone = ZoneInfo(current_user.timezone or "UTC")
        due_at = datetime.combine(form.due.data, time(23, 59), tzinfo=zone)
        try:
            made = assignments.assign(current_user, form.course.data, form.members.data, due_at)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The course is assigned to %(n)d members.", n=len(made)), "success")
            return redirect(url_for(".team", _anchor="assignments"))
    db.session.rollback()
    return _team_page(_owned_firm(), assign_form=form, status=422)


@bp.post("/team/assignments/<int:assignment_id>/remove")
@login_required
def unassign(assignment_id: int) -> Response:
    _owned_firm()
    try:
        assignments.unassign(current_user, assignment_id)
    except DomainError:
        abort(404)
    flash(_("The assignment is withdrawn."), "success")
    return redirect(url_for(".team", _anchor="assignments"))


@bp.post("/team/domain")
@login_required
def domain() -> Response | tuple[str, int]:
    _owned_firm()
    form = DomainForm(prefix="domain")
    if form.validate_on_submit():
        try:
            services.set_email_domain(current_user, form.domain.data or "")
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The email domain is saved."), "success")
            return redirect(url_for(".team", _anchor="domain"))
    db.session.rollback()
    return _team_page(_owned_firm(), domain_form=form, status=422)


@bp.post("/team/requests/<int:request_id>/<decision>")
@login_required
def decide(request_id: int, decision: str) -> Response:
    _owned_firm()
    if decision not in ("approve", "decline"):
        abort(404)
    return _act(
        lambda: services.decide_join(current_user, request_id, decision == "approve"),
        _("The request is approved.") if decision == "approve" else _("The request is declined."),
        "requests",
    )


@bp.route("/firm/join", methods=["GET", "POST"])
@login_required
def ask_to_join() -> str | Response:
    """A sign-up from a firm's email domain asks to join it; an owner approves."""
    if current_user.is_staff:
        abort(404)
    firm = firm_with_domain_of(current_user)
    if firm is None:
        abort(404)
    if request.method == "GET":
        return _confirm(
            _("Ask to join %(firm)s?", firm=firm.name),
            _(
                "An owner of %(firm)s is asked to approve. You keep your courses and certificates.",
                firm=firm.name,
            ),
            _("Ask to join"),
            url_for("home.index"),
        )
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.ask_to_join(current_user, firm)
    flash(_("Your request is sent to the owners of %(firm)s.", firm=firm.name), "success")
    return redirect(url_for("home.index"))


# --- The invitation link ------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def invitation(token: str) -> str | Response | tuple[str, int]:
    """GET says what will happen; a POST joins (ARCHITECTURE 7)."""
    try:
        invite = services.invitation_for(token)
    except services.InvitationRefused as refused:
        return render_template("firms/invitation_refused.html", message=refused.message), 400
    existing = find_user_by_email(invite.email)
    if not current_user.is_authenticated:
        if existing is not None:
            if request.method == "POST":  # the form again, once the account was made (a double
                # click whose first request committed before this one read)
                message = _("An account with this email already exists: log in to accept.")
                return render_template("firms/invitation_refused.html", message=message), 400
            return render_template("firms/invitation.html", invite=invite, mode="login")
        form = JoinSignupForm()
        if request.method == "GET":
            form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
            form.language.data = invite.invited_by.language if invite.invited_by else "en"
        form.user_inputs = [invite.email, invite.firm.name]  # type: ignore[attr-defined]
        if form.validate_on_submit():
            try:
                user = services.sign_up_and_accept(
                    invite,
                    name=form.name.data,
                    password=form.password.data,
                    timezone=form.timezone.data,
                    language=form.language.data,
                )
            except services.InvitationRefused as refused:
                return render_template(
                    "firms/invitation_refused.html", message=refused.message
                ), 400
            sessions.start(user)
            flash(_("Welcome to %(firm)s on TaxDome Academy.", firm=invite.firm.name), "success")
            return redirect(url_for("home.index"))
        return render_template("firms/invitation.html", invite=invite, mode="signup", form=form)
    if current_user.email != invite.email:
        return render_template("firms/invitation.html", invite=invite, mode="other"), 403
    move = services.move_for(current_user, invite)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.accept(invite, current_user)
        except services.InvitationRefused as refused:
            return render_template("firms/invitation_refused.html", message=refused.message), 409
        flash(_("You have joined %(firm)s.", firm=invite.firm.name), "success")
        return redirect(url_for("home.index"))
    return render_template(
        "firms/invitation.html", invite=invite, mode="accept", move=move, form=form
    )
