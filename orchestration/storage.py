"""What the project needs to know of an fsspec file system, in one place (raw files, release targets)."""

from __future__ import annotations


def protocols(fs) -> tuple[str, ...]:
    """The protocol names of an fsspec file system (fsspec gives a string or a tuple)."""
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


def is_local(fs) -> bool:
    """True for the local file system: its paths are plain paths, usable by any library."""
    return bool({"file", "local"} & set(protocols(fs)))
