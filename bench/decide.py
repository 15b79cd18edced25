"""Claims decided per second in one process, reading and writing the JSON included.

Generates 200 000 claims in 50 000 cases as JSON lines, then times the project's whole path per case
(JSON decoding → strict case-file parsing → decide → contract JSON → encoding → write) against a baseline
measured in the same run on the same lines: the same decoding, encoding and writing alone. The machine is shared
and noisy, so the ratio is the figure to compare across runs. Last line: one JSON object.

Usage: python bench/decide.py [--cases 50000] [--claims-per-case 4]
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import make_cases  # noqa: E402

from beasiswa.casefile import decision_to_json, dumps_line, loads, parse_case  # noqa: E402
from beasiswa.law import default_law  # noqa: E402
from beasiswa.rules import decide  # noqa: E402

TARGET_CLAIMS_PER_S = 20_000


def run_baseline(source: Path, sink: Path) -> float:
    """The same lines through the same JSON functions, with nothing decided: the I/O floor."""
    start = time.perf_counter()
    with source.open("rb") as lines, sink.open("wb") as out:
        for line in lines:
            out.write(dumps_line(loads(line)))
    return time.perf_counter() - start


def run_decide(source: Path, sink: Path) -> tuple[float, dict[str, int]]:
    law = default_law()
    outcomes: dict[str, int] = {}
    start = time.perf_counter()
    with source.open("rb") as lines, sink.open("wb") as out:
        for line in lines:
            decision = decide(parse_case(loads(line)), law)
            out.write(dumps_line(decision_to_json(decision)))
            for d in decision.decisions:
                outcomes[d.outcome.value] = outcomes.get(d.outcome.value, 0) + 1
    return time.perf_counter() - start, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--claims-per-case", type=int, default=4)
    args = parser.parse_args()

    cases = make_cases(args.cases, args.claims_per_case)
    claims = sum(len(c["claims"]) for c in cases)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "cases.jsonl"
        source.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
        del cases
        default_law()  # loading the law is start-up, not per-claim work
        baseline_s = run_baseline(source, Path(tmp) / "baseline.jsonl")
        decide_s, outcomes = run_decide(source, Path(tmp) / "decisions.jsonl")
        output_mb = (Path(tmp) / "decisions.jsonl").stat().st_size / 1e6

    rate = round(claims / decide_s)
    print(f"{claims} claims in {args.cases} cases: decided in {decide_s:.2f} s ({rate} claims/s), "
          f"JSON alone {baseline_s:.2f} s; outcomes {outcomes}; {output_mb:.0f} MB of decisions")
    print(f"target {TARGET_CLAIMS_PER_S} claims/s: {'met' if rate >= TARGET_CLAIMS_PER_S else 'NOT met'}")
    print(json.dumps({"claims_per_s": rate, "claims": claims, "cases": args.cases,
                      "seconds": round(decide_s, 2), "json_only_seconds": round(baseline_s, 2),
                      "ratio_to_json_only": round(decide_s / baseline_s, 2),
                      "target_claims_per_s": TARGET_CLAIMS_PER_S}))


if __name__ == "__main__":
    main()
