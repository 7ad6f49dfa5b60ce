"""Plant one changed amount into a seed document and see whether cnbudget notices.

Every printed amount of the seeds the extraction reads (financial cells, performance funding lines, the
task lines of self-evaluations) is a *site*; a *mutant* is a seed with exactly one site changed — a digit
replaced, two adjacent digits swapped, or the amount printed ten times larger — each in a document of its
own. Mutants are built in batches: the batch's documents are extracted by the pipeline
(`extract_sources`), written to a DuckDB as `raw.*` (`write_raw`), and the project's own dbt models turn
them into `dq_issue` and the published facts, so the rules measured are the ones that run in production,
not a re-implementation. The Dagster run around those steps adds nothing to what is measured and is left
out.

A mutant is *caught* when its document has an error-level finding the clean seed does not have, or when
the changed value is not published (its cell quarantined, its table held back). Otherwise it is
*faithful* when the facts it publishes differ from the clean seed's only by the changed cell, printed as
it is printed; a mutant neither caught nor faithful published something else than what is printed (a
value moved to another column, a fact lost).

Deterministic: the same seed (random.Random) picks the same sites and changes. Used by
tests/test_mutations.py (a small sample) and benchmarks/mutation_run.py (the larger run).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.extract.metadata import document_key
from orchestration.extract.numbers import parse_amount
from orchestration.extract.pipeline import extract_document, extract_sources
from orchestration.settings import DBT_PROJECT_DIR, ENV_DUCKDB_PATH
from orchestration.warehouse.load import write_raw

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "sources"
DBT_TIMEOUT_SECONDS = 1800
# What dbt builds for a batch: the findings and the published facts a mutant is judged on.
DBT_SELECT = ["+dq_issue", "+fct_source_cell", "+fct_performance_funding", "+quarantined_row"]
OPERATORS = ("digit", "swap", "scale")
# Rules a changed figure may still satisfy: a part within its whole, executed within the budget, a rate
# printed to the whole percent. Every other within-table or performance rule is an equality: a figure it
# reads cannot change beyond rounding and still pass.
INEQUALITIES = frozenset(
    {"performance_part_within_period", "performance_executed_within_budget", "performance_execution_rate"}
)
_PERIOD_ORDER = {"half_year": 0, "annual": 1, "implementation_period": 2}


@dataclass(frozen=True)
class Site:
    """One printed amount of a seed: where it is and what kind of table prints it."""

    seed: str  # file name of the seed
    line: int  # 1-based line of the seed's text
    occurrence: int  # which of the line's tokens equal to `raw` (0: the first)
    raw: str
    table_kind: str
    family: str  # financial | performance
    source: str = "cell"  # cell (financial) | funding (a funding line) | task (年度主要任务 amounts)


@dataclass(frozen=True)
class Mutant:
    site: Site
    operator: str
    new_raw: str
    name: str  # file name of the mutant document

    @property
    def document_key(self) -> str:
        return document_key(self.name)


@dataclass
class Outcome:
    mutant: Mutant
    new_errors: list[str] = field(default_factory=list)
    published: bool = False  # the changed value is among the published facts at its line
    differences: list[str] = field(default_factory=list)  # published facts other than the changed cell
    # checks whose figures (found or expected) the change moved, with their outcome and severity now
    changed_checks: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def caught(self) -> bool:
        return bool(self.new_errors) or not self.published

    @property
    def faithful(self) -> bool:
        return not self.differences


# --------------------------------------------------------------------------------------------- sites


def _tokens(line: str) -> list[str]:
    """The printed cells of a line: tab-separated (tsv), else words (pdftotext)."""
    return [t.strip() for t in (line.split("\t") if "\t" in line else line.split())]


def _kinds(extraction) -> dict[int, str]:
    return {table["table_seq"]: table["table_kind"] for table in extraction.tables}


def find_sites(seeds_dir: Path = SEEDS_DIR) -> list[Site]:
    """Every amount of every seed that the extraction reads and that is printed as a token of its line."""
    sites: list[Site] = []
    for path in sorted(seeds_dir.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        extraction = extract_document(path)
        kinds = _kinds(extraction)
        found: list[tuple] = []  # (line, order, raw, kind, family, source)
        for cell in extraction.cells:
            order = (cell["col_seq"],)
            found.append(
                (cell["line_number"], order, cell["raw_value"], cell["table_kind"], "financial", "cell")
            )
        for row in extraction.performance["performance_funding"]:
            order = (_PERIOD_ORDER.get(row["period"], 9),)
            kind = kinds[row["table_seq"]]
            found.append((row["line_number"], order, row["raw_value"], kind, "performance", "funding"))
        for row in extraction.performance["performance_evaluation"]:
            if row["row_kind"] != "task":
                continue
            amounts = [t for t in _tokens(lines[row["line_number"] - 1]) if parse_amount(t).value is not None]
            for position, raw in enumerate(amounts[:2]):  # 项目下达金额, 项目执行金额
                found.append(
                    (row["line_number"], (position,), raw, kinds[row["table_seq"]], "performance", "task")
                )
        by_line: dict[tuple[int, str], list] = defaultdict(list)
        for item in sorted(found, key=lambda f: (f[0], f[1])):
            by_line[item[0], item[2].strip()].append(item)
        for (line, raw), items in sorted(by_line.items()):
            if not raw or line < 1 or line > len(lines):
                continue
            printed = [t for t in _tokens(lines[line - 1]) if t == raw]
            for occurrence, (_, _, _, kind, family, source) in enumerate(items[: len(printed)]):
                sites.append(Site(path.name, line, occurrence, raw, kind, family, source))
    return sites


# ----------------------------------------------------------------------------------------- mutations


def _digits(raw: str) -> list[int]:
    return [i for i, ch in enumerate(raw) if ch.isdigit()]


def mutate(raw: str, operator: str, rng: random.Random) -> str:
    """The amount as the mutant prints it: always a different number, still a well-formed amount."""
    positions = _digits(raw)
    if operator == "swap":
        pairs = [(a, b) for a, b in zip(positions, positions[1:], strict=False) if raw[a] != raw[b]]
        if pairs:
            a, b = rng.choice(pairs)
            chars = list(raw)
            chars[a], chars[b] = chars[b], chars[a]
            if not (chars[positions[0]] == "0" and len(positions) > 1 and "." not in raw[: positions[1]]):
                return "".join(chars)
        operator = "digit"
    if operator == "scale":
        value = parse_amount(raw).value
        if value:
            scaled = value * 10
            decimals = len(raw.split(".")[1]) if "." in raw else 0
            text = f"{scaled:,.{decimals}f}" if "," in raw else f"{scaled:.{decimals}f}"
            return text
        operator = "digit"
    position = rng.choice(positions)
    leading = position == positions[0] and len(positions) > 1 and not raw[position + 1 :].startswith(".")
    choices = [d for d in "0123456789" if d != raw[position] and not (leading and d == "0")]
    return raw[:position] + rng.choice(choices) + raw[position + 1 :]


def plan_mutants(sites: list[Site], count: int, seed: int) -> list[Mutant]:
    """`count` mutants, sites drawn without replacement (all of them when count exceeds the sites)."""
    rng = random.Random(seed)
    chosen = sites if count >= len(sites) else rng.sample(sites, count)
    mutants = []
    for number, site in enumerate(sorted(chosen, key=lambda s: (s.seed, s.line, s.occurrence))):
        operator = rng.choice(OPERATORS)
        new_raw = mutate(site.raw, operator, rng)
        stem = Path(site.seed).stem
        mutants.append(Mutant(site, operator, new_raw, f"{stem}_m{number:04d}.txt"))
    return mutants


def _replace_token(line: str, raw: str, occurrence: int, new: str) -> str:
    separator = "\t" if "\t" in line else None
    parts = line.split("\t") if separator else re.split(r"(\s+)", line)
    seen = 0
    for index, part in enumerate(parts):
        if part.strip() == raw:
            if seen == occurrence:
                parts[index] = part.replace(raw, new, 1) if new else ""
                return "\t".join(parts) if separator else "".join(parts)
            seen += 1
    raise ValueError(f"{raw!r} (occurrence {occurrence}) not in {line!r}")


def mutant_text(mutant: Mutant, seeds_dir: Path = SEEDS_DIR) -> str:
    lines = (seeds_dir / mutant.site.seed).read_text(encoding="utf-8").split("\n")
    site = mutant.site
    lines[site.line - 1] = _replace_token(lines[site.line - 1], site.raw, site.occurrence, mutant.new_raw)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------- build


def run_dbt(duckdb_path: Path, workdir: Path) -> None:
    command = [
        sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build",
        "--select", *DBT_SELECT, "--exclude", "resource_type:test",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"),
    ]  # fmt: skip
    env = {**os.environ, ENV_DUCKDB_PATH: str(duckdb_path), "DO_NOT_TRACK": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=DBT_TIMEOUT_SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}")


def build(documents: dict[str, str], workdir: Path) -> Path:
    """Extract the documents (name -> text) and build the warehouse models they are judged on."""
    sources = workdir / "sources"
    sources.mkdir(parents=True)
    for name, text in documents.items():
        (sources / name).write_text(text, encoding="utf-8")
    duckdb_path = workdir / "mutants.duckdb"
    with duckdb.connect(str(duckdb_path)) as con:
        write_raw(con, extract_sources(sources))
    run_dbt(duckdb_path, workdir)
    return duckdb_path


# ------------------------------------------------------------------------------------------ judging

_FACTS_SQL = """
    select 'cell', source_line, coalesce(source_column, ''), raw_value from marts.fct_source_cell
    where document_key = ?
    union all
    select 'funding', source_line, flow || '/' || item_name || '/' || period, raw_value
    from marts.fct_performance_funding where document_key = ?
