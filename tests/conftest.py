"""What every test shares: no test reads or writes the tokens of whoever runs the suite. The token file of
`beasiswa login` is one in the test's own folder, and BEASISWA_TOKEN is unset (workflow_support.signed_in gives
the command line tests their users' tokens)."""

import pytest


@pytest.fixture(autouse=True)
def own_token_file(tmp_path, monkeypatch):
    monkeypatch.setenv("BEASISWA_TOKEN_FILE", str(tmp_path / "beasiswa-tokens"))
    monkeypatch.delenv("BEASISWA_TOKEN", raising=False)
