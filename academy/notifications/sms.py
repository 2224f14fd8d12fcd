"""SMS providers: a development one that writes files, and Twilio's REST API (or any service
that speaks it) configured by environment variables."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Protocol

from academy.core.clock import now


class SmsProvider(Protocol):
    def send(self, to: str, text: str, reference: str) -> None: ...


class FileSmsProvider:
    """Development: each SMS becomes a text file in instance/sms/."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, to: str, text: str, reference: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = now().strftime("%Y%m%dT%H%M%SZ")
        (self.directory / f"{stamp}-{reference}.txt").write_text(f"To: {to}\n\n{text}\n")


class TwilioSmsProvider:
    """POST /Accounts/{sid}/Messages.json with basic auth; any non-2xx answer is an error."""

    def __init__(
        self, api_url: str, account_sid: str, auth_token: str, sender: str, timeout: float
    ) -> None:
        self.url = f"{api_url.rstrip('/')}/Accounts/{account_sid}/Messages.json"
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.headers = {"Authorization": f"Basic {credentials}"}
        self.sender = sender
        self.timeout = timeout

    def send(self, to: str, text: str, reference: str) -> None:
        body = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": text}).encode()
        request = urllib.request.Request(self.url, data=body, headers=self.headers)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode(errors="replace")
            raise RuntimeError(f"SMS provider answered {exc.code}: {detail}") from exc


def provider_for(config: dict[str, Any]) -> SmsProvider:
    if config["SMS_PROVIDER"] == "twilio":
        return TwilioSmsProvider(
            config["SMS_API_URL"],
            config["SMS_ACCOUNT_SID"],
            config["SMS_AUTH_TOKEN"],
            config["SMS_FROM"],
            config["MAIL_TIMEOUT"],
        )
    return FileSmsProvider(config["SMS_FILE_DIR"])
