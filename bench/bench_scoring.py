"""Measure scorings per second of the pure scoring engine on one core.

Usage: python bench/bench_scoring.py [catalogue.yaml] [--number N] [--repeat R]

Loads the real catalogue with yaml.safe_load (no Django), builds a realistic, deterministic answer
set (every question answered, middle options, a few use cases, one "unknown" and one "n/a" where
allowed), and reports the median of R timeit runs of N scorings each.
"""

import argparse
import statistics
import sys
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from assessments.scoring import SCORING_VERSION, index_for, score  # noqa: E402
from assessments.scoring.index import build_index  # noqa: E402

DEFAULT_CATALOGUE = ROOT / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"


def _field_value(field: dict, row: int):
    if field["type"] == "yes_no":
        return "yes" if row % 2 else "no"
    if field["type"] == "single_choice":
        options = field["options"]
        return options[(row * 2 + 1) % len(options)]["key"]
    return f"Anwendungsfall {row + 1}"


def _better_yes_no(q: dict) -> str:
    def total(block):
        return sum((block or {}).get("scores", {}).values()) if block else 0

    return "yes" if total(q.get("yes")) <= total(q.get("no")) else "no"


def realistic_answers(document: dict) -> dict:
    """Every question answered the way a typical SMB would: mostly middle options."""
    answers = {}
    unknown_used = na_used = False
    for section in document["sections"]:
        for position, q in enumerate(section["questions"]):
            kind = q["type"]
            if q.get("allow_unknown") and not unknown_used and position % 3 == 1:
                answers[q["key"]] = "unknown"
                unknown_used = True
                continue
            if q.get("allow_na") and not na_used and position % 3 == 2:
                answers[q["key"]] = "na"
                na_used = True
                continue
            if kind == "single_choice":
                options = q["options"]
                answers[q["key"]] = options[len(options) // 2]["key"]
            elif kind == "multi_choice":
                keys = [o["key"] for o in q["options"]]
                answers[q["key"]] = keys[1 : 1 + max(1, len(keys) // 3)]
            elif kind == "yes_no":
                answers[q["key"]] = _better_yes_no(q)
            elif kind == "scale":
                answers[q["key"]] = (q.get("min", 1) + q.get("max", 5)) // 2
            elif kind == "number":
                answers[q["key"]] = min(max(q.get("min", 0), 25), q.get("max", 25))
            elif kind == "repeat_group":
                answers[q["key"]] = [
                    {f["key"]: _field_value(f, row) for f in q["fields"]} for row in range(3)
                ]
            else:
                answers[q["key"]] = "Freitext"
    return answers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("catalogue", nargs="?", default=str(DEFAULT_CATALOGUE))
    parser.add_argument("--number", type=int, default=2000, help="scorings per run")
    parser.add_argument("--repeat", type=int, default=7, help="runs (the median is reported)")
    args = parser.parse_args(argv)

    path = Path(args.catalogue)
    with path.open(encoding="utf-8") as fh:
        document = yaml.safe_load(fh)
    answers = realistic_answers(document)

    started = time.perf_counter()
    build_index(document)
    build_ms = (time.perf_counter() - started) * 1000

    index_for(document)
    card = score(document, answers)  # warm the memo
    runs = timeit.repeat(lambda: score(document, answers), number=args.number, repeat=args.repeat)
    per_run = statistics.median(runs)
    per_second = args.number / per_run
    questions = sum(len(s["questions"]) for s in document["sections"])
    print(
        f"catalogue {document['key']} {document['version']} ({questions} questions, "
        f"{len(document.get('recommendations') or ())} recommendation rules), "
        f"scoring {SCORING_VERSION}"
    )
    print(f"index build (once per document): {build_ms:.2f} ms")
    print(
        "result: readiness "
        f"{card.readiness}, "
        + ", ".join(f"{d.key} {d.score}" for d in card.dimensions)
        + f", {len(card.recommendations)} recommendations"
    )
    print(
        f"scoring: {per_run / args.number * 1e6:.1f} µs each, "
        f"{per_second:,.0f} scorings/second (median of {args.repeat} × {args.number}, one core)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
