"""The `beasiswa` command line: a thin shell over the rules, the workflow's service, the ledger, the letters and
the audit. Nothing below it imports it; the web application is a sibling shell (beasiswa.web), which `web`
starts by its import string.

- `console`: where output goes and `fail` (one message naming the field and the value, exit 2);
  `options`: the options the groups share and the one date parser; `database`: the `--db` database, opened
  and checked; `service`: the workflow's service as the officers' commands use it; `locale`: help pages and
  usage errors in Indonesian.
- One module a command group: `decide` (`decide`, `rules`), `db`, `ledger` and `reports`, `letters`, `users`,
  `intake`, `lookup` (`queue`, `show`, `search`, the audit trail), `claims` (`verify` … `arrears`), `process`,
  `audit`, `web`, `signin` (`login`, `logout`, `whoami`), `payments` (the transfer files) and `reconcile`
  (the bank's answer, on the `payments` group). `identity`: who acts, proven by a token; every
  write command asks it (`acting`) for the users it names. A new command goes into its group's module and, if it is a top-level one, into COMMANDS below.

`beasiswa decide` and `rules` start without the database layer, WeasyPrint or openpyxl, though this module
imports every command module: those libraries are imported inside the commands that use them, each such import
marked `# lazy:` with what it would load (tests/test_casefile.py checks it).
"""

import typer

from beasiswa.cli import (audit, budget, claims, db, decide, intake, ledger, letters, lookup, payments, process, queue,
                          reconcile, signin, users, web)
from beasiswa.cli.locale import IndonesianGroup

app = typer.Typer(add_completion=False, no_args_is_help=True, cls=IndonesianGroup,
                  help="Beasiswa: memutuskan, membayar dan mengaudit manfaat beasiswa BPJS Ketenagakerjaan.")

# In the order of `beasiswa --help`: the commands, then the groups.
COMMANDS = {
    "login": signin.login_command, "logout": signin.logout_command, "whoami": signin.whoami_command,
    "decide": decide.decide_command,
    "intake": intake.intake_command, "intake-template": intake.template_command,
    "queue": lookup.queue_command, "show": lookup.show_command, "search": lookup.search_command,
    "verify": claims.verify_command, "approve": claims.approve_command, "pay": claims.pay_command,
    "return": claims.return_command, "resubmit": claims.resubmit_command, "override": claims.override_command,
    "appeal": claims.appeal_command, "reconsider": claims.reconsider_command, "arrears": claims.arrears_command,
    "process": process.process_command,
    "forecast": budget.forecast_command, "whatif": budget.whatif_command,
    "web": web.web_command,
    "worker": queue.worker_command,
}
GROUPS = {"rules": decide.rules_app, "db": db.db_app, "ledger": ledger.ledger_app, "letters": letters.letters_app, "users": users.users_app,
          "audit": audit.audit_app, "claims": claims.claims_app, "payments": payments.payments_app}

# The bank's answer to the transfer files, on the `payments` group after the export's commands.
for _name, _command in (("reconcile", reconcile.reconcile_command), ("exceptions", reconcile.exceptions_command),
                        ("resolve", reconcile.resolve_command)):
    payments.payments_app.command(_name)(_command)

for _name, _command in COMMANDS.items():
    app.command(_name)(_command)
for _name, _group in GROUPS.items():
    app.add_typer(_group, name=_name)


def main() -> None:  # pragma: no cover - console entry point
    app()
