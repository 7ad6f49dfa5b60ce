"""YAML for the sources manifest, with bounds: a hostile manifest can neither hang nor flood a run.

PyYAML's safe loader refuses Python objects, but it expands aliases without limit: a 364-byte
"billion laughs" manifest (nine aliases of nine aliases ...) ran past 120 s and 1.5 GB when its value
was printed in an error message. Here the document is composed as a node graph first and measured —
nesting depth, number of aliases, and number of nodes once every alias is expanded (counted on the
graph, never built) — before any Python value exists. Errors name the file and the line, in words a
maintainer can act on.
"""

from __future__ import annotations

import reprlib

import yaml

from ..readers.limits import MAX_MANIFEST_ALIASES, MAX_MANIFEST_DEPTH, MAX_MANIFEST_NODES

_REPR = reprlib.Repr()
_REPR.maxstring = 80
_REPR.maxother = 80
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = 4
_REPR.maxlevel = 2


class ManifestError(ValueError):
    """The manifest is unreadable or invalid; the message names the file, entry and key (or line)."""


def short_repr(value) -> str:
    """repr() cut to a line: a value of the manifest is quoted in messages, never expanded whole."""
    return _REPR.repr(value)


class _Loader(yaml.SafeLoader):
    """The safe loader, counting aliases and depth while it composes."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_MANIFEST_ALIASES:
                raise _Bound(
                    f"more than {MAX_MANIFEST_ALIASES} aliases (*name)", self.peek_event().start_mark
                )
        self.depth += 1
        try:
            if self.depth > MAX_MANIFEST_DEPTH:
                raise _Bound(f"nested deeper than {MAX_MANIFEST_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Bound(Exception):
    def __init__(self, reason: str, mark) -> None:
        super().__init__(reason)
        self.reason, self.mark = reason, mark


def _expanded_size(node, memo: dict[int, int]) -> int:
    """Nodes of the document with every alias expanded, computed once per distinct node (a shared
    node's size is memoised), capped just above the limit: linear in the composed graph."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_MANIFEST_NODES + 1  # a cycle (an alias of its own ancestor) counts as too large
    size = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    else:
        children = []
    for child in children:
        size = min(size + _expanded_size(child, memo), MAX_MANIFEST_NODES + 1)
    memo[key] = size
    return size


def _where(name: str, mark) -> str:
    return f"{name}, line {mark.line + 1}" if mark is not None else name


def parse_bounded_yaml(text: str, name: str):
    """The YAML document of `text` as Python values; `ManifestError` naming `name` and the line."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_MANIFEST_NODES:
            raise ManifestError(
                f"{_where(name, node.start_mark)}: more than {MAX_MANIFEST_NODES:,} values once its "
                "aliases are expanded: a manifest is a short list of entries"
            )
        return loader.construct_document(node)
    except _Bound as bound:
        raise ManifestError(
            f"{_where(name, bound.mark)}: {bound.reason}: a manifest is a short list of entries"
        ) from None
    except yaml.constructor.ConstructorError as error:
        tag = getattr(error, "problem", "") or ""
        raise ManifestError(
            f"{_where(name, error.problem_mark)}: only plain YAML values are allowed ({tag.strip()})"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        what = "; ".join(part for part in (error.context, error.problem) if part)
        column = f", column {mark.column + 1}" if mark is not None else ""
        raise ManifestError(f"{_where(name, mark)}{column}: not valid YAML: {what}") from None
    except yaml.YAMLError as error:
        raise ManifestError(f"{name}: not valid YAML: {short_repr(str(error))}") from None
    finally:
        loader.dispose()