"""


def _facts(con, key: str) -> Counter:
    return Counter(con.execute(_FACTS_SQL, [key, key]).fetchall())


def _errors(con, key: str) -> set[str]:
    rows = con.execute(
        "select coalesce(cast(table_seq as varchar), '-') || ' ' || check_name || ': ' || detail "
        "from marts.dq_issue where document_key = ? and severity = 'error'",
        [key],
    ).fetchall()
    return {row[0] for row in rows}


def _task_published(con, mutant: Mutant) -> bool:
    """A task line's amounts publish with their table unless the cell is quarantined."""
    key, line = mutant.document_key, mutant.site.line
    quarantined = con.execute(
        "select count(*) from raw.quarantine where document_key = ? and line_number = ?", [key, line]
    ).fetchone()[0]
    held_back = con.execute(
        "select count(*) from intermediate.int_table_status s join raw.performance_evaluation e "
        "using (document_key, table_seq) where s.document_key = ? and e.line_number = ? and not s.is_published",
        [key, line],
    ).fetchone()[0]
    return not quarantined and not held_back


_CHECKS_SQL = """
    select table_seq, check_name, coalesce(source_row, ''), coalesce(line_number, -1), coalesce(column_label, ''),
        found, expected, outcome, severity
    from intermediate.int_reconciliation_checks where document_key = ? and rule_family <> 'cross_table'
"""


