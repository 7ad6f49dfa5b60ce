"""Every file operation on a release target, through fsspec, for local folders and object stores alike.

A target is a folder (`/data/releases`, `file:///data/releases`) or any fsspec URL (`s3://bucket/releases`,
`memory://releases`). Releases are built in a local staging folder, uploaded into a temporary folder of the
target (`.tmp-<version>-<random>`) and then published by ONE rename. On a local file system that rename is
atomic, so a version folder is either absent or complete. On object stores a "rename" is a copy followed by
a delete and is not atomic: there, what makes a release visible is the `LATEST` pointer, written last, and
the completeness check of `catalog.py` (every file listed in `datapackage.json` present with its size).
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, BinaryIO

import fsspec

from ..storage import is_local
from .errors import ReleaseExists

TEMP_PREFIX = ".tmp-"
LATEST_NAME = "LATEST"


class ReleaseTarget:
    """A release target addressed by URL; names passed to methods are relative to its root."""

    def __init__(self, url: str) -> None:
        self.url = str(url)
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.root = root.rstrip("/") or "/"

    @property
    def is_local(self) -> bool:
        return is_local(self.fs)

    def path(self, *names: str) -> str:
        return "/".join([self.root.rstrip("/"), *names]) if names else self.root

    def display(self, *names: str) -> str:
        """How to show a location to a person: a plain path for local targets, a URL otherwise."""
        path = self.path(*names)
        return path if self.is_local else self.fs.unstrip_protocol(path)

    # Reading -------------------------------------------------------------------------------------------

    def entries(self) -> list[tuple[str, bool]]:
        """(name, is_folder) of everything directly in the root; empty when the root does not exist yet."""
        try:
            listing = self.fs.ls(self.root, detail=True)
        except FileNotFoundError:
            return []
        result = []
        for entry in listing:
            name = entry["name"].rstrip("/").rsplit("/", 1)[-1]
            if name:
                result.append((name, entry.get("type") == "directory"))
        return sorted(result)

    def file_sizes(self, folder: str) -> dict[str, int]:
        """Sizes of the files directly in `folder` (empty when it does not exist)."""
        try:
            listing = self.fs.ls(self.path(folder), detail=True)
        except FileNotFoundError:
            return {}
        return {
            entry["name"].rstrip("/").rsplit("/", 1)[-1]: int(entry.get("size") or 0)
            for entry in listing
            if entry.get("type") != "directory"
        }

    def exists(self, *names: str) -> bool:
        return bool(self.fs.exists(self.path(*names)))

    def read_bytes(self, *names: str) -> bytes:
        return self.fs.cat_file(self.path(*names))

    def read_text(self, *names: str) -> str:
        return self.read_bytes(*names).decode("utf-8")

    def read_json(self, *names: str) -> Any:
        return json.loads(self.read_text(*names))

    def open_binary(self, *names: str) -> BinaryIO:
        return self.fs.open(self.path(*names), "rb")

    # Writing -------------------------------------------------------------------------------------------

    def new_temp_name(self, label: str) -> str:
        """A fresh temporary name (random, which is fine: temporary names are never published)."""
        return f"{TEMP_PREFIX}{label}-{secrets.token_hex(4)}"

    def upload_folder(self, local_folder: Path, folder: str, reused: dict[str, str] | None = None) -> None:
        """Copy the files of a flat local folder into `folder` of the target, one file at a time.

        `reused` maps a file name to the target-relative path of an identical file of an earlier
        release: that file is hard-linked (local targets) or copied within the store (object stores)
        instead of being uploaded again. Releases are never modified, so sharing their files is safe."""
        reused = reused or {}
        self.fs.makedirs(self.path(folder), exist_ok=True)
        for file in sorted(local_folder.iterdir()):
            if not file.is_file():
                raise ValueError(f"release staging folder must be flat, found {file}")
            destination = self.path(folder, file.name)
            if file.name in reused and self._link(self.path(reused[file.name]), destination):
                continue
            self.fs.put_file(str(file), destination)
        self._sync(folder)

    def _link(self, source: str, destination: str) -> bool:
        """A hard link (local) or an in-store copy of an existing file; False when neither is possible."""
        try:
            if self.is_local:
                os.link(source, destination)
            else:
                self.fs.copy(source, destination)
        except (OSError, NotImplementedError):
            return False
        return True

    def publish_folder(self, temp_folder: str, folder: str) -> None:
        """The one rename that makes a release appear; refuses to touch an existing folder."""
        if self.exists(folder):
            # shutil.move would move the temporary folder INTO the existing one: never modify a release.
            raise ReleaseExists(f"release {folder} already exists in {self.display()}")
        self.rename(temp_folder, folder)

    def rename(self, source: str, destination: str) -> None:
        """Rename within the target (os.rename on local disks: atomic; copy + delete on object stores)."""
        self.fs.mv(self.path(source), self.path(destination), recursive=True)

    def write_text_atomic(self, name: str, text: str) -> None:
        """Write a small file by writing a temporary file and renaming it over `name`."""
        self.fs.makedirs(self.root, exist_ok=True)
        temp = self.new_temp_name(name)
        self.fs.pipe_file(self.path(temp), text.encode("utf-8"))
        self._sync(temp)
        self.rename(temp, name)

    def _sync(self, name: str) -> None:
        """On local disks, flush data to disk before the rename, so a power cut cannot publish empty files."""
        if not self.is_local:
            return
        path = Path(self.path(name))
        for file in [path] if path.is_file() else sorted(p for p in path.iterdir() if p.is_file()):
            with file.open("rb") as handle:
                os.fsync(handle.fileno())
        if path.is_dir() and os.name != "nt":  # Windows cannot open a folder to flush it
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)

    def remove(self, name: str) -> None:
        self.fs.rm(self.path(name), recursive=True)
