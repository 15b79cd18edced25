"""What every test shares: no test reads or writes the tokens of whoever runs the suite. The token file of
`beasiswa login` is one in the test's own folder (before any test, one in a folder of the session's own, for
fixtures wider than a test), and BEASISWA_TOKEN is unset (workflow_support.signed_in gives the command line
tests their users' tokens)."""

import os
import tempfile

import pytest


def pytest_configure(config):
    os.environ["BEASISWA_TOKEN_FILE"] = os.path.join(tempfile.mkdtemp(prefix="beasiswa-tokens-"), "tokens")
    os.environ.pop("BEASISWA_TOKEN", None)


@pytest.fixture(autouse=True)
def own_token_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BEASISWA_TOKEN_FILE", str(tmp_path / "beasiswa-tokens"))
    monkeypatch.delenv("BEASISWA_TOKEN", raising=False)
