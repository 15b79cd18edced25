"""The web application under load, on PostgreSQL with 200 000 claims; the figures last, as one JSON line.

1. A fresh schema of the PostgreSQL database named by --db (default BEASISWA_TEST_POSTGRES_URL, else
   postgresql+psycopg://postgres@127.0.0.1:5432/test), migrated, filled with --claims claims: seeded random
   cases (bench/generate.py, with first and last names drawn from longer lists so that a name search finds a
   few families, not a twelfth of the country) taken in and decided through the registration service
   (`Workflow.take_in_all`, multi-row inserts in chunks of one transaction, every claim audited) as each
   office's officer; the time it takes is reported (`populate_s`). 20 users (officers and supervisors of six
   offices) with a password. `--schema NAME --keep` keep a filled schema and reuse it in a later run.
2. The server as deployed: `beasiswa web --workers 2` on that schema, in its own processes.
3. Baseline, in the same run: the users fetching the same server's static file (/static/app.css) for
   --baseline seconds: what the server, the network stack and this load generator cost without the
   application.
4. The users, each signed in through the sign-in form, browsing for --duration seconds (default 60): Beranda,
   the queue and its pages, filters (state and level, mine, days waiting, as the filter form's HTMX requests),
   search by NIK, KPJ and name, the claim page of a claim of their office (`claim_requests`); an officer,
   after one request in ten, verifies a claim of the office decided approved (its page, then its button's
   POST), one time in four two at once from the queue (`claim_actions`). Each user waits between requests
   a time drawn uniformly from --wait MIN MAX seconds (default 1 5: Locust's `between(1, 5)`, an officer
   reading the page before the next click), and each user's first request comes after a time drawn from
   0 to MAX (the users are at work when the minute starts, not all clicking in its first millisecond);
   `--wait 0 0` is a closed loop, each user's next request at once,
   which measures the server's saturation, not an office's day (20 users at --wait 0 1 ask ~2.5x what 20
   officers do).
5. The public /verifikasi page (by number and code) under --verify-concurrency concurrent requests (50) for
   --verify-duration seconds, no waiting between them.

The load is an asyncio httpx script in one process rather than Locust: on a 2-core machine the load generator
shares the cores with the server and PostgreSQL, and one event loop costs less of them than Locust's gevent
workers; the figures are the same kind (per-request latency, errors, requests per second).

Targets (issue 13): p95 <= 200 ms, p99 <= 500 ms, 0 errors for the browsing users.

Usage: python bench/web.py [--db URL] [--claims 200000] [--duration 60] [--users 20] [--wait 1 5]
                           [--baseline 15] [--verify-concurrency 50] [--verify-duration 15] [--workers 2]
                           [--schema NAME] [--keep] [--port 8765]
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from generate import OFFICES, make_case  # noqa: E402
from sqlalchemy import func, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from beasiswa.auth.passwords import hash_password  # noqa: E402
from beasiswa.casefile import CaseFileError, parse_case  # noqa: E402
from beasiswa.db import make_engine, upgrade  # noqa: E402
from beasiswa.db.tables import cases, children, claims  # noqa: E402
from beasiswa.db.user_tables import users  # noqa: E402
from beasiswa.law import default_law  # noqa: E402
from beasiswa.workflow.service import Workflow  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "kata-sandi-bench-web"
# One argon2id pass over 8 KiB: signing 20 users in is set-up, not what is measured.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
TARGET_P95_MS, TARGET_P99_MS = 200, 500
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Sri", "Ahmad", "Nur", "Putri", "Rizky", "Fajar", "Andi",
         "Nabila", "Rafi", "Dimas", "Aisyah", "Farhan", "Lestari", "Hendra", "Wahyu", "Indah", "Yusuf", "Ratna",
         "Bayu", "Citra", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Kartika", "Lukman", "Maya", "Nanda", "Oki"]
LAST = ["Aminah", "Santoso", "Lestari", "Salim", "Wati", "Widodo", "Mulyani", "Fauzi", "Hidayah", "Ayu", "Pratama",
        "Nugroho", "Saputra", "Gunawan", "Prasetyo", "Rahma", "Hakim", "Kusuma", "Siregar", "Nasution", "Harahap",
        "Simanjuntak", "Wijaya", "Halim", "Setiawan", "Hartono", "Susanto", "Purnomo", "Utami", "Permata",
        "Rahman", "Hasibuan", "Lubis", "Daulay", "Tanjung", "Sinaga", "Pohan", "Batubara", "Ritonga", "Manurung"]
VERIFY_NUMBER = "B/0001/KC-PLG/BSW/08/2025"


# ------------------------------------------------------------------------------------------ the database
def schema_url(base: str, schema: str) -> str:
    return make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(False)


def people() -> list[tuple[str, str, str]]:
    """20 users: an officer and a supervisor of each office, then more officers (name, role, office)."""
    out = []
    for i in range(20):
        office = OFFICES[i % len(OFFICES)]
        role = "officer" if (i // len(OFFICES)) % 2 == 0 else "supervisor"
        out.append((f"{office.lower()}.{'petugas' if role == 'officer' else 'pengawas'}{i + 1:02d}", role, office))
    return out


class SpreadClock:
    """Intake's clock: from 1 June 2025, 20 seconds later at each reading (a chunk reads it once), so the
    claims wait in their states for different spans and the queue's order means something."""

    def __init__(self):
        self.now = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=20)
        return self.now


