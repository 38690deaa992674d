"""Mutation check of the persona suite (issue 9; not part of CI).

Usage: python bench/mutation.py [--baseline]

Changes the points of one scoring answer at a time – every option, yes/no block, scale step and
number band that scores anything – once to 0 and once doubled, scores the persona suite of
``tests/scoring/test_personas.py`` (docs/personas.md) on each mutant and reports two shares of
the mutants it catches: by the consultant's judgements of the outcome (a level range, a ranking,
a first action, or a one-answer variant of a persona that is not worse off where the table of
variants says it is) and by the point pins (a gap's severity band, or closing a gap that no
longer lowers the risk points), plus the share either catches. Pure Python: no Django, no
database; a few seconds per hundred mutants.

``--baseline`` runs the same mutations against the older golden suite (the six real-catalogue
personas of ``tests/scoring/test_golden.py`` on catalogue 2026.11), for a ratio in the same run.
"""

import argparse
import copy
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assessments.catalogue import load_document, to_plain  # noqa: E402
from assessments.scoring import score  # noqa: E402


def scoring_blocks(document: dict) -> Iterator[tuple[str, Callable[[dict], dict]]]:
    """(name, getter of the ``scores`` mapping in a copy of the document) per scoring answer."""
    for s, section in enumerate(document["sections"]):
        for q, question in enumerate(section["questions"]):
            key = question["key"]

            def at(doc, s=s, q=q):
                return doc["sections"][s]["questions"][q]

            if question["type"] in {"single_choice", "multi_choice"}:
                for o, option in enumerate(question["options"]):
                    if option.get("scores"):
                        yield f"{key}.{option['key']}", lambda d, at=at, o=o: at(d)["options"][o]
            elif question["type"] == "yes_no":
                for answer in ("yes", "no"):
                    if question[answer].get("scores"):
                        yield f"{key}.{answer}", lambda d, at=at, a=answer: at(d)[a]
            elif question["type"] == "number":
                for b, band in enumerate(question["bands"]):
                    if band.get("scores"):
                        yield f"{key}.band{b}", lambda d, at=at, b=b: at(d)["bands"][b]
            elif question["type"] == "scale" and question.get("scores"):
                steps = question["max"] - question["min"] + 1
                for step in range(steps):
                    if any(points[step] for points in question["scores"].values()):
                        yield f"{key}.step{step + question['min']}", (at, step)


def mutants(document: dict) -> Iterator[tuple[str, dict]]:
    for name, getter in scoring_blocks(document):
        for label, change in (("zero", lambda p: 0), ("double", lambda p: p * 2)):
            mutant = copy.deepcopy(document)
            if isinstance(getter, tuple):  # a scale step: one number per dimension list
                at, step = getter
                for points in at(mutant)["scores"].values():
                    points[step] = change(points[step])
            else:
                block = getter(mutant)
                block["scores"] = {dim: change(p) for dim, p in block["scores"].items()}
            yield f"{name}:{label}", mutant


def golden_failures(document: dict) -> list[str]:
    """The older suite's checks (levels per persona and its rankings), on ``document``."""
    from tests.scoring.test_golden import DIMENSION_ORDER, REAL_EXPECTED_LEVELS, REAL_PERSONAS

    cards = {name: score(document, answers) for name, answers in REAL_PERSONAS.items()}
    out = []
    for name, levels in REAL_EXPECTED_LEVELS.items():
        if cards[name].levels != dict(zip(DIMENSION_ORDER, levels, strict=True)):
            out.append(f"{name} levels")

    def by(dimension):
        return max(cards, key=lambda name: cards[name].dimension(dimension).score)

    readiness = sorted(cards, key=lambda name: -cards[name].readiness)
    checks = [
        readiness[0] == "careful",
        cards["careful"].readiness > cards["machine_builder"].readiness + 30,
        by("gdpr") == "craft",
        by("ai_act") == "machine_builder",
        by("continuity") == "retailer",
        by("lock_in") == "retailer",
        by("governance") == "craft",
    ]
    out += [f"ranking {i}" for i, ok in enumerate(checks) if not ok]
    return out


def run(document: dict, failures: Callable[[dict], list[str]]) -> tuple[int, int, list[str]]:
    assert failures(document) == [], "the suite must pass on the unmutated catalogue"
    caught = total = 0
    missed = []
    for name, mutant in mutants(document):
        total += 1
        if failures(mutant):
            caught += 1
        else:
            missed.append(name)
    return caught, total, missed


def run_split(document: dict) -> tuple[dict[str, int], int, list[str]]:
    """Mutants caught by the persona suite's judgement checks, by its point pins, by either."""
    from tests.scoring.test_personas import (
        PERSONAS,
        judgement_failures,
        pin_failures,
        variant_failures,
    )

    def checks(doc):
        cards = {name: score(doc, answers) for name, answers in PERSONAS.items()}
        return judgement_failures(cards) + variant_failures(doc), pin_failures(doc, cards)

    assert checks(document) == ([], []), "the suite must pass on the unmutated catalogue"
    caught = {"judgement": 0, "pins": 0, "either": 0}
    total = 0
    missed = []
    for name, mutant in mutants(document):
        total += 1
        judged, pinned = checks(mutant)
        caught["judgement"] += bool(judged)
        caught["pins"] += bool(pinned)
        caught["either"] += bool(judged or pinned)
        if not judged:
            missed.append(f"{name} ({'caught by a pin' if pinned else 'caught by nothing'})")
    return caught, total, missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", action="store_true", help="also run the older golden suite")
    parser.add_argument("--missed", action="store_true", help="list what no judgement catches")
    args = parser.parse_args()

    from tests.scoring.test_personas import CATALOGUE_PATH

    started = time.perf_counter()
    document = to_plain(load_document(CATALOGUE_PATH))
    caught, total, missed = run_split(document)
    print(f"persona suite on {document['version']}: {total} mutants")
    for label, key in (
        ("judgement checks (levels, rankings, first action, variants)", "judgement"),
        ("point pins (severity bands, closing a gap)", "pins"),
        ("either", "either"),
    ):
        print(f"  caught by {label}: {caught[key]}/{total} = {100 * caught[key] / total:.1f} %")
    print(f"  ({time.perf_counter() - started:.1f} s)")
    if args.missed:
        for name in missed:
            print("  not caught by a judgement check:", name)
    if args.baseline:
        started = time.perf_counter()
        old_path = ROOT / "assessments" / "catalogue" / "ki-readiness-2026.11.yaml"
        old = to_plain(load_document(old_path))
        caught, total, _ = run(old, golden_failures)
        print(
            f"golden suite on {old['version']}: {caught}/{total} mutants caught "
            f"= {100 * caught / total:.1f} % ({time.perf_counter() - started:.1f} s)"
        )


if __name__ == "__main__":
    main()
