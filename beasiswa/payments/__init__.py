"""Payouts on their way to the payees' accounts: the transfer files an office hands its bank, and their records.

Beside the ledger: it reads the journal's posted payouts and writes `transfer_batches` and `transfers`
(`beasiswa.db.payment_tables`). The files are pure functions of a batch (`batch.BatchFile`): ISO 20022 pain.001
through pyiso20022's bindings, checked against ISO's schema (`pain001`), or a bank's own CSV layout from data
(`layouts`); the same batch always gives the same bytes. Who may export, and the audit, are the workflow's
(`beasiswa.workflow.payments`).
"""
