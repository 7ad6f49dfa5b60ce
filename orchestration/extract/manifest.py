"""The optional sources manifest: what a document cannot say about itself, and corrections.

A disclosure never prints where it was downloaded or when, and sometimes prints its own name
wrongly. `sources/manifest.yaml` lets a maintainer state such facts per file; everything else is
inferred from the document (see `metadata.py`), and a document without an entry is read all the
same. The manifest is validated strictly, because a typo in it would otherwise overwrite a correct
inferred value silently: an unknown key, a bad value or a file that is not in the folder raises
`ManifestError` naming the manifest, the entry and the key.

Example `sources/manifest.yaml` (a mapping by file name; a list of entries with `file:` works too)::

    001_c9601cb349fb6821.txt:
      source_url: https://www.jishan.gov.cn/zwgk/2024/zzb_yusuan.pdf
      publisher: 中共稷山县委组织部
      retrieval_date: 2024-03-15
    003_fea1944156b82701.txt:
      department_name: 中共朝阳市委组织部
      department_code: "106001"      # quote codes: YAML reads 0123 as a number
      division_code: 211300          # province/prefecture/county/admin_level follow from it

    # or, as a list:
    - file: 002_0851205fe117d4ca.txt
      doc_type: performance_target
      fiscal_year: 2024
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..readers.decoding import UnreadableDocument
from ..readers.limits import MAX_MANIFEST_BYTES
from .bounded_yaml import ManifestError, parse_bounded_yaml, short_repr
from .gazetteer import LEVELS, load_gazetteer
from .metadata import (
    DEPARTMENT_SCOPES,
    DOC_TYPES,
    PHASE_OF_DOC_TYPE,
    REGION_FIELDS,
    DocumentMetadata,
    normalise_department_name,
)
from .source_files import classify, safe_name

MANIFEST_NAME = "manifest.yaml"
_FILE_KEYS = ("file", "source_name")


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-empty text, got {short_repr(value)}")
    return value.strip()


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a year as a whole number (e.g. 2024), got {short_repr(value)}")
    if not 1990 <= value <= 2100:
        raise ValueError(f"year {value} is out of range 1990-2100")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}, got {short_repr(value)}")
        return value

    return check


def _department_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(
            f'expected the code as quoted text (e.g. "009": leading zeros matter), got {short_repr(value)}'
        )
    if not re.fullmatch(r"[0-9A-Za-z-]{1,20}", value.strip()):
        raise ValueError(f"expected letters, digits or '-', got {short_repr(value)}")
    return value.strip()


def _division_code(value: Any) -> str:
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not re.fullmatch(r"[1-9]\d{5}", text):
        raise ValueError(f"expected a 6-digit 行政区划代码 (e.g. 211300), got {short_repr(value)}")
    return text


def _url(value: Any) -> str:
    text = _text(value)
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", text):
        raise ValueError(f"expected an absolute URL (https://...), got {short_repr(value)}")
    return text


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(f"expected a date YYYY-MM-DD, got {short_repr(value)}")


VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "department_name": _text,
    "department_code": _department_code,
    "department_scope": _choice(DEPARTMENT_SCOPES),
    "fiscal_year": _year,
    "doc_type": _choice(DOC_TYPES),
    "province": _text,
    "prefecture": _text,
    "county": _text,
    "admin_level": _choice(LEVELS),
    "division_code": _division_code,
    "source_url": _url,
    "publisher": _text,
    "retrieval_date": _date,
    "title": _text,
}


def load_manifest(sources_dir: Path, documents: list[str] | None = None) -> dict[str, dict]:
    """Entries of `<sources_dir>/manifest.yaml` by file name, validated; {} when there is none.

    `documents` are the names of the folder's readable documents (default: as the pipeline lists
    them); an entry must name one of them — a plain file name, never a path.
    """
    sources_dir = Path(sources_dir)
    path = sources_dir / MANIFEST_NAME
    if not path.exists() and not path.is_symlink():
        return {}
    document = load_yaml(path, sources_dir)
    if documents is None:
        from .pipeline import source_files

        documents = [entry.name for entry in source_files(sources_dir) if entry.problem is None]
    known = set(documents)
    entries = _entries(path, document)
    manifest: dict[str, dict] = {}
    for label, file_name, entry in entries:
        if file_name in manifest:
            raise ManifestError(f"{path}: {label}: file {short_repr(file_name)} has more than one entry")
        _check_file_name(path, label, file_name, known, sources_dir)
        manifest[file_name] = _validate(path, label, entry)
    return manifest


def _check_file_name(path: Path, label: str, file_name: str, known: set[str], sources_dir: Path) -> None:
    """An entry names a document of the folder by its plain name: no path, no link out of it."""
    if safe_name(file_name) != file_name:
        raise ManifestError(f"{path}: {label}: a file name with control characters is not a document name")
    if "/" in file_name or "\\" in file_name or file_name in (".", "..") or Path(file_name).is_absolute():
        raise ManifestError(
            f"{path}: {label}: {short_repr(file_name)} is a path: name a file of {sources_dir} by its name alone"
        )
    if file_name not in known:
        raise ManifestError(
            f"{path}: {label}: file {short_repr(file_name)} is not in {sources_dir} as a readable document"
        )


def load_yaml(path: Path, sources_dir: Path):
    """The manifest's YAML, bounded: size, nesting depth, aliases and expanded nodes (readers/limits.py).

    Errors name the file and the line. Only plain YAML values are accepted (`!!python/...` tags are
    refused), and a file that is a link out of the sources folder is not read.
    """
    entry = classify(path, sources_dir)
    if entry is None or entry.problem is not None:
        raise ManifestError(f"{path}: {entry.problem if entry else 'a folder, not a file'}")
    try:
        data = entry.read(MAX_MANIFEST_BYTES)
    except UnreadableDocument as error:
        raise ManifestError(f"{path}: {error}") from error
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"{path}: over {MAX_MANIFEST_BYTES} bytes: a manifest is a short list of entries")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ManifestError(f"{path}, line {line}: not UTF-8 text ({error.reason})") from error
    return parse_bounded_yaml(text, str(path))


def _entries(path: Path, document: Any) -> list[tuple[str, str, dict]]:
    """(label for messages, file name, fields) for either form of the manifest."""
    if document is None:
        return []
    found = []
    if isinstance(document, dict):
        for file_name, entry in document.items():
            label = f"entry {short_repr(file_name)}"
            if entry is None:
                entry = {}
            if not isinstance(file_name, str) or not isinstance(entry, dict):
                raise ManifestError(f"{path}: {label}: expected a file name mapped to fields")
            found.append((label, file_name, entry))
        return found
    if isinstance(document, list):
        for number, entry in enumerate(document, start=1):
            if not isinstance(entry, dict):
                raise ManifestError(f"{path}: entry {number}: expected a mapping of fields")
            names = [entry[key] for key in _FILE_KEYS if key in entry]
            if len(names) != 1 or not isinstance(names[0], str):
                raise ManifestError(f"{path}: entry {number}: give the document's file name once, as 'file'")
            fields = {k: v for k, v in entry.items() if k not in _FILE_KEYS}
            found.append((f"entry {number} ({short_repr(names[0])})", names[0], fields))
        return found
    raise ManifestError(f"{path}: expected a mapping by file name or a list of entries")


def _validate(path: Path, label: str, entry: dict) -> dict:
    clean: dict[str, Any] = {}
    for key, value in entry.items():
        validator = VALIDATORS.get(key)
        if validator is None:
            allowed = ", ".join(sorted(VALIDATORS))
            raise ManifestError(f"{path}: {label}: unknown key {short_repr(key)} (allowed: {allowed})")
        try:
            clean[key] = validator(value)
        except ValueError as error:
            raise ManifestError(f"{path}: {label}: key {short_repr(key)}: {error}") from error
    code = clean.get("division_code")
    if code and "province" not in clean and load_gazetteer().by_code(code) is None:
        raise ManifestError(
            f"{path}: {label}: key 'division_code': {code} is not in the bundled gazetteer; "
            "give province (and prefecture/county, admin_level) as well"
        )
    return clean


def apply_manifest(meta: DocumentMetadata, entry: dict | None) -> DocumentMetadata:
    """A copy of `meta` with the entry's values; each one's origin becomes 'manifest'.

    Fields that follow from a given one are set with it: phase from doc_type; the region's names
    and admin level from division_code; code and scope from a department_name printed with them; a
    region the document does not give, from the publisher (origin 'publisher'). What the entry
    supplies is no longer `missing`.
    """
    if not entry:
        return meta
    values = dict(entry)
    if "department_name" in values:
        printed = normalise_department_name(values["department_name"])
        values["department_name"] = printed.name
        if printed.code is not None:
            values.setdefault("department_code", printed.code)
        if printed.scope == "unit":
            values.setdefault("department_scope", "unit")
    if "doc_type" in values:
        values["phase"] = PHASE_OF_DOC_TYPE[values["doc_type"]]
    if "division_code" in values:
        division = load_gazetteer().by_code(values["division_code"])
        if division is not None:
            region = dataclasses.asdict(load_gazetteer().region_of(division))
            for name in REGION_FIELDS:
                values.setdefault(name, region[name])
        else:
            for name in REGION_FIELDS:
                values.setdefault(name, None)
    origin = dict(meta.metadata_origin)
    origin.update({name: "manifest" for name in values})
    meta = dataclasses.replace(meta, **values, metadata_origin=origin)
    if meta.division_code is None and ("department_name" in values or "publisher" in values):
        meta = _region_after_manifest(meta, from_manifest="department_name" in values)
    missing = {name: why for name, why in meta.missing.items() if getattr(meta, name) is None}
    return dataclasses.replace(meta, missing=missing)


def _region_after_manifest(meta: DocumentMetadata, from_manifest: bool) -> DocumentMetadata:
    """The region of a department the manifest names, else the one the publisher names.

    The publisher places a department whose name names no region (区财政局) or one shared by
    several divisions (普陀区 is in 上海市 and in 舟山市): a 区政府 publishes its own departments'
    disclosures. The department's name with the publisher as a hint comes first, so a publisher
    naming only the province still places a department that names its county.
    """
    gazetteer = load_gazetteer()
    hints = [meta.publisher] if meta.publisher else []
    origin_name = "manifest" if from_manifest else "inferred"
    resolution = gazetteer.resolve(meta.department_name, hints) if meta.department_name else None
    if resolution is not None and resolution.region is not None:
        if hints and gazetteer.resolve(meta.department_name).region is None:
            origin_name = "publisher"  # the publisher chose among the divisions the name may denote
    elif meta.publisher:
        resolution, origin_name = gazetteer.resolve(meta.publisher), "publisher"
    if resolution is None or resolution.region is None:
        where = (
            f"the department name '{meta.department_name}'" if meta.department_name else "no department name"
        )
        by = f" or the publisher '{meta.publisher}'" if meta.publisher else ""
        why = f"no region found in {where}{by}"
        return dataclasses.replace(meta, missing={**meta.missing, "division_code": why})
    region = dataclasses.asdict(resolution.region)
    origin = dict(meta.metadata_origin)
    origin.update({name: origin_name for name in REGION_FIELDS})
    return dataclasses.replace(meta, **{name: region[name] for name in REGION_FIELDS}, metadata_origin=origin)
