"""The audit trail as evidence, and the auditor's one check of everything.

- `trail`: verifying the trail's chain row by row (its rows are written, and chained, by `beasiswa.access`).
- `crosscheck`: the claims' state against the journal (a paid claim has its payout, a payout its paid claim).
- `anchors`: the heads of the journal and the trail written down outside the database, and checked later.
- `checks`: `beasiswa audit verify`, every check above as a list of findings.
"""
