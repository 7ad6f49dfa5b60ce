"""Errors of publishing: raised, never swallowed, so a bad release is never cut silently."""

from __future__ import annotations


class ReleaseError(Exception):
    """A release cannot be cut or read (bad warehouse data, broken target, unknown version)."""


class ReleaseExists(ReleaseError):
    """The version asked for is already published: published versions are never modified."""


class ReleaseNotFound(ReleaseError, LookupError):
    """No complete, published release of that version in the target."""


class KeyViolation(ReleaseError):
    """A contract table breaks its primary key (grain) or a foreign key: the release would state a lie."""
