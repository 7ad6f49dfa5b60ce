"""The files of the sources folder, as safe to read: nothing outside the folder, nothing unbounded.

The sources folder is input, and input can be hostile or broken. Before anything is read:

- a symbolic link is followed only to a regular file inside the folder: a link to /etc/passwd is
  never opened (it used to be read and its sha256 published), and a dangling link is reported;
- only regular files are read: a FIFO or a device would block or never end;
- a file name with control characters (a newline, an escape sequence, a bidirectional override) is
  refused, and shown escaped (`safe_name`): it is never printed raw to a terminal, a log or the
  report, where it could forge lines;
- a file is read only up to its size limit (readers/limits.py), checked before it is read.

A file refused here is still a document of the run — status 'unreadable' with the reason — so that
nothing dropped in the folder goes unmentioned.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..readers.decoding import UnreadableDocument
from ..readers.limits import MAX_ANY_FILE_BYTES, check_file_size
from ..settled_files import SettledFileMemo

# Unicode categories never allowed in a file name: controls, invisible formatting (bidirectional
# overrides, zero-width characters), line and paragraph separators, undecodable bytes (surrogates).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_HASH_CHUNK = 1024 * 1024
# sha256 of the files this process has hashed (orchestration/settled_files.py says when it is reused).
_DIGESTS = SettledFileMemo()


def safe_name(name: str) -> str:
    """The name with every unsafe character escaped (`\\n`, `\\x1b`, `\\u202e`): safe to print."""
    if name.isprintable():  # no character of those categories (nor a space other than ' '): at C speed
        return name
    if not any(unicodedata.category(ch) in _UNSAFE_CATEGORIES for ch in name):
        return name
    out = []
    for ch in name:
        if unicodedata.category(ch) not in _UNSAFE_CATEGORIES:
            out.append(ch)
        elif 0xDC80 <= ord(ch) <= 0xDCFF:  # an undecodable byte of the name, as Python keeps it
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


@dataclass(frozen=True)
class SourceFile:
    """One entry of the sources folder; `problem` says why it is not read, None when it may be."""

    path: Path  # in the folder (a link, not its target)
    target: Path | None  # the regular file to read: the path itself, or an in-folder link's target
    problem: str | None

    @property
    def name(self) -> str:
        """The file's name as it may be printed and stored (escaped when it is unsafe)."""
        return safe_name(self.path.name)

    def fingerprint(self) -> str:
        """sha256 of the bytes of a readable file; of what the entry is otherwise (a link's text, the
        problem), so a change of a refused entry is still a change, and no target is ever opened."""
        if self.problem is not None or self.target is None:
            digest = hashlib.sha256(b"cnbudget:not-read\0")
            if self.path.is_symlink():
                digest.update(os.fsencode(os.readlink(self.path)))
            digest.update(self.problem.encode("utf-8") if self.problem else b"")
            return digest.hexdigest()
        known = _DIGESTS.get(os.stat(self.target))
        if known is not None:  # the bytes hashed before (a change would have changed the identity)
            return known
        with open(self.target, "rb") as handle:
            status = os.fstat(handle.fileno())
            digest = hashlib.sha256()
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
        _DIGESTS.put(status, digest.hexdigest())
        return digest.hexdigest()

    def read(self, limit: int = MAX_ANY_FILE_BYTES) -> bytes:
        """The file's bytes; `UnreadableDocument` for a refused entry or a file over `limit`."""
        if self.problem is not None or self.target is None:
            raise UnreadableDocument(f"{self.name}: {self.problem}")
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self.target, flags)
        with os.fdopen(fd, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            check_file_size(size, None, self.name)
            data = handle.read(limit + 1)
        check_file_size(len(data), None, self.name)  # it grew while being read
        return data


def classify(path: Path, folder: Path) -> SourceFile | None:
    """What an entry of the folder is; None for a sub-folder (not a document, as before)."""
    try:
        mode: int | OSError = path.lstat().st_mode
    except OSError as error:
        mode = error
    return _classify(path, folder, mode)


def _entry_mode(entry: os.DirEntry) -> int | OSError:
    """The file type of a listed entry, as `lstat` gives it, from the listing itself when the file
    system says (no system call per file: 10,000 entries are listed several times a refresh)."""
    try:
        if entry.is_symlink():
            return stat.S_IFLNK
        if entry.is_dir(follow_symlinks=False):
            return stat.S_IFDIR
        if entry.is_file(follow_symlinks=False):
            return stat.S_IFREG
        return entry.stat(follow_symlinks=False).st_mode  # a pipe, a socket, a device
    except OSError as error:
        return error


def _classify(path: Path, folder: Path, mode: int | OSError) -> SourceFile | None:
    name = path.name
    if safe_name(name) != name:
        return SourceFile(
            path,
            None,
            "the file name contains control or invisible characters (shown escaped): rename the file",
        )
    if isinstance(mode, OSError):
        return SourceFile(path, None, f"cannot be examined: {mode.strerror}")
    if stat.S_ISLNK(mode):
        return _classify_link(path, folder)
    if stat.S_ISDIR(mode):
        return None
    if not stat.S_ISREG(mode):
        return SourceFile(path, None, "not a regular file (a pipe, socket or device): not read")
    return SourceFile(path, path, None)


def _classify_link(path: Path, folder: Path) -> SourceFile:
    shown = safe_name(os.readlink(path))
    target = Path(os.path.realpath(path))
    if not target.exists():
        return SourceFile(path, None, f"a symbolic link to {shown}, which does not exist (a dangling link)")
    if not target.is_relative_to(folder.resolve()):
        return SourceFile(
            path,
            None,
            f"a symbolic link to {shown}, outside the sources folder: links are not followed there",
        )
    if target.is_dir():
        return SourceFile(path, None, f"a symbolic link to the folder {shown}: not a document")
    if not target.is_file() or target.name.startswith("."):
        return SourceFile(path, None, f"a symbolic link to {shown}, not a document of the folder")
    return SourceFile(path, target, None)


def scan_folder(folder: Path) -> list[SourceFile]:
    """Every visible entry of the folder (hidden files excluded), in a deterministic order."""
    folder = Path(folder)
    with os.scandir(folder) as listing:
        entries = [
            _classify(folder / entry.name, folder, _entry_mode(entry))
            for entry in listing
            if not entry.name.startswith(".")
        ]
    return sorted((entry for entry in entries if entry is not None), key=lambda entry: entry.path.name)


def fingerprints(folder: Path) -> dict[str, str]:
    """Printable name -> fingerprint of every visible entry of the folder (the manifest included)."""
    snapshot = {}
    for entry in scan_folder(folder):
        try:
            snapshot[entry.name] = entry.fingerprint()
        except OSError:  # vanished or unreadable since it was listed: the extraction will say which
            snapshot[entry.name] = "unavailable"
    return dict(sorted(snapshot.items()))
