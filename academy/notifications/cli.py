"""`flask notifications dispatch`: send what the outbox has due."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click
from flask.cli import AppGroup

from academy.notifications.dispatcher import dispatch_due, loop

notifications_cli = AppGroup("notifications", help="The outbox of emails and SMS.")


@notifications_cli.command("dispatch")
@click.option("--loop", "keep_going", is_flag=True, help="Keep running until SIGTERM or Ctrl-C.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between passes.")
def dispatch(keep_going: bool, interval: float) -> None:
    """Send every due message once, then exit (or keep going with --loop: database and SMTP
    errors are logged and retried with backoff; only a signal stops it)."""
    if not keep_going:
        result = dispatch_due()
        click.echo(f"sent {result.sent}, will retry {result.retried}, failed {result.failed}")
        return
    if not logging.getLogger().handlers:  # a long-running process: say what it does
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"signal {signum}: finishing the message in hand, then stopping", err=True)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    loop(interval, stop)
