"""`flask support fetch-mail`: file the support mailbox's messages as requests (POLICY R3)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from academy.core.errors import DomainError
from academy.support.services import fetch_mail

support_cli = AppGroup("support", help="The support inbox.")


@support_cli.command("fetch-mail")
@click.option(
    "--maildir", default=None, help="Read this Maildir instead of the configured mailbox."
)
def fetch_mail_command(maildir: str | None) -> None:
    """Read the mailbox (SUPPORT_MAILDIR or IMAP) and file new messages; safe to repeat."""
    try:
        result = fetch_mail(maildir)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(
        f"{result.filed} filed ({result.unknown_senders} from unknown senders), "
        f"{result.replies} added to their threads, {result.duplicates} already filed"
    )
