"""Intake: a case registered with its claims and decided, or new claims added to a registered case.

A case is taken whole or not at all; a case whose every claim is registered already changes nothing. Many cases
are taken in chunks of one transaction, each case under a savepoint: a refused case is undone alone, named,
and audited in the chunk's own transaction. New cases without history are inserted together in multi-row
statements. Mixed into `Workflow` (service.py), whose `_run`, `_now`, `_decide`, `chunk`, `law` and `ledger`
it uses.
"""

from collections.abc import Sequence
from typing import Any

import attrs
from sqlalchemy import and_, insert, select, update
from sqlalchemy import case as sql_case
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from beasiswa.access.actions import Action
from beasiswa.access.roles import User, check
from beasiswa.access.trail import actor, audit, buffered_audit, refused
from beasiswa.casefile import CONVERTER, case_to_json, dumps
from beasiswa.db.rows import case_row, child_row, claim_row, decision_columns, family_total_row, usage_rows
from beasiswa.db.tables import cases, children, claims, family_totals, level_usage
from beasiswa.ledger.entries import HISTORY_APPROVER
from beasiswa.ledger.policy import as_refusal
from beasiswa.model import Case, Outcome, Refusal
from beasiswa.workflow.records import arrears_recorded_before, counted_history, lock_case, registered_case, savepoint
from beasiswa.workflow.results import CaseIntake, ClaimTaken
from beasiswa.workflow.states import State, path_after_decision


