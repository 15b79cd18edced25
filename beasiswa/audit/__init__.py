"""The audit trail as evidence, and the auditor's one check of everything.

- `canonical`: the byte form of an audit row that is hashed and stored with it.
- `chain`: appending rows to the trail, each chained to the one before under the writer's lock.
- `trail`: verifying that chain row by row.
- `crosscheck`: the claims' state against the journal (a paid claim has its payout, a payout its paid claim).
- `anchors`: the heads of the journal and the trail written down outside the database, and checked later.
- `checks`: `beasiswa audit verify`, every check above as a list of findings.
"""
