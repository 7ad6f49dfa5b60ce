"""`cnbudget`: refresh the warehouse, show its status, list and compare releases.

`cnbudget refresh` runs the `refresh` job of orchestration/definitions.py in this process — the
same job, assets and resources as the UI, the schedule and the sensor — with a logger that prints
one line as each stage starts and ends, then a summary read back from the warehouse. Exit status
(EXIT_STATUSES): 0 when the pipeline completed (data-quality findings included), 1 with one line on
stderr when it could not (sources folder missing, another refresh running, a stage failed: the
previous warehouse and report are kept), 2 for bad
arguments, 3 when it completed and published but some documents of the sources folder could not be
read (each named on a line of the summary), so that a scheduler can alert on a file nobody can use.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import os
import re
import sys
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from typing import TextIO

from .settings import Settings

STAGES = {
    "source_documents": "source documents",
    "extracted_raw_tables": "extraction",
    "dbt_models": "dbt build",
    "data_quality_report": "data-quality report",
    "release": "release",
}
STAGE_ORDER = ("source documents", "extraction", "validation", "dbt build", "data-quality report", "release")
CONTRACT_FACT_PREFIX = "fct_"
# A refresh that published the readable documents but could not read some: not a failure of the run
# (1), not a clean success (0) either.
EXIT_DOCUMENTS_NOT_READ = 3
EXIT_STATUSES = (
    ("0", "completed: warehouse built, release published or unchanged (data-quality findings included)"),
    ("1", "failed: sources folder missing, warehouse locked, or a stage failed (one line on stderr)"),
    ("2", "bad arguments"),
    (
        str(EXIT_DOCUMENTS_NOT_READ),
        "completed and published, but N documents could not be read (unknown type, corrupt, "
        "encrypted, scanned, an archive...): each is named on a line of the summary, with its reason",
    ),
)


class CliError(Exception):
    """A fatal problem, said in one line."""


def _out(line: str, stream: TextIO | None = None) -> None:
    print(line, file=stream or sys.stdout, flush=True)


# --- progress: a Dagster logger that turns step events into one line per stage ---------------


def stage_of(step_key: str | None) -> str:
    if not step_key:
        return "run"
    if step_key in STAGES:
        return STAGES[step_key]
    if step_key.startswith("extracted_raw_tables."):  # plan, one step per chunk of documents, load
        return "extraction"
    from .checks import CHECK_NAME

    if step_key.endswith(CHECK_NAME) or step_key == "raw_tables_pandera":
        return "validation"
    return step_key


def _check_label(evaluation) -> str:
    return f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"


def _innermost_error(error) -> str:
    """The user's exception at the bottom of Dagster's wrapping, as `Type: message` on one line."""
    while getattr(error, "cause", None) is not None:
        error = error.cause
    message = " ".join(str(getattr(error, "message", error)).split())
    name = getattr(error, "cls_name", None)
    # Dagster's messages start with the qualified class name: keep the short one.
    message = re.sub(r"^(?:[A-Za-z_][\w]*\.)+(?=\w+: )", "", message)
    return message if not name or message.startswith(f"{name}:") else f"{name}: {message}"


def describe_failure(failure: dict) -> str:
    """One failing row of a validation check, located in its document."""
    where = [
        f"document {failure.get('source_name') or failure.get('document_key')}"
        if failure.get("document_key")
        else "",
        f"table {failure['source_table']!r}" if failure.get("source_table") else "",
        f"row {failure['source_row']!r}" if failure.get("source_row") else "",
        # where it is printed (page, sheet cell, table cell or line), else the line the row starts on
        f"at {failure['source_locator']}"
        if failure.get("source_locator")
        else (f"line {failure['line_number']}" if failure.get("line_number") else ""),
        f"column {failure['column']}" if failure.get("column") else "",
    ]
    value = f" = {failure['value']!r}" if failure.get("value") is not None else ""
    return ", ".join(part for part in where if part) + f"{value}: fails {failure.get('check')}"


# Lines that say nothing a reader can act on: skipped stages are already printed.
# Dagster's word for a step that will not run because an upstream step or blocking check failed.
_NOT_EXECUTED = "Dependencies for step"
_SYSTEM_NOISE = (
    # dagster-dbt about a dbt test on several models (no single asset to hang a check on); its
    # result still counts: a failing test fails `dbt build` and is printed below.
    "Logging an `AssetObservation` instead of an `AssetCheckResult`",
)
# What the dbt step logs when the warehouse is already up to date (orchestration/assets/dbt.py).
_NOTHING_TO_BUILD = "dbt build: nothing changed"
# Failing rows of a validation check printed under it (all are in the check's metadata in the UI).
FAILING_ROWS_SHOWN = 5


class ProgressPrinter(logging.Handler):
    """Prints stage starts/ends, dbt models built and checks that failed; remembers the first failure."""

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stdout
        self.started: dict[str, float] = {}
        self.open: set[str] = set()
        self.skipped: set[str] = set()
        self.failure: str | None = None
        self.failed_stage: str | None = None
        self.failed_checks: list[str] = []
        self.blocking_reason: str | None = None
        self.dbt_models = 0
        self.nothing_to_build = False

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        self.handle_event(
            meta.get("dagster_event"),
            meta.get("step_key"),
            str(meta.get("orig_message", "")) or record.getMessage(),
            record.levelno,
        )

    def handle_entry(self, entry) -> None:
        """An entry of the run's event log (the run's steps may run in other processes)."""
        self.handle_event(entry.dagster_event, entry.step_key, entry.user_message or "", entry.level)

    def handle_event(self, event, step_key: str | None, message: str, levelno: int) -> None:
        if event is None:
            if message.startswith(_NOT_EXECUTED):
                self._skipped(stage_of(step_key))
                return
            if message.startswith(_NOTHING_TO_BUILD):
                self.nothing_to_build = True
            if levelno >= logging.WARNING and not message.startswith(_SYSTEM_NOISE) and message.strip():
                self._print(f"    {logging.getLevelName(levelno).lower()}: {message.strip().splitlines()[0]}")
            return
        kind = event.event_type_value
        stage = stage_of(event.step_key)
        if kind == "STEP_START":
            self._start(stage)
        elif kind == "STEP_SUCCESS" and stage == "extraction" and "[" in (event.step_key or ""):
            self._print(f"    extracted {event.step_key.split('[', 1)[1].rstrip(']')}")
        elif (
            kind == "STEP_SUCCESS"
            and stage == "extraction"
            and not event.step_key.endswith("load_raw_tables")
        ):
            pass  # the extraction ends when its rows are loaded
        elif kind == "STEP_SUCCESS" and stage != "validation":
            self._finish(stage)
        elif kind == "STEP_FAILURE":
            reason = self.blocking_reason if stage == "validation" and self.blocking_reason else None
            reason = reason or _innermost_error(event.event_specific_data.error)
            self.failure = self.failure or f"{stage} failed: {reason}"
            self.failed_stage = self.failed_stage or stage
            self.open.discard(stage)
            # dbt's reason is a page long: its failing lines are printed below, one by one.
            shown = "dbt reported errors" if stage == "dbt build" else reason
            self._print(f"[{self._position(stage)}] {stage}: FAILED after {self._elapsed(stage)}: {shown}")
        elif kind == "STEP_SKIPPED":
            self._skipped(stage)
        elif kind == "ASSET_MATERIALIZATION" and stage == "dbt build":
            self.dbt_models += 1
            key = event.event_specific_data.materialization.asset_key.to_user_string()
            self._print(f"    built {key}")
        elif kind == "ASSET_CHECK_EVALUATION":
            self._check(event.event_specific_data, stage)

    def _skipped(self, stage: str) -> None:
        if stage not in self.skipped:
            self.skipped.add(stage)
            why = (
                "nothing changed since the last build"
                if self.nothing_to_build
                else "an earlier stage failed or a check blocked it"
            )
            self._print(f"[{self._position(stage)}] {stage}: skipped ({why})")

    def _print(self, line: str) -> None:
        _out(line, self.stream)

    def _start(self, stage: str) -> None:
        """Announce a stage at its first step; a stage of several steps (validation) ends when the next starts."""
        if stage in self.started:
            return
        for previous in sorted(self.open):
            self._finish(previous)
        self.started[stage] = time.monotonic()
        self.open.add(stage)
        self._print(f"[{self._position(stage)}] {stage}: started")

    def _finish(self, stage: str) -> None:
        if stage in self.open:
            self.open.discard(stage)
            self._print(f"[{self._position(stage)}] {stage}: done in {self._elapsed(stage)}")

    def close_open_stages(self) -> None:
        for stage in sorted(self.open):
            self._finish(stage)

    def _check(self, evaluation, stage: str) -> None:
        label = _check_label(evaluation)
        if stage == "validation":
            verdict = "passed" if evaluation.passed else f"FAILED ({evaluation.severity.value.lower()})"
            counts = {
                k: v.value for k, v in evaluation.metadata.items() if k in ("rows", "errors", "warnings")
            }
            detail = ", ".join(f"{k} {v}" for k, v in counts.items())
            self._print(f"    validation {label}: {verdict}" + (f" — {detail}" if detail else ""))
            failing = evaluation.metadata.get("failing_rows")
            rows = failing.value if failing is not None else []
            for failure in rows[:FAILING_ROWS_SHOWN]:
                self._print(f"      {failure.get('severity', 'error')}: {describe_failure(failure)}")
            if len(rows) > FAILING_ROWS_SHOWN:
                self._print(
                    f"      ... {len(rows) - FAILING_ROWS_SHOWN} more in the check's metadata (make ui)"
                )
            errors = counts.get("errors", 0)
            if errors and self.blocking_reason is None and rows:
                self.blocking_reason = f"{label} rejected {errors} row(s) of the extracted tables, e.g. {describe_failure(rows[0])}"
        elif not evaluation.passed:
            self._print(f"    dbt test {label}: FAILED ({evaluation.severity.value.lower()})")
        if not evaluation.passed:
            self.failed_checks.append(f"{label} ({evaluation.severity.value.lower()})")

    def _elapsed(self, stage: str) -> str:
        start = self.started.get(stage)
        return f"{time.monotonic() - start:.1f}s" if start is not None else "?"

    @staticmethod
    def _position(stage: str) -> str:
        if stage in STAGE_ORDER:
            return f"{STAGE_ORDER.index(stage) + 1}/{len(STAGE_ORDER)}"
        return "-"


def progress_logger_def(printer: ProgressPrinter):
    import dagster as dg

    @dg.logger(description="cnbudget refresh: one line per stage on stdout.")
    def cnbudget_progress(_init_context):
        logger = logging.Logger("cnbudget.progress", level=logging.DEBUG)
        logger.addHandler(printer)
        return logger

    return cnbudget_progress


# --- refresh ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _refresh_lock(settings: Settings):
    """Hold the warehouse's refresh lock for the whole command; refuse at once when another refresh
    (or a writer holding the DuckDB file) is at work, in one line."""
    from .resources import WarehouseLockedError, ensure_no_writer
    from .warehouse.refresh_lock import RefreshInProgress, refresh_lock

    try:
        with refresh_lock(settings.warehouse_dir):
            ensure_no_writer(settings.duckdb_path)
            yield
    except (RefreshInProgress, WarehouseLockedError) as exc:
        raise CliError(str(exc)) from exc


def _warehouse_resource(settings: Settings):
    from .resources import WarehouseResource

    return WarehouseResource(
        sources_dir=str(settings.sources_dir),
        warehouse_dir=str(settings.warehouse_dir),
        release_target=settings.release_target,
    )


def _ensure_manifest() -> None:
    """`make` prepares the manifest; a bare `cnbudget refresh` after a dbt change re-parses it once."""
    from .dbt_manifest import manifest_is_stale, prepare_manifest

    if manifest_is_stale():
        _out("dbt manifest missing or older than the dbt project: preparing it (dbt parse)")
        prepare_manifest()


@contextlib.contextmanager
def _instance(in_process: bool = False):
    """The instance named by DAGSTER_HOME (runs then show in the UI); else, for a run in this process,
    an in-memory one; else a throwaway one on disk (the multiprocess executor's steps need an instance
    they can all reach).

    Every event of a run is written to the instance: some 1,500 for a dbt build of 450 nodes (each
    test's check evaluation, each planned asset). Dagster's SQLite event log on disk opens a connection
    per event and took 12.5 s of a 55 s refresh after one changed document of 10,000; the in-memory
    one keeps its connection and took 4.2 s.
    """
    import tempfile

    import dagster as dg

    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
        return
    if in_process:
        # Ephemeral instances never send telemetry (SettingsMethods.telemetry_enabled).
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance
        return
    # Its event log is SQLite, written once per event by every step process (thousands per run) and
    # thrown away after the run: on a memory file system a commit costs no disk sync.
    shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="cnbudget-dagster-", dir=shm) as folder:
        with dg.DagsterInstance.local_temp(
            tempdir=folder, overrides={"telemetry": {"enabled": False}}
        ) as instance:
            yield instance


@contextlib.contextmanager
def _captured_fd_stdout(active: bool) -> Iterator[tuple[TextIO, list[str]]]:
    """Step processes write to file descriptors 1 and 2 (dbt's log lines, Dagster's step-process notices):
    when `active`, both go to a temporary file, read back into the list on exit, and the progress lines
    go to the terminal's stdout."""
    import tempfile

    if not active:
        yield sys.stdout, []
        return
    sys.stdout.flush()
    sys.stderr.flush()
    saved, saved_err = os.dup(1), os.dup(2)
    captured: list[str] = []
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        original = sys.stdout
        try:
            writes_to_fd1 = original.fileno() == 1
        except (AttributeError, OSError, io.UnsupportedOperation):
            writes_to_fd1 = False
        # The progress lines go where stdout went: the saved descriptor, or the object that stood for
        # stdout (a test's capture) when it was not descriptor 1.
        terminal = os.fdopen(os.dup(saved), "w", buffering=1, encoding="utf-8") if writes_to_fd1 else original
        try:
            with contextlib.redirect_stdout(io.StringIO()) as inner:
                yield terminal, captured
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved, 1)
            os.dup2(saved_err, 2)
            os.close(saved)
            os.close(saved_err)
            if terminal is not original:
                terminal.close()
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", errors="replace"))
            captured.append(inner.getvalue())