class Registration:
    def take_in(self, as_: str | None, case: Case, source: str = "") -> CaseIntake:
        """Register a case with its claims and decide them, or add its new claims to the registered case;
        all of it or nothing. A case whose every claim is registered already changes nothing."""
        return self.take_in_all([(case, as_)], source)[0]

    def take_in_all(self, items: Sequence[tuple[Case, str | None]], source: str = "") -> list[CaseIntake]:
        """Take in many cases, each as its user, each whole or not at all, in chunks of one transaction.

        New cases without history are inserted together (multi-row statements, checked by the same
        triggers); a chunk the database refuses is done again case by case, so the refusal names its case.
        Registered cases, and cases with history, go one by one under a savepoint."""
        decided = []
        for case, as_ in items:  # pure, before any transaction: the rules on the case as the file gives it
            try:
                decided.append((case, as_, self._decide(case)))
            except Refusal as refusal:
                decided.append((case, as_, refusal))
        results: list[CaseIntake] = []
        chunk: list = []
        ids: set[str] = set()
        for item in decided:
            if len(chunk) == self.chunk or item[0].case_id in ids:  # a case twice: the second sees the first
                results += self._run(lambda conn, chunk=chunk: self._take_in_chunk(conn, chunk, source))
                chunk, ids = [], set()
            chunk.append(item)
            ids.add(item[0].case_id)
        if chunk:
            results += self._run(lambda conn: self._take_in_chunk(conn, chunk, source))
        return results

    def _take_in_chunk(self, conn: Connection, chunk: list, source: str) -> list[CaseIntake]:
        with buffered_audit(conn):  # the chunk's audit rows chained at its end, under the trail's lock once
            return self._take_in_rows(conn, chunk, source)

    def _take_in_rows(self, conn: Connection, chunk: list, source: str) -> list[CaseIntake]:
        now = self._now()
        known = set(conn.execute(select(cases.c.case_id).where(
            cases.c.case_id.in_([case.case_id for case, _, _ in chunk]))).scalars())
        users: dict[str | None, User | Refusal] = {}
        results: list[CaseIntake | None] = [None] * len(chunk)
        fresh = []
        for i, (case, as_, decision) in enumerate(chunk):
            try:
                user = self._cached_actor(conn, users, as_)
                check(user, Action.INTAKE, case.office, f"kasus {case.case_id}")
                if case.case_id in known:
                    with savepoint(conn):
                        results[i] = self._add(conn, user, case, lock_case(conn, case.case_id), source, now)
                elif isinstance(decision, Refusal):
                    raise decision
                elif case.history:
                    with savepoint(conn):
                        results[i] = self._register(conn, user, case, decision, source, now)
                else:
                    fresh.append((i, case, user, decision))
            except (Refusal, IntegrityError) as exc:
                results[i] = self._intake_refused(conn, case, as_, users.get(as_), exc, source, now)
        try:
            with savepoint(conn):
                for i, result in self._insert_new(conn, fresh, source, now):
                    results[i] = result
        except IntegrityError:
            for item in fresh:
                try:
                    with savepoint(conn):
                        [(i, result)] = self._insert_new(conn, [item], source, now)
                        results[i] = result
                except IntegrityError as exc:
                    results[item[0]] = self._intake_refused(conn, item[1], item[2].name, item[2], exc, source, now)
        return results

    @staticmethod
    def _intake_refused(conn: Connection, case: Case, as_: str | None, user, exc: Exception, source: str,
                        now: str) -> CaseIntake:
        """A case refused whole, and its refused row in the trail (`user`: the actor read, or why not)."""
        refusal = as_refusal(exc)
        audit(conn, [refused(now, as_, Action.INTAKE.value, f"case {case.case_id}", refusal,
                             user=user.name if isinstance(user, User) else None, case_id=case.case_id,
                             note=source or None)])
        return CaseIntake(case.case_id, "refused", refusal=refusal)

    @staticmethod
    def _cached_actor(conn: Connection, users: dict, name: str | None) -> User:
        if name not in users:
            try:
                users[name] = actor(conn, name)
            except Refusal as refusal:
                users[name] = refusal
        found = users[name]
        if isinstance(found, Refusal):
            raise found
        return found

    def _register(self, conn: Connection, user: User, case: Case, decision, source: str, now: str) -> CaseIntake:
        """A new case with history: the ledger registers it and imports its history into the journal."""
        self.ledger.register_in(conn, case, decision, maker=user.name, approver=HISTORY_APPROVER)
        conn.execute(update(claims).where(claims.c.case_id == case.case_id).values(
            state=_STATE_FOR_OUTCOME, automatic_outcome=claims.c.outcome, state_at=now, decided_at=now,
            decided_by=user.name))
        rows, taken = self._decided_rows(case, decision, user, source, now)
        audit(conn, rows)
        return CaseIntake(case.case_id, "new", taken)

    def _insert_new(self, conn: Connection, items: list, source: str, now: str) -> list[tuple[int, CaseIntake]]:
        """New cases without history, all in one set of multi-row inserts: the rows the ledger's registration
        writes (cases, children, claims with their decisions, running totals) with the workflow's columns
        set at once. Registering ten thousand cases one by one costs ~2 ms each in statements alone."""
        case_rows, child_rows, claim_rows, family_rows, usage, audit_rows, out = [], [], [], [], [], [], []
        for i, case, user, decision in items:
            scheme = self.law.scheme(decision.scheme)
            case_rows.append(case_row(case, scheme, dumps(case_to_json(case)), now, user.name))
            child_rows += [child_row(case.case_id, c) for c in case.children]
            decided = {d.claim: d for d in decision.decisions}
            claim_rows += [_claim_row(case.case_id, case.office, claim, decided[claim.id], scheme, user.name, now)
                           for claim in case.claims]
            family_rows.append(family_total_row(case.case_id, scheme))
            usage += usage_rows(case.case_id, case.children, scheme)
            rows, taken = self._decided_rows(case, decision, user, source, now)
            audit_rows += rows
            out.append((i, CaseIntake(case.case_id, "new", taken)))
        for table, rows in ((cases, case_rows), (children, child_rows), (claims, claim_rows),
                            (family_totals, family_rows), (level_usage, usage)):
            if rows:
                conn.execute(_INSERTS[table.name], rows)
        audit(conn, audit_rows)
        return out

    @staticmethod
    def _decided_rows(case: Case, decision, user: User, source: str, now: str):
        rows = [dict(at=now, actor=user.name, action="intake", subject=f"case {case.case_id}", case_id=case.case_id,
                     after={"office": case.office, "scheme": decision.scheme, "children": len(case.children),
                            "claims": len(case.claims), "history": len(case.history)}, note=source or None)]
        taken = []
        for d in decision.decisions:
            path = path_after_decision(State.SUBMITTED, Action.DECIDE, d.outcome)
            rows.append(_decided_audit(case.case_id, d, path, user, now))
            taken.append(ClaimTaken(d.claim, d.outcome.value, path[-1], d.amount))
        return rows, tuple(taken)

    def _add(self, conn: Connection, user: User, case: Case, row, source: str, now: str) -> CaseIntake:
        """New claims (and children) for a registered case, decided with everything paid or owed counted."""
        registered = registered_case(row.case_file)
        filed, now_recorded = case.participant.arrears_months, registered.participant.arrears_months
        if filed != now_recorded and filed in arrears_recorded_before(conn, case.case_id):
            # The file was written before `beasiswa arrears` recorded the employer's arrears anew: the record
            # stands, and the file's older value is no difference (the same file again changes nothing).
            case = attrs.evolve(case, participant=attrs.evolve(case.participant, arrears_months=now_recorded))
        problems = _differences(registered, case, row.office)
        existing = {r.claim_id: r for r in conn.execute(
            select(claims.c.claim_id, claims.c.child_id, claims.c.academic_year, claims.c.level,
                   claims.c.institution).where(claims.c.case_id == case.case_id))}
        new_claims = []
        for i, claim in enumerate(case.claims):
            old = existing.get(claim.id)
            if old is None:
                new_claims.append(claim)
                continue
            for field, now_value, then in (("child", claim.child, old.child_id),
                                           ("academic_year", str(claim.academic_year), old.academic_year),
                                           ("level", claim.level.value, old.level),
                                           ("institution", claim.institution, old.institution)):
                if now_value != then:
                    problems.append(f"claims[{i}].{field}: {now_value!r} berbeda dengan klaim {claim.id} yang "
                                    f"terdaftar ({then!r})")
        if problems:
            raise Refusal("CASE_DIFFERS", f"kasus {case.case_id} sudah terdaftar dengan data lain: "
                                          + "; ".join(problems))
        known = {c.id for c in registered.children}
        new_children = [c for c in case.children if c.id not in known]
        updated_children = _updated_children(registered, case)
        if not new_claims and not new_children and not updated_children:
            return CaseIntake(case.case_id, "unchanged", unchanged=len(case.claims))
        children_now = tuple(updated_children.get(c.id, c) for c in registered.children) + tuple(new_children)
        rules_case = attrs.evolve(registered, children=children_now,
                                  history=counted_history(conn, case.case_id), claims=tuple(new_claims))
        decision = self._decide(rules_case)
        scheme = self.law.scheme(decision.scheme)
        for child_id, child in updated_children.items():
            conn.execute(update(children).where(and_(children.c.case_id == case.case_id,
                                                     children.c.child_id == child_id)).values(
                married_on=child.married_on, employed_on=child.employed_on, designated=child.designated))
        if new_children:
            conn.execute(_INSERTS["children"], [child_row(case.case_id, c) for c in new_children])
            conn.execute(_INSERTS["level_usage"], usage_rows(case.case_id, new_children, scheme))
        decided = {d.claim: d for d in decision.decisions}
        rows, taken = [], []
        for claim in new_claims:
            d = decided[claim.id]
            path = path_after_decision(State.SUBMITTED, Action.DECIDE, d.outcome)
            rows.append(_decided_audit(case.case_id, d, path, user, now))
            taken.append(ClaimTaken(claim.id, d.outcome.value, path[-1], d.amount))
        if new_claims:
            conn.execute(_INSERTS["claims"], [_claim_row(case.case_id, case.office, claim, decided[claim.id], scheme, user.name, now)
                                              for claim in new_claims])
        file_now = attrs.evolve(registered, children=children_now, claims=registered.claims + tuple(new_claims))
        conn.execute(update(cases).where(cases.c.case_id == case.case_id)
                     .values(case_file=dumps(case_to_json(file_now))))
        rows.insert(0, dict(at=now, actor=user.name, action="intake.add", subject=f"case {case.case_id}",
                            case_id=case.case_id, note=source or None,
                            after={"claims_added": [c.id for c in new_claims],
                                   "children_added": [c.id for c in new_children],
                                   "children_updated": sorted(updated_children)}))
        audit(conn, rows)
        return CaseIntake(case.case_id, "added", tuple(taken), unchanged=len(case.claims) - len(new_claims))