def renamed(case: dict, rng: random.Random) -> dict:
    """The case with names from FIRST x LAST (1 440 of them), the children sharing the participant's last."""
    last = rng.choice(LAST)
    case["participant"]["name"] = f"{rng.choice(FIRST)} {last}"
    for child in case["children"]:
        child["name"] = f"{rng.choice(FIRST)} {last}"
    return case


def populate(url: str, target: int, seed: int = 20251203) -> dict:
    """Cases taken in until at least `target` claims are registered; returns what the load needs."""
    engine = make_engine(url)
    upgrade(engine)
    workflow = Workflow(engine, default_law(), SpreadClock(), chunk=2000)
    workflow.bootstrap("admin", "KP")
    for name, role, office in people():
        workflow.add_user("admin", name, role, office)
    intake_as = {office: name for name, role, office in people() if role == "officer"}
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.name != "admin").values(
            password_hash=hash_password(PASSWORD, CHEAP), password_changed_at="2025-05-01T00:00:00.000000Z"))
    rng = random.Random(seed)
    number, registered, refused = 0, 0, 0
    started = time.perf_counter()
    while registered < target:
        batch = []
        while len(batch) < 5000:
            number += 1
            try:
                batch.append(parse_case(renamed(make_case(rng, number, 4), rng)))
            except CaseFileError:
                continue
        results = workflow.take_in_all([(case, intake_as[case.office]) for case in batch], "bench/web.py")
        registered += sum(len(r.taken) for r in results if r.status != "refused")
        refused += sum(1 for r in results if r.status == "refused")
        print(f"  {registered:>7} claims registered ({time.perf_counter() - started:5.1f} s)", file=sys.stderr)
    seconds = time.perf_counter() - started
    with engine.connect() as conn:  # what autovacuum does after a bulk load: statistics, the visibility map
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    engine.dispose()
    return {"populate_s": round(seconds, 1), "claims": registered, "cases_refused": refused}


def samples(url: str, rng: random.Random) -> dict:
    """What the users search for: NIKs, KPJs and name fragments that exist."""
    engine = make_engine(url)
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(claims)).scalar_one()
        rows = conn.execute(select(cases.c.participant_kpj, cases.c.participant_name, children.c.nik)
                            .select_from(cases.join(children, children.c.case_id == cases.c.case_id))
                            .order_by(cases.c.case_id).limit(400)).all()
        by_office, to_verify = defaultdict(list), defaultdict(list)
        for office in OFFICES:
            picked = conn.execute(select(claims.c.case_id, claims.c.claim_id).where(claims.c.office == office)
                                  .order_by(func.random()).limit(500)).all()
            by_office[office] = [(r.case_id, r.claim_id) for r in picked]
            # Decided approved: waiting for an officer's verification (`queries.mine`).
            waiting = conn.execute(select(claims.c.case_id, claims.c.claim_id).where(
                claims.c.office == office, claims.c.state == "decided", claims.c.outcome == "approved")
                .order_by(func.random()).limit(2000)).all()
            to_verify[office] = [(r.case_id, r.claim_id) for r in waiting]
    engine.dispose()
    rows = rng.sample(rows, min(200, len(rows)))
    return {"claims": total, "claims_by_office": by_office, "to_verify": to_verify,
            "kpj": [r.participant_kpj for r in rows], "nik": [r.nik for r in rows],
            "name": [r.participant_name.split()[-1].lower() for r in rows] + [r.participant_name.lower() for r in rows]}


