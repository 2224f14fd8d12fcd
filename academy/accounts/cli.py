"""`flask users ...`: create staff and admins, list users."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from academy.accounts import services
from academy.accounts.models import Role, User
from academy.accounts.passwords import weakness
from academy.extensions import db

users_cli = AppGroup("users", help="Manage users.")


def _create(email: str, name: str | None, password: str, role: Role) -> None:
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    if reason := weakness(password, [email, name or ""]):  # ASVS 2.1.7, as on the web
        raise click.BadParameter(reason, param_hint="--password")
    user = services.create_staff(email, name or email.split("@")[0].title(), password, role)
    click.echo(f"{user.email} is {user.role}")


_password = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted when not given.",
)


@users_cli.command("create-staff")
@click.argument("email")
@click.option("--name", help="Display name (default: from the email).")
@_password
def create_staff(email: str, name: str | None, password: str) -> None:
    """Create a staff member (or make an existing user staff)."""
    _create(email, name, password, Role.STAFF)


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="Display name (default: from the email).")
@_password
def create_admin(email: str, name: str | None, password: str) -> None:
    """Create an admin (or make an existing user admin)."""
    _create(email, name, password, Role.ADMIN)


@users_cli.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]), help="Only this role.")
def list_users(role: str | None) -> None:
    """List users: email, role, name."""
    query = select(User).order_by(User.role, User.email)
    if role:
        query = query.where(User.role == role)
    for user in db.session.scalars(query):
        click.echo(f"{user.email:40} {user.role:7} {user.name}")