class _RunFollower(threading.Thread):
    """Feeds the run's event log to the printer while the run executes, whichever process wrote it."""

    def __init__(self, instance, tag: tuple[str, str], printer: ProgressPrinter) -> None:
        super().__init__(daemon=True)
        self.instance, self.tag, self.printer = instance, tag, printer
        self.done = threading.Event()
        self.cursor: str | None = None
        self.run_id: str | None = None

    def poll(self) -> None:
        import dagster as dg

        if self.run_id is None:
            records = self.instance.get_run_records(dg.RunsFilter(tags=dict([self.tag])), limit=1)
            if not records:
                return
            self.run_id = records[0].dagster_run.run_id
        while True:
            connection = self.instance.get_records_for_run(self.run_id, cursor=self.cursor, limit=1000)
            for record in connection.records:
                self.printer.handle_entry(record.event_log_entry)
            self.cursor = connection.cursor
            if not connection.has_more:
                return

    def run(self) -> None:
        while not self.done.wait(0.25):
            self.poll()


# `CNBUDGET_EXECUTOR=in_process`: every step in this process, one after the other (debugging, and tests
# that replace a function of the extraction in this process); `multiprocess`: always the Definitions'
# executor. Unset: chosen by the size of the work (`choose_executor`).
ENV_EXECUTOR = "CNBUDGET_EXECUTOR"
IN_PROCESS, MULTIPROCESS = "in_process", "multiprocess"