# SQL: the state each claim lands in after its first decision, from its outcome (states.path_after_decision).
_STATE_FOR_OUTCOME = sql_case({o.value: path_after_decision(State.SUBMITTED, Action.DECIDE, o)[-1].value
                               for o in Outcome}, value=claims.c.outcome)


def _differences(registered: Case, case: Case, office: str) -> list[str]:
    """What a file says about a registered case that the registration says otherwise (new claims aside)."""
    problems = []
    if case.office != office:
        problems.append(f"office: {case.office!r} berbeda dengan {office!r}")
    for field in attrs.fields(type(registered.participant)):
        now, then = getattr(case.participant, field.name), getattr(registered.participant, field.name)
        if now != then:
            hint = " (catat perubahan tunggakan dengan `beasiswa arrears`)" if field.name == "arrears_months" else ""
            problems.append(f"participant.{field.name}: {str(now)!r} berbeda dengan {str(then)!r}{hint}")
    if case.event != registered.event:
        problems.append(f"event: {case.event.kind.value} {case.event.date} berbeda dengan "
                        f"{registered.event.kind.value} {registered.event.date}")
    if case.history and case.history != registered.history:
        problems.append("history: riwayat pembayaran berbeda dengan yang terdaftar (riwayat dicatat sekali, saat "
                        "kasus didaftarkan)")
    known = {c.id: c for c in registered.children}
    for i, child in enumerate(case.children):
        old = known.get(child.id)
        if old is None:
            continue
        for field in ("nik", "name", "birth_date", "relation", "other_cases"):
            if getattr(child, field) != getattr(old, field):
                problems.append(f"children[{i}].{field}: {str(getattr(child, field))!r} berbeda dengan "
                                f"{str(getattr(old, field))!r}")
        for field in ("married_on", "employed_on", "designated"):
            now, then = getattr(child, field), getattr(old, field)
            if now is not None and then is not None and now != then:
                problems.append(f"children[{i}].{field}: {str(now)!r} berbeda dengan {str(then)!r}")
    return problems


