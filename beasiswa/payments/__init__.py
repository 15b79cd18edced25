"""Payouts on their way to the payees' accounts: the transfer files an office hands its bank, and their records.

Beside the ledger: it reads the journal's posted payouts and writes `transfer_batches` and `transfers`
(`beasiswa.db.payment_tables`). The files are pure functions of a batch (`batch.BatchFile`): ISO 20022 pain.001
through pyiso20022's bindings, checked against ISO's schema (`pain001`), or a bank's own CSV layout from data
(`layouts`); the same batch always gives the same bytes. Who may export, and the audit, are the workflow's
(`beasiswa.workflow.payments`).

The banks' answers: `statement` (a bank's answer in one shape: `Statement`, `StatementLine`, `StatementError`);
`camt053`, `camt054` (ISO 20022 statements and notifications, through pyiso20022's bindings; `camt_entries` reads
their entries), `csv_results` (the banks' CSV result files, layouts in data/results.toml); `reading` picks the
format of a file; `return_reasons` words the bank's return codes (data/return_reasons.toml); `matching` (a
statement's lines against the transfers: settled, returned, exceptions), pure; `sample_statement` writes a
camt.053/camt.054 for given transfers (tests, the demo). Applying a statement is the workflow's
(`beasiswa.workflow.reconciliation`).
"""
