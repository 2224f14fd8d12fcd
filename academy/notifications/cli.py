"""`flask notifications dispatch`: send what the outbox has due."""

from __future__ import annotations

import time

import click
from flask.cli import AppGroup

from academy.notifications.dispatcher import dispatch_due

notifications_cli = AppGroup("notifications", help="The outbox of emails and SMS.")


@notifications_cli.command("dispatch")
@click.option("--loop", is_flag=True, help="Keep running, checking every --interval seconds.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes.")
def dispatch(loop: bool, interval: float) -> None:
    """Send every due message once, then exit (or keep going with --loop)."""
    while True:
        result = dispatch_due()
        if result.sent or result.retried or result.failed or not loop:
            click.echo(f"sent {result.sent}, will retry {result.retried}, failed {result.failed}")
        if not loop:
            return
        time.sleep(interval)
