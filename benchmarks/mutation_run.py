"""The larger mutation run: single-cell changes across every table kind of the seeds.

    .venv/bin/python benchmarks/mutation_run.py [--count N] [--seed S] [--batch-size B]

By default every amount site of the five seeds is changed once (one operator each, drawn with the fixed
seed), in batches that each get one dbt build (benchmarks/mutation_harness.py). It prints caught/total
per table kind, the changes that were uncaught although a rule read them, and those that published
something else than what is printed; it exits 1 when either list is not empty. A few minutes on two
cores; tests/test_mutations.py runs a sample of the same harness.
"""

from __future__ import annotations

import argparse
import time

from mutation_harness import INEQUALITIES, find_sites, plan_mutants, report_lines, run_mutants


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=None, help="mutants (default: every site once)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=160)
    args = parser.parse_args()
    start = time.perf_counter()
    sites = find_sites()
    mutants = plan_mutants(sites, args.count or len(sites), args.seed)
    outcomes = run_mutants(mutants, batch_size=args.batch_size)
    print(
        f"{len(mutants)} mutants of {len(sites)} sites (seed {args.seed}), {time.perf_counter() - start:.0f} s"
    )
    for line in report_lines(outcomes):
        print(line)
    read = [o for o in outcomes if any(c not in INEQUALITIES for c, _, _ in o.changed_checks)]
    failing = [o for o in read if any(c not in INEQUALITIES and r == "fail" for c, r, _ in o.changed_checks)]
    missed = [o for o in failing if not o.new_errors]
    print(
        f"changes an equality rule reads: {len(read)}; beyond rounding: {len(failing)}, of which errors: "
        f"{len(failing) - len(missed)}; within rounding (info by design): {len(read) - len(failing)}"
    )
    uncaught = [o for o in outcomes if not o.caught]
    for outcome in uncaught:
        m = outcome.mutant
        checks = ", ".join(sorted({f"{c} {o}" for c, o, _ in outcome.changed_checks})) or "no rule reads it"
        print(
            f"  uncaught: {m.site.seed[:3]} line {m.site.line} {m.site.table_kind}: {m.site.raw} -> {m.new_raw} ({checks})"
        )
    unfaithful = [o for o in uncaught if not o.faithful]
    return 1 if missed or unfaithful else 0


if __name__ == "__main__":
    raise SystemExit(main())
