"""The claims officer's workflow: a thin imperative shell around the pure rules.

- `states`: pure. The claim's life as a transition table (what can be done and who may do it, role, office,
  four eyes: `beasiswa.access`).
- `override`: pure. An officer's override of the rules' outcome as a new decision.
- `records`: single-row reads and writes inside a transaction (claims under lock, the history the rules count
  for a case); the acting user and the audit rows, done or refused, are `beasiswa.access.trail`'s.
- `service`: `Workflow`, every change checked, done and audited in one transaction (the ledger's unit of work,
  `Ledger.run`; its postings inside it, `Ledger.register_in`, `pay_in`, `reverse_in`). Its commands come one
  job a module: `accounts` (users), `registration` (intake), `transitions` (claim commands, run in chunks),
  `steps` (one claim's step), `redecide` (a claim decided again), `ledger_commands` (`record_case` for
  `beasiswa ledger record`, `reverse` for `beasiswa ledger reverse`; a reversed payout takes its claim back to
  `decided`, migration 0007_claim_reversal), `reading` (a claim read by a user, scoped to their office);
  what they return is in `results`.
- `available`: pure. The actions a user may take on a claim now (the buttons of the claim screen).
- `queries`: reads; the office a user may read is `beasiswa.access.roles.office_to_read`, applied there.
"""
