"""The help section. For now: the support channels (POLICY R1) and which the reader's firm has."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from academy.accounts.services import channel_overview
from academy.scheduling.policy import CHANNEL_NAMES

bp = Blueprint("help", __name__, url_prefix="/help")


@bp.get("/")
def index() -> str:
    channels = channel_overview(current_user) if current_user.is_authenticated else None
    return render_template("help/index.html", channels=channels, names=CHANNEL_NAMES)