# ------------------------------------------------------------------------------------------ the server
def server_log():
    """Where the server's own log goes (a failed request's traceback): a file named on stderr."""
    log = tempfile.NamedTemporaryFile("wb", prefix="beasiswa-bench-web-", suffix=".log", delete=False)
    print(f"the server's log: {log.name}", file=sys.stderr)
    return log


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen([str(Path(sys.executable).parent / "beasiswa"), "web", "--db", url, "--port", str(port),
                               "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=server_log(),
                              env={**os.environ, "BEASISWA_WEB_KEY": os.urandom(32).hex()})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/masuk", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"beasiswa web ended with status {server.returncode}")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("beasiswa web did not answer within 60 s")


# ------------------------------------------------------------------------------------------ the load
class Stats:
    def __init__(self):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.why: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, name: str, seconds: float, ok: bool, why: str = "") -> None:
        """One request's time; `why`, for one that failed: its status, or the client's exception."""
        self.times[name].append(seconds * 1000)
        if not ok:
            self.errors[name] += 1
            self.why[name][why or "?"] += 1

    def summary(self, seconds: float) -> dict:
        every = [t for ts in self.times.values() for t in ts]
        return {**percentiles(every), "requests": len(every), "errors": sum(self.errors.values()),
                "requests_per_s": round(len(every) / seconds, 1),
                "by_request": {name: {**percentiles(ts), "requests": len(ts), "errors": self.errors[name],
                                      **({"failed": dict(self.why[name])} if self.errors[name] else {})}
                               for name, ts in sorted(self.times.items())}}


def percentiles(ms: list[float]) -> dict:
    if not ms:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    cuts = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "p99_ms": round(cuts[98], 1)}


HTMX = {"HX-Request": "true", "HX-Target": "hasil"}


def browsing(found: dict) -> list[tuple[str, int, object]]:
    """(name, weight, a function of the random generator giving (path, headers)) for what the users do."""
    return [
        ("beranda", 1, lambda r: ("/", {})),
        ("antrean", 3, lambda r: ("/antrean", {})),
        ("antrean_halaman", 2, lambda r: (f"/antrean?halaman={r.randint(2, 40)}", {})),
        ("saring_status_jenjang", 2, lambda r: (f"/antrean?status=decided&jenjang={r.choice(['SD', 'SMP', 'SMA', 'S1'])}", HTMX)),
        ("saring_milik", 1, lambda r: ("/antrean?milik=1", HTMX)),
        ("saring_lama", 1, lambda r: (f"/antrean?lama={r.choice([7, 30, 90])}", HTMX)),
        ("cari_nik", 1, lambda r: (f"/antrean?cari={r.choice(found['nik'])}", HTMX)),
        ("cari_kpj", 1, lambda r: (f"/antrean?cari={r.choice(found['kpj'])}", HTMX)),
        ("cari_nama", 2, lambda r: (f"/antrean?cari={r.choice(found['name'])}", HTMX)),
        *claim_requests(found),
    ]


def claim_requests(found: dict) -> list:
    """The claim page (/klaim/{case}/{claim}) of a claim of the user's office (`r.office`, set per user)."""
    def claim_page(r):
        case_id, claim_id = r.choice(found["claims_by_office"][r.office])
        return f"/klaim/{case_id}/{claim_id}", {}
    return [("klaim", 3, claim_page)]


VERIFY_SHARE = 0.1  # of an officer's requests, followed by a claim verified (its page, then its button)


async def claim_actions(client: httpx.AsyncClient, rng: random.Random, stats: Stats, found: dict) -> None:
    """An officer, after one request in ten, verifies a claim of the office decided approved and waiting
    (each taken once from the office's pool, so that each verify finds its claim in the right state):
    the claim's page, then its Verifikasi button's POST with the page's CSRF token (303 to the page); and
    one time in four, two claims at once from the queue (POST /antrean/verifikasi, a result per claim).
    A refusal (409: state) counts as an error: the pool holds only claims that can be verified."""
    if rng.role != "officer" or rng.random() >= VERIFY_SHARE:
        return
    pool = found["to_verify"][rng.office]
    if len(pool) < 2:
        return
    if rng.random() < 0.25:
        picked = [pool.pop(), pool.pop()]
        started = time.perf_counter()
        try:
            page = await client.get("/antrean?milik=1")
            token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            answer = await client.post("/antrean/verifikasi", data={
                "klaim": [f"{c}/{k}" for c, k in picked], "csrf_token": token})
            ok = answer.status_code == 200 and "2 berhasil, 0 ditolak" in answer.text
        except (httpx.HTTPError, IndexError):
            ok = False
        stats.add("verifikasi_massal", time.perf_counter() - started, ok)
        return
    case_id, claim_id = pool.pop()
    started = time.perf_counter()
    try:
        page = await client.get(f"/klaim/{case_id}/{claim_id}")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = await client.post(f"/klaim/{case_id}/{claim_id}/verifikasi", data={"csrf_token": token})
        ok = answer.status_code == 303
    except (httpx.HTTPError, IndexError):
        ok = False
    stats.add("verifikasi_klaim", time.perf_counter() - started, ok)


