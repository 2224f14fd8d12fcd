"""Sign-up, login, password reset, profile; staff pages for users, firms and the plan table."""

from __future__ import annotations

import hashlib
from dataclasses import asdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from academy.accounts import services, sessions
from academy.accounts.forms import (
    ChangePasswordForm,
    FinishSignupForm,
    FirmForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    RoleForm,
    SignupForm,
    grant_field,
    plan_table_form,
    setting_field,
)
from academy.accounts.models import Firm, Plan, Role, User
from academy.core.errors import DomainError
from academy.core.forms import form_page, query_text, show_error
from academy.core.i18n import chosen_language, remember_language
from academy.core.pagination import paginate
from academy.core.security import admin_required, safe_next, staff_required
from academy.core.tokens import InvalidToken
from academy.extensions import db, limiter
from academy.scheduling.policy import CHANNEL_NAMES, PLAN_SETTINGS, Channel

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _account_limit() -> str:
    return str(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])


def _signup_limit() -> str:
    return str(current_app.config["SIGNUP_RATE_LIMIT"])


def _email_limit() -> str:
    return str(current_app.config["EMAIL_RATE_LIMIT"])


def _email_key() -> str:
    """The rate-limit key of the account a form names (its email), whatever the address it
    comes from; hashed, so the limiter's storage holds no email addresses."""
    email = services.normalize_email(request.form.get("email", ""))
    if not email:
        return get_remote_address()
    return "account:" + hashlib.sha256(email.encode()).hexdigest()[:32]


# One count of emails per address across sign-up and "forgot password".
_emails_to_one_address = limiter.shared_limit(
    _email_limit, scope="emails-to-address", key_func=_email_key, methods=["POST"]
)


def _failed(response: Response) -> bool:
    return response.status_code != 302  # a login that worked redirects


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_signup_limit, methods=["POST"])
@_emails_to_one_address
def signup() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm()
    if request.method == "GET":
        form.language.data = (
            chosen_language()
            or request.accept_languages.best_match(current_app.config["LANGUAGES"])
            or "en"
        )
        form.timezone.data = current_app.config["DEFAULT_TIMEZONE"]
        form.timezone.render_kw = {"data-detect-timezone": "1"}  # static/js/app.js
    if form.validate_on_submit():
        services.request_signup(
            name=form.name.data,
            email=form.email.data,
            firm_name=form.firm.data,
            timezone=form.timezone.data,
            language=form.language.data,
        )
        # The same page whether the email has an account or not.
        return render_template(
            "accounts/signup_sent.html",
            email=services.normalize_email(form.email.data),
            hours=current_app.config["SIGNUP_LINK_MAX_AGE"] // 3600,
        )
    return render_template("accounts/signup.html", form=form)