def choose_executor(documents_to_extract: int | None) -> str:
    """In process when the documents to extract or remove fit in one extraction step (MIN_CHUNK), else
    the multiprocess executor.

    One step's worth of documents gains nothing from a second core, while the multiprocess executor
    costs seconds before any work: a forkserver that imports Dagster, dbt and the definitions again
    (4.5 s measured), and a forked process per step. On the 10,000-document corpus a refresh after one
    changed document took 103 s under the multiprocess executor and 78 s in process. `None` (the plan
    is unknown: no warehouse yet, an unreadable sources folder) keeps the multiprocess executor.
    """
    from .extract.incremental import MIN_CHUNK

    forced = os.environ.get(ENV_EXECUTOR)
    if forced in (IN_PROCESS, MULTIPROCESS):
        return forced
    if documents_to_extract is not None and documents_to_extract <= MIN_CHUNK:
        return IN_PROCESS
    return MULTIPROCESS


def _run_refresh_in_process(settings: Settings, verbose: bool) -> tuple[object, ProgressPrinter, str]:
    from .jobs import resolved_refresh_job

    printer = ProgressPrinter(sys.stdout)
    job = resolved_refresh_job().with_logger_defs({"cnbudget_progress": progress_logger_def(printer)})
    run_config = {
        "resources": {"warehouse": {"config": _warehouse_resource(settings).model_dump()}},
        "loggers": {"cnbudget_progress": {}},
    }
    tool_output = io.StringIO()
    with (
        _instance(in_process=True) as instance,
        contextlib.redirect_stdout(sys.stdout if verbose else tool_output),
    ):
        result = job.execute_in_process(run_config=run_config, instance=instance, raise_on_error=False)
    printer.close_open_stages()
    return result, printer, tool_output.getvalue()


