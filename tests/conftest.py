"""Shared fixtures: the dbt manifest, the CLI in a subprocess, and one refresh of the five seeds.

The end-to-end refreshes run `python -m orchestration.cli` in a child process, as a user would run
`cnbudget`, with the CNBUDGET_* and DAGSTER_HOME variables removed so that nothing can fall back to
the repository's own sources/ and warehouse/ folders.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO / "sources"
REPO_WAREHOUSE_DIR = REPO / "warehouse"
MINI_SOURCES_DIR = REPO / "tests" / "fixtures" / "mini_sources"
# A file that is not text at all, among the documents: it must be reported, not stop the run.
GARBAGE_NAME = "999_garbage.txt"
GARBAGE_BYTES = bytes(range(256)) * 64
# Every kind of file the product cannot read, by name -> the reason it must give (the end of the
# reader's message): each is one error naming it, and the other documents publish.
UNREADABLE_REASONS = {
    "995_archive.zip": "a ZIP archive, not a document: unpack it and put its files in the sources folder",
    "996_notes.abc": "unknown file type .abc",
    "997_corrupt.xlsx": "a damaged ZIP container (Office file or archive): File is not a zip file",
    "998_empty.pdf": "the file is empty",
    GARBAGE_NAME: "the file is binary, not text",
}
CLI_TIMEOUT_SECONDS = 900
_ENV_TO_DROP = (
    "CNBUDGET_SOURCES_DIR",
    "CNBUDGET_WAREHOUSE_DIR",
    "CNBUDGET_RELEASE_TARGET",
    "CNBUDGET_DUCKDB_PATH",
    "DAGSTER_HOME",
)


def folder_state(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (size, mtime_ns) of everything under the folder (empty when it does not exist)."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
    }


def repo_outputs_state() -> dict[str, dict[str, tuple[int, int]]]:
    """The repository's own sources/ and warehouse/, which a refresh on other folders must not touch."""
    return {"sources": folder_state(SEEDS_DIR), "warehouse": folder_state(REPO_WAREHOUSE_DIR)}


def clean_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _ENV_TO_DROP}
    env["DAGSTER_DISABLE_TELEMETRY"] = "1"
    return env


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """`cnbudget <args>` in a child process, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        cwd=cwd,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The dbt manifest the asset graph is built from (`make` prepares it; prepared here if missing)."""
    from orchestration.assets.dbt import dbt_project
    from orchestration.dbt_manifest import prepare_manifest

    path = dbt_project().manifest_path
    return path if path.exists() else prepare_manifest()


def unreadable_documents() -> dict[str, bytes]:
    """The files of UNREADABLE_REASONS: an archive holding a seed (a real document, but packed), a file of
    an unknown type, a real workbook cut in half, an empty file named .pdf, and binary garbage."""
    import openpyxl

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("001_c9601cb349fb6821.txt", (SEEDS_DIR / "001_c9601cb349fb6821.txt").read_bytes())
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "收入决算表"
    sheet.append(["项目", "合计"])
    sheet.append(["一般公共预算财政拨款收入", 450.05])
    whole = io.BytesIO()
    workbook.save(whole)
    files = {
        "995_archive.zip": archive.getvalue(),
        "996_notes.abc": "项目 合计 450.05\n".encode(),
        "997_corrupt.xlsx": whole.getvalue()[: len(whole.getvalue()) // 2],
        "998_empty.pdf": b"",
        GARBAGE_NAME: GARBAGE_BYTES,
    }
    assert set(files) == set(UNREADABLE_REASONS)
    return files


@dataclass
class Refresh:
    sources: Path
    warehouse: Path
    result: subprocess.CompletedProcess
    repo_before: dict
    repo_after: dict
    latest: str | None  # the release LATEST named right after this refresh

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse / "cnbudget.duckdb"

    @property
    def releases(self) -> Path:
        return self.warehouse / "releases"


def refresh(sources: Path, warehouse: Path) -> Refresh:
    before = repo_outputs_state()
    result = run_cli("refresh", "--sources", str(sources), "--warehouse", str(warehouse))
    pointer = warehouse / "releases" / "LATEST"
    latest = pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None
    return Refresh(sources, warehouse, result, before, repo_outputs_state(), latest)


@pytest.fixture(scope="session")
def seeds_refresh(tmp_path_factory, dbt_manifest) -> Refresh:
    """One refresh of the five seed documents plus files no reader can use (`unreadable_documents`),
    copied to a temporary folder."""
    root = tmp_path_factory.mktemp("seeds_e2e")
    sources = root / "sources"
    shutil.copytree(SEEDS_DIR, sources)
    for path in sources.iterdir():
        path.chmod(0o644)
    for name, data in unreadable_documents().items():
        (sources / name).write_bytes(data)
    return refresh(sources, root / "warehouse")
