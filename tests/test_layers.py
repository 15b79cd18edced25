"""The layers, checked: the import-linter contracts in pyproject.toml ([tool.importlinter]) hold, so an import
back up (a domain package importing the shell, the ground importing the database) fails the tests."""

from pathlib import Path

from importlinter.cli import lint_imports

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def test_every_import_linter_contract_is_kept(capsys):
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out