def run_refresh(
    settings: Settings, verbose: bool = False, executor: str | None = None
) -> tuple[object, ProgressPrinter, str]:
    """Execute the `refresh` job (multiprocess executor: extraction on every core, unless `executor`, or
    CNBUDGET_EXECUTOR, says `in_process`); return Dagster's result, what the printer saw and the output
    of the tools it ran (dbt's log lines), which is shown only with --verbose or on failure."""
    import uuid

    import dagster as dg

    from .jobs import resolved_refresh_job

    if (executor or choose_executor(None)) == IN_PROCESS:
        return _run_refresh_in_process(settings, verbose)
    resource = _warehouse_resource(settings)
    run_config = {
        "resources": {"warehouse": {"config": resource.model_dump()}},
        # Dagster's own console logger in every step process would print each event: the printer says it.
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    tag = ("cnbudget/cli_refresh", uuid.uuid4().hex)
    with _instance() as instance, _captured_fd_stdout(not verbose) as (terminal, captured):
        printer = ProgressPrinter(terminal)
        follower = _RunFollower(instance, tag, printer)
        follower.start()
        try:
            result = dg.execute_job(
                dg.reconstructable(resolved_refresh_job),
                instance=instance,
                run_config=run_config,
                tags=dict([tag]),
                raise_on_error=False,
            )
        finally:
            follower.done.set()
            follower.join()
            follower.poll()
        printer.close_open_stages()
    return result, printer, "".join(captured)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DBT_DONE = re.compile(r"Done\. (PASS=\d+ WARN=\d+ ERROR=\d+ SKIP=\d+)")
_DBT_FAILURE = re.compile(r"^\s*((?:Failure|Database Error|Compilation Error|Runtime Error) in .*)$")
_DBT_LOG = re.compile(r"view the dbt debug log: (\S+?)\.?\s")


def dbt_error_lines(tool_output: str, limit: int = 15) -> list[str]:
    """dbt's own lines about what failed (errors, failing tests), for a failed refresh."""
    markers = ("ERROR", "Error", "FAIL", "Failure", "Compilation", "Runtime Error")
    lines = [_ANSI.sub("", line).rstrip() for line in tool_output.splitlines()]
    return [line for line in lines if any(m in line for m in markers)][:limit]


def dbt_failure_summary(tool_output: str, reason: str) -> str:
    """`dbt build failed (PASS=… ERROR=…): Failure in test … (file); dbt log: …` on one line."""
    lines = [_ANSI.sub("", line).strip() for line in tool_output.splitlines()]
    done = next((m.group(1) for line in lines if (m := _DBT_DONE.search(line))), None)
    failures = [m.group(1) for line in lines if (m := _DBT_FAILURE.match(line))]
    log = _DBT_LOG.search(reason + " ")
    parts = [f"dbt build failed ({done})" if done else "dbt build failed"]
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        parts.append(f"{failures[0]}{more}")
    elif not done:
        parts.append(_ANSI.sub("", reason))
    if log:
        parts.append(f"dbt log: {log.group(1)}")
    return "; ".join(parts)


def materialization_metadata(result, asset_key) -> dict[str, object] | None:
    """The metadata an asset recorded in this run, or None when it did not materialize."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if materialization.asset_key == asset_key:
            return {key: value.value for key, value in materialization.metadata.items()}
    return None


def _unchanged_after_failure(settings: Settings) -> None:
    """A failed run's build is discarded: say that what the user had is still there."""
    if settings.duckdb_path.exists():
        _out(f"    the warehouse {settings.duckdb_path} and its data-quality report are unchanged")


def _not_fact_tables() -> tuple[str, ...]:
    """fct_source_cell lists the cells behind published facts: provenance, not facts of its own."""
    from .validation.report import NOT_FACT_TABLES

    return NOT_FACT_TABLES


def warehouse_summary(con) -> dict[str, object]:
    """Documents, recognised tables, facts per table and issues by severity, read from the warehouse."""
    tables = {
        (schema, name)
        for schema, name in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
        ).fetchall()
    }

    def count(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    summary: dict[str, object] = {}
    if ("raw", "documents") in tables:
        from .validation.report import not_read_line

        summary["documents"] = count("SELECT count(*) FROM raw.documents")
        summary["documents_unreadable"] = count("SELECT count(*) FROM raw.documents WHERE status <> 'read'")
        summary["documents_not_read"] = [
            not_read_line(*row)
            for row in con.execute(
                "SELECT source_name, status, error FROM raw.documents WHERE status <> 'read' ORDER BY source_name"
            ).fetchall()
        ]
    if ("raw", "tables") in tables:
        summary["tables"] = count("SELECT count(*) FROM raw.tables")
        summary["tables_recognised"] = count("SELECT count(*) FROM raw.tables WHERE status = 'recognised'")
    facts = {
        name: count(f'SELECT count(*) FROM marts."{name}"')
        for schema, name in sorted(tables)
        if schema == "marts" and name.startswith(CONTRACT_FACT_PREFIX) and name not in _not_fact_tables()
    }
    summary["facts"] = facts
    if ("marts", "quarantined_row") in tables:
        summary["quarantined"] = count("SELECT count(*) FROM marts.quarantined_row")
    issues_table = "marts.dq_issue" if ("marts", "dq_issue") in tables else "raw.dq_issue"
    if ("marts", "dq_issue") in tables or ("raw", "dq_issue") in tables:
        summary["issues"] = dict(
            con.execute(f"SELECT severity, count(*) FROM {issues_table} GROUP BY ALL ORDER BY ALL").fetchall()
        )
    return summary


def format_summary(
    summary: dict[str, object],
    release: dict[str, object] | None,
    failed_checks,
    report: dict[str, object] | None = None,
) -> list[str]:
    lines = ["", "summary"]
    if "documents" in summary:
        unreadable = summary.get("documents_unreadable", 0)
        lines.append(f"  documents read:     {summary['documents'] - unreadable} of {summary['documents']}")
        if unreadable:
            lines.append(
                f"  not read:           {unreadable} (the others are published; "
                f"exit status {EXIT_DOCUMENTS_NOT_READ})"
            )
            from .validation.report import SUMMARY_DOCUMENTS

            not_read = summary.get("documents_not_read", [])
            lines += [f"    {line}" for line in not_read[:SUMMARY_DOCUMENTS]]
            if len(not_read) > SUMMARY_DOCUMENTS:
                lines.append(f"    … and {len(not_read) - SUMMARY_DOCUMENTS} more (all in the report)")
    if "tables" in summary:
        lines.append(f"  tables recognised:  {summary['tables_recognised']} of {summary['tables']} found")
    facts = summary.get("facts", {})
    lines.append(f"  facts:              {sum(facts.values())}")
    lines += [f"    {name}: {rows}" for name, rows in facts.items()]
    if "quarantined" in summary:
        lines.append(f"  quarantined cells:  {summary['quarantined']}")
    issues = summary.get("issues", {})
    by_severity = ", ".join(f"{issues.get(s, 0)} {s}" for s in ("error", "warning", "info"))
    lines.append(f"  data issues:        {by_severity}")
    if report:
        # The report's first line repeats the counts above; the next ones name the documents with errors
        # (those not read are listed above already).
        not_read = {line.strip() for line in summary.get("documents_not_read", [])}
        lines += [
            f"  {line}" for line in list(report.get("summary") or [])[1:] if line.strip() not in not_read
        ]
        lines.append(f"  report:             {report.get('path')}")
    if failed_checks:
        lines.append(f"  checks not passed:  {len(failed_checks)}")
        lines += [f"    {label}" for label in failed_checks]
    if release is None:
        lines.append("  release:            none")
    elif release.get("unchanged"):
        lines.append(f"  release:            unchanged ({release.get('version')})")
    else:
        lines.append(f"  release:            {release.get('version')} published at {release.get('path')}")
    return lines


def refresh_scope(settings: Settings) -> tuple[bool, int | None]:
    """(current, pending). `current`: the warehouse already holds exactly the sources folder and dbt,
    the report and the release were made from it (every document's input version matches its raw files
    and what DuckDB loaded, and the build fingerprint is the one the last build, report and release
    recorded). `pending`: how many documents a refresh would extract or remove; None when that is not
    known (no warehouse yet, sources that cannot be planned, raw files and DuckDB disagreeing)."""
    from .dbt_manifest import manifest_path
    from .extract.incremental import plan_extraction
    from .warehouse.build_state import up_to_date
    from .warehouse.load import loaded_versions
    from .warehouse.raw_files import RawStore

    if not settings.duckdb_path.is_file():
        return False, None
    store = RawStore(settings.raw_root)
    markers = store.markers()
    try:
        plan = plan_extraction(settings.sources_dir, store, markers)
    except Exception:  # a broken manifest, an unreadable folder: the run's stages say what is wrong
        return False, None
    pending = len(plan.to_extract) + len(plan.to_remove)
    if pending:
        return False, pending
    import duckdb

    try:
        con = duckdb.connect(str(settings.duckdb_path), read_only=True)
    except duckdb.Error:  # locked, or not a warehouse: the ordinary path says what is wrong
        return False, None
    with con:
        if loaded_versions(con) != {key: marker["input_version"] for key, marker in markers.items()}:
            return False, None
        current, _ = up_to_date(con, manifest_path(), settings.warehouse_dir)
    return current, 0


def _print_unchanged(settings: Settings, started: float) -> int:
    from .publish.history import latest_release

    latest = latest_release(settings.release_target)
    _out("nothing changed since the last refresh: no extraction, no dbt build, no new release")
    import duckdb

    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        summary = warehouse_summary(con)
    release = {"unchanged": True, "version": latest.version} if latest is not None else None
    for line in format_summary(summary, release, []):
        _out(line)
    _out(f"  report:             {settings.report_path}")
    _out(f"refresh completed in {time.monotonic() - started:.1f}s")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    settings = Settings.from_env(args.sources, args.warehouse)
    if not settings.sources_dir.is_dir():
        raise CliError(f"sources folder not found: {settings.sources_dir}")
    with _refresh_lock(settings):
        return _refresh_locked(settings, args)


def _refresh_locked(settings: Settings, args: argparse.Namespace) -> int:
    started = time.monotonic()
    from .dbt_manifest import manifest_is_stale

    stale = manifest_is_stale()
    current, pending = refresh_scope(settings)
    if not stale and current:
        _out(f"refresh: {settings.sources_dir} -> {settings.duckdb_path}")
        return _print_unchanged(settings, started)
    _ensure_manifest()
    _out(f"refresh: {settings.sources_dir} -> {settings.duckdb_path}")
    result, printer, tool_output = run_refresh(
        settings, verbose=args.verbose, executor=choose_executor(pending)
    )
    if not result.success:
        _unchanged_after_failure(settings)
        if printer.failed_stage == "dbt build":
            if not args.verbose:
                for line in dbt_error_lines(tool_output):
                    _out(f"    dbt: {line}")
            raise CliError(dbt_failure_summary(tool_output, printer.failure or ""))
        raise CliError(printer.failure or "the refresh run failed (see the lines above)")
    with _warehouse_resource(settings).connect(read_only=True) as con:
        summary = warehouse_summary(con)
    from .assets.release import RELEASE_ASSET_KEY
    from .assets.report import REPORT_ASSET_KEY

    release = materialization_metadata(result, RELEASE_ASSET_KEY)
    report = materialization_metadata(result, REPORT_ASSET_KEY)
    if release is None and printer.nothing_to_build:
        from .publish.history import latest_release

        latest = latest_release(settings.release_target)
        release = {"unchanged": True, "version": latest.version} if latest is not None else None
    for line in format_summary(summary, release, printer.failed_checks, report):
        _out(line)
    _out(f"refresh completed in {time.monotonic() - started:.1f}s")
    if summary.get("documents_unreadable"):
        return EXIT_DOCUMENTS_NOT_READ
    return 0


# --- status, releases, diff -------------------------------------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    from .publish.history import latest_release

    settings = Settings.from_env(None, args.warehouse)
    latest = latest_release(settings.release_target)
    _out(f"warehouse: {settings.duckdb_path}")
    if latest is None:
        _out(f"latest release: none in {settings.release_target}")
    else:
        _out(
            f"latest release: {latest.version} ({latest.total_rows} rows, created {latest.created}) at {latest.path}"
        )
    if not settings.duckdb_path.exists():
        raise CliError(f"no warehouse at {settings.duckdb_path}: run `cnbudget refresh` first")
    with _warehouse_resource(settings).connect(read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'marts') ORDER BY table_schema, table_name"
        ).fetchall()
        _out("row counts:")
        for schema, name in rows:
            count = con.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
            _out(f"  {schema}.{name}: {count}")
    return 0


