"""`cnbudget.duckdb` of a release: views over the release's Parquet files that still work once moved.

DuckDB resolves a relative file path against the process's working directory (or `file_search_path`),
not against the database file, so a plain `read_parquet('fct_x.parquet')` view breaks as soon as the
folder is opened from elsewhere. The views therefore call the stored macro `cnbudget_release_file(name)`,
which finds the folder in this order:

1. `SET VARIABLE cnbudget_release_dir = '/path/to/release'` when the session sets it;
2. a non-empty `file_search_path` (then the bare file name is resolved by DuckDB against it);
3. the folder of the main database file, read from DuckDB's default `temp_directory`
   (`<database file>.tmp`): this is what makes `duckdb /anywhere/2024.05.01/cnbudget.duckdb` work
   from any working directory after the folder was downloaded or moved;
4. otherwise the bare name (resolved against the working directory).

Limitation: case 3 needs the release database to be the session's main database with the default
`temp_directory`. When it is ATTACHed to another session (or `temp_directory` is set), set the variable
or `file_search_path` first (`connect_release` does this). Open the file read-only: a release is never
modified.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

import duckdb

DATABASE_NAME = "cnbudget.duckdb"
FOLDER_VARIABLE = "cnbudget_release_dir"
# Files written by DuckDB 2.x stay readable by DuckDB >= 1.1 (the first with getvariable()).
STORAGE_COMPATIBILITY = "v1.1.0"

_MACRO = f"""
create macro cnbudget_release_file(name) as
    case
        when getvariable('{FOLDER_VARIABLE}') is not null
            then rtrim(getvariable('{FOLDER_VARIABLE}'), '/') || '/' || name
        when current_setting('file_search_path') <> ''
            then name
        when ends_with(current_setting('temp_directory'), '.duckdb.tmp')
            then parse_dirpath(current_setting('temp_directory')) || '/' || name
        else name
    end
"""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def build_release_database(
    folder: Path, parquet_files: Mapping[str, str], descriptions: Mapping[str, str] | None = None
) -> Path:
    """Create `folder/cnbudget.duckdb` with one view per table (in `main` and, as an alias, in `marts`).

    `parquet_files` maps table name to file name in `folder`; the views bind against those files now,
    so a broken file fails here, not in a user's session.
    """
    path = folder / DATABASE_NAME
    descriptions = descriptions or {}
    connection = duckdb.connect(str(path), config={"storage_compatibility_version": STORAGE_COMPATIBILITY})
    try:
        connection.execute(_MACRO)
        connection.execute("create schema marts")
        for table, file_name in sorted(parquet_files.items()):
            view = _identifier(table)
            connection.execute(
                f"create view main.{view} as select * from read_parquet(cnbudget_release_file({_literal(file_name)}))"
            )
            # Queries written against the warehouse (marts.fct_...) run unchanged on a release.
            connection.execute(f"create view marts.{view} as select * from main.{view}")
            if descriptions.get(table):
                connection.execute(f"comment on view main.{view} is {_literal(descriptions[table])}")
        connection.execute("checkpoint")
    finally:
        connection.close()
    # Nothing but the database file may stay next to the Parquet files (the release folder is flat).
    shutil.rmtree(folder / f"{DATABASE_NAME}.tmp", ignore_errors=True)
    (folder / f"{DATABASE_NAME}.wal").unlink(missing_ok=True)
    return path


def connect_release(folder: str | Path) -> duckdb.DuckDBPyConnection:
    """Open a local release folder's database read-only, from any working directory."""
    folder = Path(folder).resolve()
    connection = duckdb.connect(str(folder / DATABASE_NAME), read_only=True)
    connection.execute(f"set variable {FOLDER_VARIABLE} = {_literal(folder.as_posix())}")
    return connection
