"""Staff: the queue of unverified firms, verifying one (plan and seats), changing owners."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from academy.accounts.models import Firm, Plan, User
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.security import staff_required
from academy.extensions import db
from academy.firms import services
from academy.firms.forms import OwnerForm, VerifyForm
from academy.firms.views import bp


@bp.get("/staff/firms/unverified")
@staff_required
def staff_queue() -> str:
    return render_template("firms/staff_queue.html", firms=services.unverified_firms())


@bp.route("/staff/firms/<int:firm_id>/verify", methods=["GET", "POST"])
@staff_required
def staff_verify(firm_id: int) -> str | Response | tuple[str, int]:
    firm = db.session.scalar(
        select(Firm).options(selectinload(Firm.plan)).where(Firm.id == firm_id)
    ) or abort(404)
    form = VerifyForm(obj=firm, plan=firm.plan_id)
    form.plan.choices = [
        SelectChoice(p.id, p.name) for p in db.session.scalars(select(Plan).order_by(Plan.position))
    ]
    members = list(
        db.session.scalars(select(User).where(User.firm_id == firm.id).order_by(User.name, User.id))
    )
    owner_form = OwnerForm(prefix="owner")
    owner_form.user.choices = [SelectChoice(m.id, m.name) for m in members]
    if form.validate_on_submit():
        try:
            services.verify(firm, plan_id=form.plan.data, seats=form.seats.data, by=current_user)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("%(firm)s is verified.", firm=firm.name), "success")
            return redirect(url_for(".staff_queue"))
    return render_template(
        "firms/staff_verify.html", firm=firm, form=form, members=members, owner_form=owner_form
    )


@bp.post("/staff/firms/<int:firm_id>/owners")
@staff_required
def staff_owner(firm_id: int) -> Response:
    firm = db.session.get(Firm, firm_id) or abort(404)
    members = list(db.session.scalars(select(User).where(User.firm_id == firm.id)))
    form = OwnerForm(prefix="owner")
    form.user.choices = [SelectChoice(m.id, m.name) for m in members]
    if not form.validate_on_submit():
        flash(_("Choose a member and a role."), "error")
    else:
        try:
            user = services.staff_set_owner(
                firm, form.user.data, form.role.data == "owner", current_user
            )
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The role of %(name)s has been changed.", name=user.name), "success")
    return redirect(url_for(".staff_verify", firm_id=firm.id))
