"""Who may do what, and the record of what they did: below the application services that change anything.

- `actions`: what a user can ask for (verify, approve, issue a letter, manage users, ...).
- `roles`: the roles and offices, and the check of an action against them (four eyes, two people); what office
  a user may read (`office_to_read`, `check_read`: office scoping for both front doors, in one place).
- `trail`: the acting user read in the change's own transaction, and the audit rows written for it.
- `chain`, `canonical`: the audit trail's hash chain, each row's canonical bytes chained to the row before.

The workflow, the letter register and sign-in (`beasiswa.auth`) all write through here; the auditor's reading
and checks of the trail are `beasiswa.audit`.
"""