async def signed_in(base: str, name: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)
    form = await client.get("/masuk")
    token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    answer = await client.post("/masuk", data={"nama": name, "sandi": PASSWORD, "csrf_token": token})
    if answer.status_code != 303:
        raise SystemExit(f"{name} could not sign in: {answer.status_code} {answer.text[:300]}")
    return client


async def user(client: httpx.AsyncClient, plan: list, stop_at: float, wait: tuple[float, float], stats: Stats,
               rng: random.Random, found: dict | None) -> None:
    names, weights, makers = zip(*[(n, w, m) for n, w, m in plan])
    if wait[1]:
        # Users already at work when the minute starts: each first request anywhere in the first MAX seconds,
        # not all twenty in the same millisecond (Locust spawns users over time, at --spawn-rate). Started
        # together, the twenty first requests queue behind one another and are the whole tail (2026-12-03:
        # all 20 requests over 800 ms at t = 0 s, three in the 59 s after).
        await asyncio.sleep(rng.uniform(0, wait[1]))
    while time.monotonic() < stop_at:
        i = rng.choices(range(len(names)), weights)[0]
        path, headers = makers[i](rng)
        started = time.perf_counter()
        try:
            response = await client.get(path, headers=headers)
            ok, why = response.status_code == 200, f"{response.status_code} {path}"
        except httpx.HTTPError as exc:
            ok, why = False, f"{type(exc).__name__} {path}"
        stats.add(names[i], time.perf_counter() - started, ok, why)
        if found is not None:
            await claim_actions(client, rng, stats, found)
        if wait[1]:
            await asyncio.sleep(rng.uniform(*wait))


def user_rng(seed: int, role: str, office: str) -> random.Random:
    """A user's random generator, which also says whose it is (the claim hooks read the role and office)."""
    rng = random.Random(seed)
    rng.role, rng.office = role, office
    return rng


async def run_users(base: str, names: list[str], plan: list, seconds: float, wait: tuple[float, float], seed: int,
                    found: dict | None = None) -> dict:
    clients = [await signed_in(base, name) for name in names]
    who = {name: (role, office) for name, role, office in people()}
    stats = Stats()
    started = time.monotonic()
    await asyncio.gather(*(user(c, plan, started + seconds, wait, stats, user_rng(seed + i, *who[name]), found)
                           for i, (c, name) in enumerate(zip(clients, names))))
    elapsed = time.monotonic() - started
    for c in clients:
        await c.aclose()
    return stats.summary(elapsed)


async def run_public(base: str, concurrency: int, seconds: float) -> dict:
    """`concurrency` requests at once to /verifikasi by number and code, each next one as soon as one answers."""
    stats = Stats()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        started = time.monotonic()

        async def one(i: int) -> None:
            rng = random.Random(i)
            while time.monotonic() < started + seconds:
                kode = "".join(rng.choice("0123456789abcdef") for _ in range(16))
                t = time.perf_counter()
                try:
                    ok = (await client.get("/verifikasi", params={"nomor": VERIFY_NUMBER, "kode": kode})).status_code == 200
                except httpx.HTTPError:
                    ok = False
                stats.add("verifikasi", time.perf_counter() - t, ok)

        await asyncio.gather(*(one(i) for i in range(concurrency)))
        return stats.summary(time.monotonic() - started)