def _checks(con, key: str) -> dict[tuple, tuple]:
    """The document's within-table and performance checks: where -> (found, expected, outcome, severity)."""
    return {tuple(row[:5]): tuple(row[5:]) for row in con.execute(_CHECKS_SQL, [key]).fetchall()}


def judge(duckdb_path: Path, mutants: list[Mutant], clean: dict[str, str]) -> list[Outcome]:
    """clean: seed file name -> name of its unchanged copy in the same warehouse."""
    outcomes = []
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        reference = {
            seed: (
                _errors(con, document_key(name)),
                _facts(con, document_key(name)),
                _checks(con, document_key(name)),
            )
            for seed, name in clean.items()
        }
        for mutant in mutants:
            site, key = mutant.site, mutant.document_key
            clean_errors, clean_facts, clean_checks = reference[site.seed]
            facts = _facts(con, key)
            outcome = Outcome(mutant, new_errors=sorted(_errors(con, key) - clean_errors))
            outcome.changed_checks = sorted(
                (where[1], now[2], now[3])
                for where, now in _checks(con, key).items()
                if where in clean_checks and clean_checks[where][:2] != now[:2]
            )
            if _is_task(con, mutant):
                outcome.published = _task_published(con, mutant)
            else:
                outcome.published = any(fact[1] == site.line and fact[3] == mutant.new_raw for fact in facts)
            # facts other than the changed cell must be the clean seed's
            changed = (facts - clean_facts) + (clean_facts - facts)
            expected_changes = {
                (kind, line, column, raw)
                for kind, line, column, raw in changed
                if line == site.line and raw in (site.raw, mutant.new_raw)
            }
            outcome.differences = sorted(
                f"{kind} line {line} {column}: {raw}" for kind, line, column, raw in changed
                if (kind, line, column, raw) not in expected_changes
            )  # fmt: skip
            outcomes.append(outcome)
    return outcomes


