"""What every test shares: no test reads or writes the tokens of whoever runs the suite. The token file of
`beasiswa login` is one in the test's own folder (before any test, one in a folder of the session's own, for
fixtures wider than a test), and BEASISWA_TOKEN is unset (workflow_support.signed_in gives the command line
tests their users' tokens).

The browser tests' fixtures (tests/browser_support.py says what they serve): pytest-playwright's browser
launched from Debian's /usr/bin/chromium, the demo served live, the screenshots' folder; and the chromium
version in the session's header (Playwright is only guaranteed against its own build: the one the tests ran
with is recorded).

The recorded migration each test's PostgreSQL `database` is made by (tests/ledger_support.py), once per session
(per xdist worker): here, so every module that takes `database` finds it."""

import os
import tempfile

import pytest

from browser_support import (CHROMIUM, LAPTOP, Screens, chromium_missing, chromium_version, in_ci,
                             screenshots_folder, start_demo)
from ledger_support import postgres_migration  # noqa: F401 - what makes a PostgreSQL `database`, per session


def pytest_configure(config):
    os.environ["BEASISWA_TOKEN_FILE"] = os.path.join(tempfile.mkdtemp(prefix="beasiswa-tokens-"), "tokens")
    os.environ.pop("BEASISWA_TOKEN", None)


@pytest.fixture(autouse=True)
def own_token_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BEASISWA_TOKEN_FILE", str(tmp_path / "beasiswa-tokens"))
    monkeypatch.delenv("BEASISWA_TOKEN", raising=False)


def pytest_report_header(config):
    version = chromium_version()
    return f"chromium: {version} ({CHROMIUM})" if version else f"chromium: absent ({CHROMIUM}): browser tests skipped"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium, never a browser of Playwright's own download; absent, the browser tests are skipped,
    except in CI, where that is a failure."""
    missing = chromium_missing()
    if missing:
        if in_ci():
            pytest.fail(f"the browser tests must run in CI: {missing}")
        pytest.skip(missing)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM)}


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo's database served by the real application on a free port, for the whole session."""
    demo, live = start_demo(tmp_path_factory.mktemp("demo"))
    yield demo
    live.stop()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, demo):
    """Every page opens on the demo's address (page.goto("/masuk")), at a branch office laptop's size, in
    Indonesian."""
    return {**browser_context_args, "base_url": demo.url, "viewport": LAPTOP, "locale": "id-ID",
            "timezone_id": "Asia/Jakarta"}


@pytest.fixture(scope="session")
def screens(tmp_path_factory):
    return Screens(screenshots_folder(tmp_path_factory.mktemp("screens")))