def cmd_releases(args: argparse.Namespace) -> int:
    from .publish.history import list_releases

    settings = Settings.from_env(None, args.warehouse)
    releases = list_releases(settings.release_target)
    if not releases:
        _out(f"no release in {settings.release_target}")
        return 0
    for release in releases:
        version = getattr(release, "version", release)
        created = getattr(release, "created", None)
        rows = getattr(release, "total_rows", None)
        latest = "  (LATEST)" if getattr(release, "is_latest", False) else ""
        details = ", ".join(str(x) for x in (created, f"{rows} rows" if rows is not None else None) if x)
        _out(f"{version}" + (f"  {details}" if details else "") + latest)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from .publish.history import diff_releases

    settings = Settings.from_env(None, args.warehouse)
    diff = diff_releases(settings.release_target, args.a, args.b)
    _out(diff.format() if hasattr(diff, "format") else str(diff))
    return 0


# --- entry point --------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnbudget",
        description="Chinese budget disclosures -> a validated DuckDB warehouse and versioned Parquet releases.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    refresh = commands.add_parser(
        "refresh",
        help="run the whole pipeline: extract, validate, dbt build, release",
        description="Run the whole pipeline: extract, validate, dbt build, data-quality report, release.",
        epilog="exit status:\n"
        + "\n".join(
            textwrap.fill(meaning, 78, initial_indent=f"  {code}  ", subsequent_indent=" " * 5)
            for code, meaning in EXIT_STATUSES
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    refresh.add_argument(
        "--sources",
        metavar="DIR",
        help="folder of source documents (default: $CNBUDGET_SOURCES_DIR, else sources/)",
    )
    refresh.add_argument(
        "--warehouse", metavar="DIR", help="output folder (default: $CNBUDGET_WAREHOUSE_DIR, else warehouse/)"
    )
    refresh.add_argument("-v", "--verbose", action="store_true", help="also show dbt's own log lines")
    refresh.set_defaults(handler=cmd_refresh)

    status = commands.add_parser("status", help="the latest release and the warehouse's row counts")
    status.add_argument("--warehouse", metavar="DIR", help="output folder (default: warehouse/)")
    status.set_defaults(handler=cmd_status)

    releases = commands.add_parser("releases", help="list the published releases")
    releases.add_argument("--warehouse", metavar="DIR", help="output folder (default: warehouse/)")
    releases.set_defaults(handler=cmd_releases)

    diff = commands.add_parser("diff", help="what changed between two releases")
    diff.add_argument("a", metavar="A", help="older release version, e.g. 2025.01.31")
    diff.add_argument("b", metavar="B", help="newer release version")
    diff.add_argument("--warehouse", metavar="DIR", help="output folder (default: warehouse/)")
    diff.set_defaults(handler=cmd_diff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:  # `cnbudget diff A B | head`: the reader has seen enough
        sys.stdout = open(os.devnull, "w")  # open until exit, as stdout was
        return 0
    except CliError as exc:
        print(f"cnbudget {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a fatal error in our own code: one line, not a traceback
        from .resources import WarehouseLockedError

        if isinstance(exc, WarehouseLockedError | FileNotFoundError):
            print(f"cnbudget {args.command}: error: {exc}", file=sys.stderr)
        else:
            print(f"cnbudget {args.command}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("CNBUDGET_DEBUG"):
            raise
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
