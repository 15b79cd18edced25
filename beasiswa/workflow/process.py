"""`beasiswa process`: the whole automated path for a batch of intake files.

1. Intake: every case of every file registered and its claims decided (each case whole or refused whole).
2. Where the operator asks: the batch's decided claims verified by each office's `--verify-as` officer,
   then approved by its `--approve-as` supervisor (never the same person: four eyes, held by the service and
   the database), and their payouts posted to the journal.
3. The letters of the batch's claims whose decision is told to the family (approved and paid, rejected,
   returned; pending claims get none yet), numbered and rendered by the letters' batch renderer; letters
   numbered by an earlier run whose PDF was never written are finished first. Each office's letters are
   issued as its `--approve-as` supervisor (who decided them), else its `--verify-as` officer, else the user
   who took its cases in; an office with none of them gets its letters refused (NO_USER).
4. The summary, the ledger report and the result of `verify`.

Running it again on the same files changes nothing that is done and completes what is not (a crash, a
claim left decided because no officer of its office was named).
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine

from beasiswa.access.actions import ACTION_NAMES, Action
from beasiswa.access.trail import find_user
from beasiswa.indonesian import LETTER_KIND_NAMES, format_rupiah
from beasiswa.ledger import verify
from beasiswa.ledger.report import build_report, head_line
from beasiswa.ledger.views import print_report
from beasiswa.letters.batch import quiet_renderer_warnings, render_batch
from beasiswa.letters.canonical import DEFAULT_PUBLIC_URL
from beasiswa.letters.register import LetterRegister
from beasiswa.model import ClaimRef, Outcome, Refusal, State
from beasiswa.workflow.intake import take_in_files
from beasiswa.workflow.queries import batch_claims, lettered
from beasiswa.workflow.results import Step
from beasiswa.workflow.service import Workflow
from beasiswa.workflow.states import LETTER_STATES, STATE_NAMES
from beasiswa.workflow.views import print_intake


def _by_office(engine: Engine, names: Sequence[str]) -> dict[str, str]:
    """Each named user's office → the name (the first named for an office)."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for name in names:
            user = find_user(conn, name)
            if user is not None:
                out.setdefault(user.office, name)
    return out


def _intake_user(engine: Engine, names: Sequence[str]):
    offices = _by_office(engine, names)
    first = names[0] if names else None
    return lambda case: offices.get(case.office, first)


def run_process(engine: Engine, url: str, files: Sequence[Path], out_dir: Path, intake_as: Sequence[str],
                verify_as: Sequence[str], approve_as: Sequence[str], day: dt.date, workers: int | None,
                console: Console, today: dt.date | None = None, broker: str | None = None,
                public_url: str = DEFAULT_PUBLIC_URL) -> int:
    """Run the batch; returns the exit status (0 all done, 1 something refused, 2 a file unreadable).
    `day` dates the letters; `today` (from the edge) is what case files' history is checked against;
    `public_url` is the address the letters' QR codes point under. With a `broker`, the letters are made by
    the Celery workers (`_queued_letters`) instead of the local pool."""
    workflow = Workflow(engine)
    console.rule("[bold]1. Penerimaan dan putusan otomatis[/]")
    summaries = take_in_files(workflow, files, _intake_user(engine, intake_as), today)
    print_intake(console, summaries)
    case_ids = list(dict.fromkeys(line.result.case_id for s in summaries for line in s.lines
                                  if line.result.status != "refused"))
    failures = sum(1 for s in summaries for line in s.lines if line.result.status == "refused")

    console.rule("[bold]2. Verifikasi, persetujuan dan pembayaran[/]")
    failures += _advance(workflow, case_ids, verify_as, approve_as, console)

    console.rule("[bold]3. Surat[/]")
    issuers = _by_office(engine, [*approve_as, *verify_as, *intake_as])
    if broker:
        failures += _queued_letters(engine, out_dir, day, issuers, broker, console, public_url)
    else:
        failures += _letters(engine, url, case_ids, out_dir, day, workers, issuers, console, public_url)

    console.rule("[bold]4. Ringkasan[/]")
    _summary(engine, case_ids, console)
    ok = _ledger(engine, console)
    if any(s.error for s in summaries):
        return 2
    return 1 if failures or not ok else 0


def _advance(workflow: Workflow, case_ids: list[str], verify_as: Sequence[str], approve_as: Sequence[str],
             console: Console) -> int:
    if not verify_as:
        console.print("Tanpa --verify-as: klaim yang disetujui aturan menunggu verifikasi petugas.", highlight=False)
        return 0
    engine = workflow.engine
    officers, supervisors = _by_office(engine, verify_as), _by_office(engine, approve_as)
    failures = 0
    stages = [(Action.VERIFY, State.DECIDED, officers, workflow.verify)]
    if approve_as:
        stages += [(Action.APPROVE, State.VERIFIED, supervisors, workflow.approve),
                   (Action.PAY, State.APPROVED, supervisors, workflow.pay)]
    for action, state, people, run in stages:
        waiting = defaultdict(list)
        for row in batch_claims(engine, case_ids):
            if row.state == state.value and (action is not Action.VERIFY or row.outcome == Outcome.APPROVED.value):
                waiting[row.office].append(ClaimRef(row.case_id, row.claim_id))
        steps: list[Step] = []
        for office, refs in sorted(waiting.items()):
            person = people.get(office)
            if person is None:
                console.print(f"[yellow]![/] {len(refs)} klaim kantor {office} tetap {STATE_NAMES[state]}: tidak ada "
                              f"pengguna kantor itu untuk {ACTION_NAMES[action]} ({_option(action)})", highlight=False)
                failures += len(refs)
                continue
            steps += run(person, sorted(refs))
        done = [s for s in steps if s.ok]
        amount = sum(s.amount for s in done)
        money = f", {format_rupiah(amount)}" if action is not Action.VERIFY else ""
        console.print(f"{ACTION_NAMES[action].capitalize()}: {len(done)} klaim{money}"
                      f"{f'; {len(steps) - len(done)} gagal' if len(done) < len(steps) else ''}.", highlight=False)
        for s in steps:
            if not s.ok:
                console.print(f"  [red]✗[/] {escape(str(s.ref))} [{s.refusal.code}]: {escape(s.refusal.message)}",
                              highlight=False, soft_wrap=True)
        failures += len(steps) - len(done)
    return failures