def _is_task(con, mutant: Mutant) -> bool:
    return bool(
        con.execute(
            "select count(*) from raw.performance_evaluation where document_key = ? and line_number = ? "
            "and row_kind = 'task'",
            [mutant.document_key, mutant.site.line],
        ).fetchone()[0]
    )


def run_mutants(mutants: list[Mutant], batch_size: int = 100, workroot: Path | None = None) -> list[Outcome]:
    """Build and judge the mutants in batches, each batch with an unchanged copy of every seed it mutates."""
    outcomes: list[Outcome] = []
    root = Path(workroot or tempfile.mkdtemp(prefix="cnbudget_mutants_"))
    try:
        for start in range(0, len(mutants), batch_size):
            batch = mutants[start : start + batch_size]
            clean = {seed: f"{Path(seed).stem}_clean.txt" for seed in sorted({m.site.seed for m in batch})}
            documents = {name: (SEEDS_DIR / seed).read_text(encoding="utf-8") for seed, name in clean.items()}
            documents.update({m.name: mutant_text(m) for m in batch})
            duckdb_path = build(documents, root / f"batch_{start // batch_size:03d}")
            outcomes += judge(duckdb_path, batch, clean)
    finally:
        if workroot is None:  # a folder of our own: its warehouses are of no use once judged
            shutil.rmtree(root, ignore_errors=True)
    return outcomes


def summarise(outcomes: Iterable[Outcome]) -> dict[tuple[str, str], tuple[int, int]]:
    """(family, table kind) -> (caught, total)."""
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for outcome in outcomes:
        entry = totals[outcome.mutant.site.family, outcome.mutant.site.table_kind]
        entry[0] += outcome.caught
        entry[1] += 1
    return {key: (caught, total) for key, (caught, total) in sorted(totals.items())}


def report_lines(outcomes: list[Outcome]) -> list[str]:
    lines = [f"{'family':<12} {'table kind':<36} caught/total"]
    for (family, kind), (caught, total) in summarise(outcomes).items():
        lines.append(f"{family:<12} {kind:<36} {caught:>4}/{total:<4}")
    for family in ("financial", "performance"):
        picked = [o for o in outcomes if o.mutant.site.family == family]
        lines.append(f"{family:<12} {'all':<36} {sum(o.caught for o in picked):>4}/{len(picked):<4}")
    unfaithful = [o for o in outcomes if not o.caught and not o.faithful]
    lines.append(f"published something else than printed, uncaught: {len(unfaithful)}")
    return lines
