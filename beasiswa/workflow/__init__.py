"""The claims officer's workflow: a thin imperative shell around the pure rules.

- `actions`, `roles`, `states`: pure. What can be done, who may do it (role, office, four eyes), and the
  claim's life as a transition table.
- `override`: pure. An officer's override of the rules' outcome as a new decision.
- `tables`: the users and the append-only audit trail (migration 0003_workflow, which also gives `claims`
  their state, decision revision and who moved them).
- `records`: single-row reads and writes inside a transaction (users, audit rows, done or refused, chained by
  `beasiswa.audit.chain`; claims under lock, the history the rules count for a case).
- `service`: `Workflow`, every change checked, done and audited in one transaction (the ledger's unit of work,
  `Ledger.run`; its postings inside it, `Ledger.register_in`, `pay_in`, `reverse_in`). Its commands come one
  job a module: `accounts` (users), `registration` (intake), `transitions` (claim commands, run in chunks),
  `steps` (one claim's step), `redecide` (a claim decided again), `ledger_commands` (`record_case` for
  `beasiswa ledger record`, `reverse` for `beasiswa ledger reverse`; a reversed payout takes its claim back to
  `decided`, migration 0007_claim_reversal); what they return is in `results`.
"""