def _option(action: Action) -> str:
    return "--verify-as" if action is Action.VERIFY else "--approve-as"


def _letters(engine: Engine, url: str, case_ids: list[str], out_dir: Path, day: dt.date, workers: int | None,
             issuers: dict[str, str], console: Console, public_url: str = DEFAULT_PUBLIC_URL) -> int:
    register = LetterRegister(engine)
    done = lettered(engine, case_ids)
    tasks: dict[str, list] = defaultdict(list)
    for entry in register.unrendered():
        tasks[entry.case_id].append(entry.number)
    for row in batch_claims(engine, case_ids):
        # The register letters the decision in force (the claim's revision); one not yet lettered is due.
        if State(row.state) in LETTER_STATES and (row.case_id, row.claim_id, row.decision_revision) not in done:
            tasks[row.case_id].append(ClaimRef(row.case_id, row.claim_id))
    chunks = [sorted(t, key=str) for _, t in sorted(tasks.items())]
    if not chunks:
        console.print("Tidak ada surat baru: setiap putusan yang final sudah bersurat.", highlight=False)
        return 0
    quiet_renderer_warnings()
    issued, failed = [], []

    def on_chunk(result):
        issued.extend(result.issued)
        failed.extend(result.failed)

    render_batch(url, out_dir, chunks, day, workers, on_chunk=on_chunk, issuers=issuers, public_url=public_url)
    kinds = Counter(i.kind for i in issued)
    names = LETTER_KIND_NAMES
    console.print(f"{len(issued)} surat ditulis ke {escape(str(out_dir))}: "
                  + ", ".join(f"{kinds[k]} {names[k]}" for k in names if kinds[k]) + ".", highlight=False)
    for failure in failed:
        console.print(f"  [red]✗[/] {escape(failure.task)} [{failure.code}]: {escape(failure.message)}",
                      highlight=False, soft_wrap=True)
    return len(failed)


def _queued_letters(engine: Engine, out_dir: Path, day: dt.date, issuers: dict[str, str], broker: str,
                    console: Console, public_url: str = DEFAULT_PUBLIC_URL) -> int:
    """The letter stage through the task queue: a batch per office (every claim of the office due a letter,
    this run's and any left by an earlier one; its letters' QR codes under `public_url`), sent to the broker,
    followed until done; the PDFs the workers stored written to `out_dir`; the letters that failed named."""
    from beasiswa.letters.batches import Batches, export, wait_for
    from beasiswa.letters.queue import enqueue  # lazy: Celery, only when the queue is asked for

    batches = Batches(engine)
    started = []
    failures = 0
    for office, name in sorted(issuers.items()):
        try:
            batch = batches.start(name, office, day, "queue", public_url)
        except Refusal as refusal:
            console.print(f"  [red]✗[/] surat kantor {office} [{refusal.code}]: {escape(refusal.message)}",
                          highlight=False, soft_wrap=True)
            failures += 1
            continue
        if batch is not None:
            enqueue(batches, batch.id, broker)
            console.print(f"Kelompok surat {batch.id} kantor {office}: {batch.pending} klaim dikirim ke antrean.",
                          highlight=False)
            started.append(batch.id)
    if not started:
        console.print("Tidak ada surat baru: setiap putusan yang final sudah bersurat.", highlight=False)
        return failures
    for batch in wait_for(batches, started):
        written = export(batches, batch.id, out_dir)
        console.print(f"Kelompok {batch.id} kantor {batch.office}: {batch.done} surat selesai, {batch.failed} gagal; "
                      f"{len(written)} PDF ditulis ke {escape(str(out_dir))}.", highlight=False)
        for item in batches.items(batch.id, "failed"):
            console.print(f"  [red]✗[/] {escape(item.case_id)}/{escape(item.claim_id)} [{item.code}]: "
                          f"{escape(item.message or '')}", highlight=False, soft_wrap=True)
        failures += batch.failed
    return failures


def _summary(engine: Engine, case_ids: list[str], console: Console) -> None:
    rows = batch_claims(engine, case_ids)
    states = Counter(r.state for r in rows)
    paid = sum(r.amount for r in rows if r.state == State.PAID.value)
    parts = ", ".join(f"{STATE_NAMES[s]} {states[s.value]}" for s in State if states[s.value])
    console.print(f"Berkas yang diproses: {len(case_ids)} kasus, {len(rows)} klaim ({parts}); dibayar {format_rupiah(paid)}.",
                  highlight=False)


def _ledger(engine: Engine, console: Console) -> bool:
    """The ledger report over the whole journal (by level group and office) and the chain verified."""

    verified = verify(engine)
    report = build_report(engine, ("level_group", "office"), "all", verified.entries)
    print_report(console, report)
    status = "verifikasi OK" if verified.ok else f"verifikasi RUSAK: {verified.problems[0]}"
    console.print(head_line(verified.entries, verified.head_hash, status), highlight=False)
    return verified.ok