def _updated_children(registered: Case, case: Case) -> dict:
    """Registered children of whom the file says something new: a marriage, work, or a designation (I3),
    where the registration said nothing."""
    known = {c.id: c for c in registered.children}
    out = {}
    for child in case.children:
        old = known.get(child.id)
        if old is None:
            continue
        changes = {f: getattr(child, f) for f in ("married_on", "employed_on", "designated")
                   if getattr(old, f) is None and getattr(child, f) is not None}
        if changes:
            out[child.id] = attrs.evolve(old, **changes)
    return out


_INSERTS = {table.name: insert(table) for table in (cases, children, claims, family_totals, level_usage)}


def _claim_row(case_id: str, office: str, claim, decision, scheme, by: str, now: str) -> dict[str, Any]:
    """A claim's row as the ledger registers it, with the workflow's columns after its first decision."""
    path = path_after_decision(State.SUBMITTED, Action.DECIDE, decision.outcome)
    return dict(
        **claim_row(case_id, claim, scheme, office), **decision_columns(CONVERTER.unstructure(decision)), state=path[-1].value, decision_revision=1,
        automatic_outcome=decision.outcome.value, state_at=now, decided_at=now, decided_by=by)


def _decided_audit(case_id: str, d, path, user: User, now: str) -> dict[str, Any]:
    return dict(at=now, actor=user.name, action="decide", subject=f"claim {case_id}/{d.claim}", case_id=case_id,
                claim_id=d.claim, before={"state": State.SUBMITTED.value},
                after={"state": path[-1].value, "decision_revision": 1, "outcome": d.outcome.value,
                       "amount": d.amount, "reasons": [r.code.value for r in d.reasons],
                       "path": [s.value for s in path]})
