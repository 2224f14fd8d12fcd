"""Browser tests: Playwright driving Debian's chromium against the app on a loopback server.

Never `playwright install` (it downloads a browser, which cannot work here): we point
Playwright at /usr/lib/chromium/chromium (CHROMIUM_PATH overrides). Without chromium the
tests skip with a message, unless REQUIRE_BROWSER=1 (CI), where that is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.app import require_or_skip

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium")
# Per database: `make test` runs the SQLite and PostgreSQL suites side by side.
SHOTS = (
    Path(__file__).resolve().parents[2]
    / "test-artifacts"
    / "screenshots"
    / ("postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite")
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            # Real forms: CSRF on, as in production.
            item.add_marker(pytest.mark.app_config(WTF_CSRF_ENABLED=True))


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    if Path(CHROMIUM).exists():
        return
    require_or_skip(
        "REQUIRE_BROWSER",
        f"chromium not found at {CHROMIUM}: `apt-get install chromium` or set CHROMIUM_PATH",
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # Root in a sandbox without a network: no sandbox, and no background connections.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], live_server: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "base_url": live_server,
        "locale": "en-GB",
        "timezone_id": "Europe/Bucharest",
        "viewport": {"width": 1280, "height": 860},
    }


@pytest.fixture(autouse=True)
def _links_to_the_live_server(app: Any, live_server: str) -> None:
    """Emailed links start with BASE_URL (never the request's host): here, the live server."""
    app.config["BASE_URL"] = live_server


@pytest.fixture
def shot(page: Any) -> Any:
    """shot("name") saves a full-page screenshot under SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