@bp.route("/signup/finish/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def finish_signup(token: str) -> str | Response:
    """Step two of signing up, from the emailed link: choose a password, and the account is
    made (the address is now known to be theirs)."""
    try:
        details = services.signup_details(token)
    except InvalidToken as exc:
        return render_template("accounts/signup_invalid.html", expired=exc.expired), 400
    if services.find_user_by_email(details.email) is not None:
        flash(_("Your account is ready. Log in with your email and password."), "info")
        return redirect(url_for(".login"))
    form = FinishSignupForm()
    form.user_inputs = [details.name, details.email, details.firm_name]  # type: ignore[attr-defined]
    if form.validate_on_submit():
        try:
            user = services.sign_up(**asdict(details), password=form.password.data)
        except DomainError:  # the same link, twice at the same instant
            flash(_("Your account is ready. Log in with your email and password."), "info")
            return redirect(url_for(".login"))
        sessions.start(user)
        flash(_("Welcome to TaxDome Academy, %(name)s.", name=user.name), "success")
        if services.firm_with_domain_of(user) is not None:
            # Issue 17: colleagues from a firm's email domain are asked to join it.
            return redirect(url_for("firms.ask_to_join"))
        return redirect(url_for("home.index"))
    return render_template("accounts/signup_finish.html", form=form, details=details)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_email_key, methods=["POST"], deduct_when=_failed)
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            sessions.start(user)
            flash(_("You are logged in."), "success")
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        # Same words whether the email exists or not.
        form.password.errors = [_("Wrong email or password.")]
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    language = current_user.language
    sessions.end(current_user)
    flash(_("You are logged out."), "success")
    response = redirect(url_for("home.index"))
    remember_language(response, language)  # the next pages stay in the language they were in
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@_emails_to_one_address
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        # Same page whether the email exists or not.
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> str | Response:
    try:
        user = services.user_for_reset_token(token)
    except InvalidToken as exc:
        return render_template("accounts/reset_invalid.html", expired=exc.expired), 400
    form = ResetPasswordForm()
    form.user_inputs = [user.name, user.email]  # type: ignore[attr-defined]
    if form.validate_on_submit():
        user = services.reset_password(token, form.password.data)
        sessions.start(user)
        flash(_("Your password has been changed."), "success")
        return redirect(url_for("home.index"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    form = ProfileForm(obj=current_user, prefix="profile")
    password_form = ChangePasswordForm(prefix="pw")
    password_form.user_inputs = [current_user.name, current_user.email]  # type: ignore[attr-defined]
    if "profile-name" in request.form and form.validate_on_submit():
        services.update_profile(
            current_user,
            name=form.name.data,
            phone=form.phone.data,
            timezone=form.timezone.data,
            language=form.language.data,
        )
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for(".profile"))
    if "pw-password" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(
                current_user, password_form.current_password.data, password_form.password.data
            )
        except DomainError as error:
            show_error(password_form, error)
        else:
            sessions.keep(current_user)
            flash(
                _("Your password has been changed. You are logged out on every other device."),
                "success",
            )
            return redirect(url_for(".profile"))
    firm = (
        db.session.scalar(
            select(Firm).options(selectinload(Firm.plan)).where(Firm.id == current_user.firm_id)
        )
        if current_user.firm_id
        else None
    )
    return render_template(
        "accounts/profile.html", form=form, password_form=password_form, firm=firm
    )


@bp.post("/profile/sessions/end")
@login_required
def end_other_sessions() -> Response:
    """ "Log out other devices" (ASVS 3.3.3): every session but this one ends."""
    services.log_out_other_devices(current_user)
    sessions.keep(current_user)
    flash(_("You are logged out on every other device."), "success")
    return redirect(url_for(".profile", _anchor="devices"))


# --- Staff -----------------------------------------------------------------------------------


@bp.get("/staff/users")
@staff_required
def staff_users() -> str:
    q = query_text()
    query = select(User).options(selectinload(User.firm)).order_by(User.name, User.id)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    page = paginate(query)
    forms = {u.id: RoleForm(prefix=f"u{u.id}", role=u.role) for u in page.items}
    return render_template("staff/users.html", page=page, q=q, forms=forms)


@bp.post("/staff/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int) -> Response:
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        try:
            services.set_role(user, Role(form.role.data), by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The role of %(name)s has been changed.", name=user.name), "success")
    else:
        flash(_("Choose a role from the list."), "error")
    return redirect(safe_next(request.form.get("next")) or url_for(".staff_users"))


@bp.get("/staff/firms")
@staff_required
def staff_firms() -> str:
    page = paginate(select(Firm).options(selectinload(Firm.plan)).order_by(Firm.name, Firm.id))
    ids = [f.id for f in page.items]
    accounts = (
        dict(
            db.session.execute(
                select(User.firm_id, func.count(User.id))
                .where(User.firm_id.in_(ids))
                .group_by(User.firm_id)
            ).all()
        )
        if ids
        else {}
    )
    return render_template("staff/firms.html", page=page, accounts=accounts)


@bp.route("/staff/firms/<int:firm_id>", methods=["GET", "POST"])
@staff_required
def edit_firm(firm_id: int) -> str | Response | tuple[str, int]:
    firm = db.session.scalar(
        select(Firm).options(selectinload(Firm.plan)).where(Firm.id == firm_id)
    ) or abort(404)
    form = FirmForm(obj=firm, plan=firm.plan_id)
    form.plan.choices = [
        SelectChoice(p.id, p.name) for p in db.session.scalars(select(Plan).order_by(Plan.position))
    ]
    if form.validate_on_submit():
        try:
            services.update_firm(
                firm, plan_id=form.plan.data, seats=form.seats.data, by=current_user
            )
        except DomainError as error:
            show_error(form, error)
            return render_template("staff/firm_edit.html", firm=firm, form=form), 422
        flash(_("%(firm)s has been saved.", firm=firm.name), "success")
        return redirect(url_for(".staff_firms"))
    return render_template("staff/firm_edit.html", firm=firm, form=form)


@bp.route("/staff/plans", methods=["GET", "POST"])
@staff_required
def plan_table() -> str | Response:
    """POLICY R2: the plan table staff edit (least users per plan and channel)."""
    plans = services.plans_with_grants()
    data: dict[str, object] = {
        grant_field(g.plan_id, Channel(g.channel)): g.min_seats for p in plans for g in p.grants
    }
    for plan in plans:
        terms = plan.terms or {}
        for setting in PLAN_SETTINGS:
            data[setting_field(plan.id, setting.key)] = terms.get(setting.key, setting.default)
    form = plan_table_form(plans, data)

    def save() -> None:
        services.save_plan_table(
            plans,
            grants={
                (plan.id, channel): form[grant_field(plan.id, channel)].data
                for plan in plans
                for channel in Channel
            },
            settings={
                plan.id: {s.key: form[setting_field(plan.id, s.key)].data for s in PLAN_SETTINGS}
                for plan in plans
            },
        )

    return form_page(
        form,
        "staff/plans.html",
        save=save,
        then=url_for(".plan_table"),
        saved=_("The plan table has been saved."),
        plans=plans,
        channels=list(Channel),
        channel_names=CHANNEL_NAMES,
        field=grant_field,
        settings=PLAN_SETTINGS,
        setting_field=setting_field,
    )
