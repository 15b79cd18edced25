"""Realistic random case files for the benchmarks: seeded, so every run measures the same work.

Cases are valid `beasiswa-case/1` dicts: a participant, an event under either scheme, one to four children,
some history, and yearly claims across levels. Shared by the bench scripts.
"""

import datetime as dt
import random

OFFICES = ["KC-PLG", "KC-SBY", "KC-MDN", "KC-MKS", "KC-BDG", "KC-JKT"]
NAMES = ["Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Wati", "Joko Widodo", "Sri Mulyani",
         "Ahmad Fauzi", "Nur Hidayah", "Putri Ayu", "Rizky Pratama", "Fajar Nugroho"]
LEVELS_BY_AGE = [(4, "TK"), (6, "SD"), (12, "SMP"), (15, "SMA"), (18, "S1"), (23, "S2")]
FULL_DOCUMENTS = ["claim_form", "birth_certificate", "family_card", "enrollment_letter", "report_card",
                  "bank_account"]
KINDS = ["death", "work_accident_death", "work_accident_disability"]


def _nik(rng: random.Random, born: dt.date, female: bool) -> str:
    day = born.day + (40 if female else 0)
    return f"1671{rng.randint(1, 99):02d}{day:02d}{born.month:02d}{born.year % 100:02d}{rng.randint(1, 9999):04d}"


def _level_for(age: int) -> str:
    level = "TK"
    for start, name in LEVELS_BY_AGE:
        if age >= start:
            level = name
    return level


def make_case(rng: random.Random, number: int, claims_per_case: int = 4) -> dict:
    office = rng.choice(OFFICES)
    event_date = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randint(0, 9 * 365))
    parent_born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randint(0, 25 * 365))
    children = []
    for i in range(rng.randint(1, 4)):
        born = event_date - dt.timedelta(days=rng.randint(365, 20 * 365))
        female = rng.random() < 0.5
        children.append({
            "id": f"anak-{i + 1}", "nik": _nik(rng, born, female), "name": rng.choice(NAMES),
            "birth_date": born.isoformat(), "relation": rng.choice(["biological", "biological", "step", "adopted"]),
            "married_on": None, "employed_on": None, "designated": None,
        })
    first_year = event_date.year if event_date.month >= 7 else event_date.year - 1
    claims = []
    for n in range(claims_per_case):
        child = rng.choice(children)
        year = first_year + rng.randint(0, 6)
        age = year - int(child["birth_date"][:4])
        # A claim follows its event (an earlier submission is invalid input).
        submitted = max(dt.date(year, 7, 1) + dt.timedelta(days=rng.randint(-20, 400)),
                        event_date + dt.timedelta(days=1))
        documents = FULL_DOCUMENTS if rng.random() < 0.9 else FULL_DOCUMENTS[:-2]
        claims.append({
            "id": f"klaim-{n + 1}", "child": child["id"], "academic_year": f"{year}/{year + 1}",
            "level": _level_for(age), "institution": "Sekolah Negeri 1", "submitted_on": submitted.isoformat(),
            "documents": list(documents),
        })
    return {
        "format": "beasiswa-case/1",
        "case_id": f"{office}-{event_date.year}-{number:06d}",
        "office": office,
        "participant": {
            "kpj": f"{rng.randint(10**10, 10**11 - 1)}", "nik": _nik(rng, parent_born, False),
            "name": rng.choice(NAMES), "segment": rng.choice(["PU", "PU", "PU", "BPU", "PMI"]),
            "contribution_months": rng.randint(0, 240), "arrears_months": rng.choice([0, 0, 0, 0, 1, 4]),
        },
        "event": {"kind": rng.choice(KINDS), "date": event_date.isoformat()},
        "children": children,
        "history": [],
        "claims": claims,
    }


def make_cases(count: int, claims_per_case: int = 4, seed: int = 2025) -> list[dict]:
    rng = random.Random(seed)
    return [make_case(rng, n + 1, claims_per_case) for n in range(count)]