# ------------------------------------------------------------------------------------------ the queries
def profile(url: str, found: dict, rng: random.Random, repeat: int = 5) -> dict:
    """Each kind of queue query run in this process against the database (the median ms of `repeat`): where a
    slow page's time goes, without the server."""
    from beasiswa.access.roles import Role, User
    from beasiswa.model import State
    from beasiswa.workflow.queries import queue, queue_size

    engine = make_engine(url)
    officer = User("kc-plg.petugas01", Role.OFFICER, "KC-PLG", True)
    kinds = {
        "antrean": dict(office="KC-PLG"),
        "antrean_halaman_40": dict(office="KC-PLG", offset=39 * 50),
        "saring_status_jenjang": dict(office="KC-PLG", states=[State.DECIDED], level="SMA"),
        "saring_milik": dict(user=officer),
        "cari_nik": dict(office="KC-PLG", text=found["nik"][0]),
        "cari_kpj": dict(office="KC-PLG", text=found["kpj"][0]),
        "cari_nama": dict(office="KC-PLG", text=found["name"][0]),
        "cari_nama_semua_kantor": dict(text=found["name"][1]),
    }
    out = {}
    for name, where in kinds.items():
        offset = where.pop("offset", 0)
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            queue_size(engine, **where)
            queue(engine, **where, limit=50, offset=offset)
            runs.append((time.perf_counter() - t) * 1000)
        out[name] = round(statistics.median(runs), 1)
    engine.dispose()
    return out


# ------------------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("BEASISWA_TEST_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--claims", type=int, default=200_000)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--wait", type=float, nargs=2, default=(1.0, 5.0), metavar=("MIN", "MAX"),
                        help="seconds a user waits between requests, uniformly (Locust's between(MIN, MAX))")
    parser.add_argument("--baseline", type=float, default=15)
    parser.add_argument("--verify-concurrency", type=int, default=50)
    parser.add_argument("--verify-duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--schema", help="a schema filled by an earlier run with --keep (else a fresh one)")
    parser.add_argument("--keep", action="store_true", help="keep the schema (its name is printed)")
    args = parser.parse_args()
    if make_url(args.db).get_backend_name() != "postgresql":
        raise SystemExit(f"--db: {args.db!r} is not a PostgreSQL URL")

    schema = args.schema or f"beasiswa_bench_web_{uuid.uuid4().hex[:8]}"
    url = schema_url(args.db, schema)
    admin = make_engine(args.db)
    with admin.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                              {"s": schema}).first()
        if not exists:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    figures: dict = {"bench": "web", "database": "postgresql", "schema": schema}
    server = None
    try:
        rng = random.Random(7)
        if exists:
            print(f"reusing schema {schema}", file=sys.stderr)
            engine = make_engine(url)
            upgrade(engine)  # the indexes of a newer migration, if any
            engine.dispose()
        else:
            figures.update(populate(url, args.claims))
        found = samples(url, rng)
        figures["claims"] = found["claims"]
        figures["queries_ms"] = profile(url, found, rng)
        print(f"queries (ms, in process): {figures['queries_ms']}", file=sys.stderr)
        server = start_server(url, args.port, args.workers)
        base = f"http://127.0.0.1:{args.port}"
        names = [name for name, _, _ in people()][:args.users]
        static = [("static", 1, lambda r: ("/static/app.css", {}))]
        figures["baseline_static"] = asyncio.run(run_users(base, names, static, args.baseline, tuple(args.wait), 1))
        figures["browsing"] = asyncio.run(run_users(base, names, browsing(found), args.duration, tuple(args.wait), 100,
                                                    found))
        figures["verifikasi"] = asyncio.run(run_public(base, args.verify_concurrency, args.verify_duration))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        else:
            print(f"kept schema {schema} (--schema {schema} to reuse it)", file=sys.stderr)
        admin.dispose()

    b, s, v = figures["browsing"], figures["baseline_static"], figures["verifikasi"]
    figures.update(users=args.users, wait_s=list(args.wait), duration_s=args.duration, workers=args.workers,
                   target_p95_ms=TARGET_P95_MS, target_p99_ms=TARGET_P99_MS,
                   p95_over_static=round(b["p95_ms"] / s["p95_ms"], 2) if s["p95_ms"] else None,
                   meets_target=b["p95_ms"] <= TARGET_P95_MS and b["p99_ms"] <= TARGET_P99_MS and b["errors"] == 0)
    print(f"{'':<22}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'req/s':>9}{'errors':>8}")
    for label, part in (("static (baseline)", s), ("browsing", b), ("verifikasi x50", v)):
        print(f"{label:<22}{part['p50_ms']:>9}{part['p95_ms']:>9}{part['p99_ms']:>9}{part['requests_per_s']:>9}"
              f"{part['errors']:>8}")
    for name, part in b["by_request"].items():
        print(f"  {name:<20}{part['p50_ms']:>9}{part['p95_ms']:>9}{part['p99_ms']:>9}{'':>9}{part['errors']:>8}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
