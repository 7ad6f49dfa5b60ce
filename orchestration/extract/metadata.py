"""What a document is, read from the document itself: type, year, department and region.

Every disclosure says who published it and for which year, but each says it differently: a cover
title (中共吉林省委组织部(本级) / 2024 年部门预算), 部门名称： lines above the tables, a department
code glued to the name (203中共平乡县委组织部, 317001-中共吉林省委组织部(本级)), 预算年度：2023. This
module gathers that evidence from a `Grid` and decides, with fixed precedence, so the same file
always gives the same row of raw.documents:

- department: the document's title wins; then 部门：/部门名称：/编制部门：/预算主管部门： lines; then
  单位名称 lines; then code-prefixed cells; then, outside the printed pages, the file's own title
  (a PDF's Title property, `grid.details["title"]`) and last the file name (上海市普陀区财政局2024年度
  部门决算.pdf): a download is often named after what it is, but renamed more easily than printed.
  Evidence that names the same institution in another region, or a 部门：line naming another
  department, is a conflict (003 prints 中共辽宁省委组织部 over two tables of the 朝阳市 final
  accounts): it is reported in `conflicts`, never silently chosen.
- region: from the department name (then the title) against the bundled gazetteer; a name shared by
  several divisions is resolved only by evidence in the document, otherwise left empty and reported.
- doc_type: from the tables the document holds (financial tables decide; a document of target
  tables only is `performance_target`), falling back to the title, the file's title, the file name.
- fiscal_year: the title's, a 年度： line, the headings', then the file's title and name.

A cover whose year is printed apart (上海市普陀区财政局 / 年度部门决算 / 2024, the year in a bigger
font beside 年度) is joined with the year where it is read: 上海市普陀区财政局2024年度部门决算.
What could not be found is in `missing` (field -> why), not among the conflicts: the manifest may
still supply it, and only what is missing after the manifest is a finding (see pipeline.py).

Nothing here reads files or the network: the caller passes the grid and the bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field

from orchestration.readers.grid import Grid, squash

from .gazetteer import Gazetteer, Region, RegionResolution, load_gazetteer

DOC_TYPES = ("budget", "final_account", "performance_target", "performance_evaluation")
PHASE_OF_DOC_TYPE = {
    "budget": "budget",
    "performance_target": "budget",
    "final_account": "final_account",
    "performance_evaluation": "final_account",
}
DEPARTMENT_SCOPES = ("department", "unit")
REGION_FIELDS = ("province", "prefecture", "county", "admin_level", "division_code")
# Fields whose value comes from the document or the manifest; metadata_origin says which.
ORIGIN_FIELDS = (
    "doc_type",
    "phase",
    "fiscal_year",
    "department_name",
    "department_code",
    "department_scope",
    *REGION_FIELDS,
    "title",
    "publisher",
    "source_url",
    "retrieval_date",
)
# Every fact of a document is keyed by its department, year and phase (from doc_type): a document
# without one of them cannot publish anything, and is held back until the manifest supplies it.
REQUIRED_FIELDS = ("department_name", "fiscal_year", "doc_type")

_BRACKETS = str.maketrans({"(": "（", ")": "）"})
_LEADING_CODE = re.compile(r"^(\d{3,9})[-－—_]?(?=\D)")
_TRAILING_DIVISION = re.compile(r"[-－—_](\d{6,12})$")
_SCOPE_SUFFIX = re.compile(r"(?:（(?:本级|机关|机关本级|部本级|本部)）|本级)$")
# A department's name ends like an institution: 组织部, 财政局, 委员会, 政府, 中心, 妇联 ...
_INSTITUTION_END = re.compile(r"[部局委厅办院会心所站馆社团室处队校署庭组府联]$")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LABELLED = re.compile(r"^(部门名称|部门|编制部门|预算主管部门|单位名称|部门（单位）名称|单位)[：:](.+)$")
_DEPARTMENT_LABELS = frozenset({"部门名称", "部门", "编制部门", "预算主管部门"})
_BARE_LABELS = frozenset({"部门名称", "单位名称", "部门（单位）名称"})
_UNIT_SUFFIX = re.compile(r"(?:金额)?单位[：:].*$")
_YEAR_LABEL = re.compile(r"^(?:预算|决算)?年度[：:](\d{4})")
_PART_PREFIX = re.compile(r"^第[一二三四五六七八九十]+部分\s*")
_BOOKMARK = re.compile(r"^\s*\[bookmark:[^\]]*\]\s*")
_TITLE_NAME_FIRST = re.compile(r"^(?P<name>.+?)(?P<year>\d{4})年度?(?:部门)?(?:预算|决算)")
_TITLE_YEAR_FIRST = re.compile(r"^(?P<year>\d{4})年度?(?P<name>.+?)部门(?:预算|决算)")
_HEADING_YEAR = re.compile(r"^[（(]?(\d{4})年度?")
_TITLE_YEAR = re.compile(r"(\d{4})年")
# A year printed apart from its 年 (a cover's big "2024" beside 年度部门决算), and where it belongs.
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?![\d年])")
_YEAR_PLACE = re.compile(r"年度?(?=(?:部门|单位)?(?:预算|决算|整体|项目|绩效))")
# What a file's own title or name adds around a disclosure title: 附件2：, the suffix, a leading serial.
_FILE_TITLE_NOISE = re.compile(r"^(?:附件\d*[:：]|\d+[_\-.、\s]+)|\.[A-Za-z]{2,5}$")
# Markers of the document type in a title, most specific first.
_TYPE_MARKERS = (
    ("决算", "final_account"),
    ("自评", "performance_evaluation"),
    ("绩效目标", "performance_target"),
    ("预算", "budget"),
)
_NOISE = re.compile(r"^(附件\d*[:：]?|[〇一二三四五六七八九十零]+年.*月.*日|\d{4}年\d{1,2}月\d{1,2}日)$")
_TABLE_NUMBER = re.compile(r"^(?:预算)?公开\d*表\d*$")
_SENTENCE = re.compile(r"[，。；;,]")
_MAX_HEADING = 80
_FRONT_ROWS = 8


def document_key(source_name: str) -> str:
    """Deterministic key of a document: first 16 hex of sha256("document|" + file name)."""
    return hashlib.sha256(("document|" + source_name).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class PrintedDepartment:
    """A department name as printed, split into its normalised name, code, scope and region code."""

    printed: str
    name: str  # white space removed, brackets full-width, code and scope suffix removed
    code: str | None  # printed before the name: 317001-, 009-, 203
    scope: str  # 'unit' for （本级）/（机关）, 'department' otherwise
    division_hint: str | None  # a division code printed after the name: -211300000


def normalise_department_name(printed: str) -> PrintedDepartment:
    """Normalise a printed department name (no judgement on whether it is one)."""
    name = squash(printed).translate(_BRACKETS)
    code = None
    match = _LEADING_CODE.match(name)
    if match:
        code, name = match.group(1), name[match.end() :]
    division_hint = None
    match = _TRAILING_DIVISION.search(name)
    if match:
        division_hint, name = match.group(1), name[: match.start()]
    scope = "department"
    match = _SCOPE_SUFFIX.search(name)
    if match and match.start() > 0:
        scope, name = "unit", name[: match.start()]
    return PrintedDepartment(printed.strip(), name, code, scope, division_hint)


def parse_department(printed: str) -> PrintedDepartment | None:
    """The department a cell names, or None when the text does not look like a department's name."""
    department = normalise_department_name(printed)
    name = department.name
    if len(name) < 3 or len(_CJK.findall(name)) < 3 or re.search(r"[\d：:，。]", name):
        return None
    if not _INSTITUTION_END.search(name):
        return None
    return department


@dataclass(frozen=True)
class DocumentMetadata:
    """The raw.documents fields that come from the document (or the manifest), plus conflicts."""

    document_key: str
    source_name: str
    sha256: str
    doc_type: str | None
    phase: str | None
    fiscal_year: int | None
    department_name: str | None
    department_code: str | None
    department_scope: str | None
    province: str | None
    prefecture: str | None
    county: str | None
    admin_level: str | None
    division_code: str | None
    title: str | None
    publisher: str | None
    source_url: str | None
    retrieval_date: str | None
    # field -> inferred | manifest | publisher (region read from the manifest's publisher) | missing
    metadata_origin: dict[str, str] = field(default_factory=dict)
    # Disagreements inside the document, each naming the table and line: data-quality warnings.
    conflicts: tuple[str, ...] = ()
    # What the document does not say, field -> where it was looked for (division_code for the region).
    missing: dict[str, str] = field(default_factory=dict)

    def as_row(self) -> dict:
        """Columns of raw.documents; metadata_origin as JSON text (sorted keys: stable output)."""
        row = asdict(self)
        row.pop("conflicts")
        row.pop("missing")
        row["metadata_origin"] = json.dumps(self.metadata_origin, ensure_ascii=False, sort_keys=True)
        return row


@dataclass(frozen=True)
class _Heading:
    index: int  # position in grid.rows
    line: int
    printed: str  # bookmark removed, spacing as printed
    text: str  # squashed


@dataclass(frozen=True)
class _Evidence:
    source: str  # title | department_label | unit_label | code_cell | document_title | file_name
    line: int
    table: str | None
    department: PrintedDepartment


@dataclass
class _Scan:
    """What one pass over the grid collects."""

    headings: list[_Heading] = field(default_factory=list)
    evidence: list[_Evidence] = field(default_factory=list)
    year_labels: list[tuple[int, int, str | None]] = field(default_factory=list)  # (year, line, table)


def infer_metadata(grid: Grid, source_name: str, data: bytes) -> DocumentMetadata:
    """Read a document's metadata from its grid; `data` are the file's bytes (for sha256)."""
    scan = _scan(grid)
    conflicts: list[str] = []
    missing: dict[str, str] = {}
    title, title_department = _find_title(grid, scan.headings)
    evidence = list(scan.evidence)
    if title_department is not None:
        evidence.insert(0, _Evidence("title", title[1], None, title_department))
    file_titles = _file_titles(grid, source_name)
    for source, text in file_titles:
        department = _title_department(text)
        if department is not None:
            evidence.append(_Evidence(source, 0, None, department))
    gazetteer = load_gazetteer()
    department, code = _choose_department(evidence, gazetteer, conflicts)
    if department is None:
        missing["department_name"] = (
            "no department name found: not in the title, a 部门名称/编制部门/预算主管部门/单位名称 line, "
            "a coded name, the file's title or the file name"
        )
    region = _resolve_region(grid, department, title, evidence, gazetteer, conflicts, missing)
    title_text = title[0] if title else None
    doc_type = _doc_type(scan.headings, title_text, [text for _, text in file_titles], conflicts, missing)
    fiscal_year = _fiscal_year(scan, title_text, [text for _, text in file_titles], conflicts, missing)
    values = {
        "doc_type": doc_type,
        "phase": PHASE_OF_DOC_TYPE.get(doc_type) if doc_type else None,
        "fiscal_year": fiscal_year,
        "department_name": department.name if department else None,
        "department_code": code,
        "department_scope": department.scope if department else None,
        "province": region.province if region else None,
        "prefecture": region.prefecture if region else None,
        "county": region.county if region else None,
        "admin_level": region.admin_level if region else None,
        "division_code": region.division_code if region else None,
        "title": title[0] if title else None,
        "publisher": None,
        "source_url": None,
        "retrieval_date": None,
    }
    origin = {name: "inferred" if values[name] is not None else "missing" for name in ORIGIN_FIELDS}
    if region is not None:
        # A province has no prefecture or county: that is known, not missing.
        origin.update({name: "inferred" for name in REGION_FIELDS})
    return DocumentMetadata(
        document_key=document_key(source_name),
        source_name=source_name,
        sha256=hashlib.sha256(data).hexdigest(),
        metadata_origin=origin,
        conflicts=tuple(conflicts),
        missing=missing,
        **values,
    )


def _file_titles(grid: Grid, source_name: str) -> list[tuple[str, str]]:
    """(source, text) of what the file says it is outside its pages: its title property, its name.

    Only a text that reads as a disclosure title, with its year (2024年上海市普陀区财政局部门决算表),
    counts: a title property such as 附件2：预算主管部门公开样张 (the template's, left in a final
    account) or a serial file name says nothing about this document.
    """
    found = []
    for source, text in (("document_title", grid.details.get("title")), ("file_name", source_name)):
        if not text:
            continue
        cleaned = squash(text).translate(_BRACKETS)
        previous = None
        while previous != cleaned:
            previous, cleaned = cleaned, _FILE_TITLE_NOISE.sub("", cleaned)
        cleaned = _mend_year(cleaned)
        if _TITLE_YEAR.search(cleaned) and re.search(r"预算|决算|绩效", cleaned):
            found.append((source, cleaned))
    return found


def _mend_year(text: str) -> str:
    """A title whose year was printed apart from its 年 (上海市普陀区财政局年度部门决算2024, the cover's
    big "2024" read after the line beside it) with the year put back: 上海市普陀区财政局2024年度部门决算.
    A title that already prints "<year>年", or has no place for a year, is returned as it is."""
    if _TITLE_YEAR.search(text):
        return text
    bare = _BARE_YEAR.search(text)
    if bare is None:
        return text
    rest = text[: bare.start()] + text[bare.end() :]
    place = _YEAR_PLACE.search(rest)
    if place is None:
        return text
    return rest[: place.start()] + bare.group(1) + rest[place.start() :]


def _scan(grid: Grid) -> _Scan:
    scan = _Scan()
    table: str | None = None
    max_cells = 1 if grid.positional else 3
    for index, row in enumerate(grid.rows):
        filled = row.filled
        if len(filled) <= max_cells:
            printed = _BOOKMARK.sub("", row.text).strip()
            text = squash(printed)
            if text and len(text) <= _MAX_HEADING:
                scan.headings.append(_Heading(index, row.line, printed, text))
                if text.endswith("表") and not _TABLE_NUMBER.match(text) and not _SENTENCE.search(text):
                    table = _PART_PREFIX.sub("", printed)
        # Each cell is read with the one after it (a bare label's value): never a copy of the rest
        # of the row, which made a row of n cells cost n² (a 750k-character line took a minute).
        for position, (_, cell) in enumerate(filled):
            after = filled[position + 1][1] if position + 1 < len(filled) else None
            _read_cell(scan, cell, after, row.line, table)
    return scan


def _read_cell(scan: _Scan, cell: str, after: str | None, line: int, table: str | None) -> None:
    """What one cell says: a year label, a labelled department (its value in the cell or in `after`,
    the next filled cell of the row), or a department name printed with its code."""
    text = squash(cell).translate(_BRACKETS)
    year = _YEAR_LABEL.match(text)
    if year:
        scan.year_labels.append((int(year.group(1)), line, table))
        return
    label, value = None, None
    labelled = _LABELLED.match(text)
    if labelled:
        label, value = labelled.group(1), _UNIT_SUFFIX.sub("", labelled.group(2))
    elif text in _BARE_LABELS and after is not None:
        label, value = text, after
    if label is not None and value:
        department = parse_department(value)
        if department is not None:
            source = "department_label" if label in _DEPARTMENT_LABELS else "unit_label"
            scan.evidence.append(_Evidence(source, line, table, department))
        return
    if _LEADING_CODE.match(text):
        department = parse_department(cell)
        if department is not None and department.code is not None:
            scan.evidence.append(_Evidence("code_cell", line, table, department))


def _find_title(
    grid: Grid, headings: list[_Heading]
) -> tuple[tuple[str, int] | None, PrintedDepartment | None]:
    """The document's own title (text, line) and the department it names.

    The title is the cover: the single-line rows before the contents, the first part or the first
    table (000, 002, 003). Without a cover, a heading such as 中共平乡县委组织部2023年部门预算
    信息公开情况说明 (004) is the title. A financial table's title is never the document's.
    """
    pieces: list[_Heading] = []
    by_index = {h.index: h for h in headings}
    for index in range(min(len(grid.rows), _FRONT_ROWS)):
        heading = by_index.get(index)
        if heading is None or heading.text == "目录" or _PART_PREFIX.match(heading.text):
            break
        if _NOISE.match(heading.text) or _SENTENCE.search(heading.text):
            continue
        pieces.append(heading)
    pieces = [p for p in pieces if not (p.text.endswith("表") and "绩效" not in p.text)]
    printed = squash("".join(p.text for p in pieces))
    joined = _mend_year(printed)
    has_year = bool(_TITLE_YEAR.search(joined))
    named = [parse_department(p.printed) for p in pieces]
    if pieces and re.search(r"预算|决算|绩效", joined) and (has_year or any(named)):
        # As printed, line by line; a cover whose year stood apart reads joined, the year in its place.
        title = " ".join(p.printed for p in pieces) if joined == printed else joined
        return (title, pieces[0].line), _title_department(joined)
    for heading in headings:
        text = _mend_year(_PART_PREFIX.sub("", heading.text))
        if _SENTENCE.search(text):
            continue
        department = _title_department(text)
        if department is not None:
            return (_PART_PREFIX.sub("", heading.printed), heading.line), department
    return None, None


def _title_department(text: str) -> PrintedDepartment | None:
    for pattern in (_TITLE_NAME_FIRST, _TITLE_YEAR_FIRST):
        match = pattern.match(text)
        if match:
            department = parse_department(match.group("name"))
            if department is not None:
                return department
    return None


def _where(evidence: _Evidence) -> str:
    if evidence.source == "title":
        return f"the title (line {evidence.line})"
    if evidence.source == "document_title":
        return "the file's title property"
    if evidence.source == "file_name":
        return "the file name"
    return f"{evidence.table or 'text'} (line {evidence.line})"


def _choose_department(
    evidence: list[_Evidence], gazetteer: Gazetteer, conflicts: list[str]
) -> tuple[PrintedDepartment | None, str | None]:
    """The department (title first, then labels, code cells, the file's title, its name) and its code."""
    chosen = None
    for source in ("title", "department_label", "unit_label", "code_cell", "document_title", "file_name"):
        group = [e for e in evidence if e.source == source]
        if group:
            most_common = Counter(e.department.name for e in group).most_common(1)[0][0]
            chosen = next(e for e in group if e.department.name == most_common)
            break
    if chosen is None:
        return None, None
    codes: list[tuple[str, _Evidence]] = []
    seen: set[tuple[int, str]] = set()
    for item in evidence:
        if (item.line, item.department.printed) in seen:
            continue
        seen.add((item.line, item.department.printed))
        verdict = _compare(item.department, chosen.department, gazetteer)
        if verdict == "same":
            if item.department.code is not None:
                codes.append((item.department.code, item))
        elif verdict == "other_region" or item.source == "department_label":
            conflicts.append(
                f"{_where(item)}: prints department '{item.department.printed}', "
                f"but {_where(chosen)} names '{chosen.department.name}'; the latter is used"
            )
    distinct = list(dict.fromkeys(code for code, _ in codes))
    if len(distinct) > 1:
        places = "; ".join(f"{code} in {_where(item)}" for code, item in codes)
        conflicts.append(f"department '{chosen.department.name}' is printed with different codes: {places}")
    return chosen.department, distinct[0] if distinct else None


def _compare(a: PrintedDepartment, b: PrintedDepartment, gazetteer: Gazetteer) -> str:
    """'same' department, 'other_region' (same institution, another place) or 'other'."""
    if a.name == b.name:
        return "same"
    if _body(a.name, gazetteer) != _body(b.name, gazetteer):
        return "other"
    region_a = gazetteer.resolve(a.name, _code_hints(a)).region
    region_b = gazetteer.resolve(b.name, _code_hints(b)).region
    if region_a is not None and region_b is not None and region_a.division_code == region_b.division_code:
        return "same"
    return "other_region"


def _body(name: str, gazetteer: Gazetteer) -> str:
    """The institution without its place: 中共辽宁省朝阳市委组织部 and 中共朝阳市委组织部 -> 中共委组织部."""
    for mention in reversed(gazetteer.mentions(name)):
        name = name[: mention.start] + name[mention.start + len(mention.text) :]
    return name


def _code_hints(department: PrintedDepartment) -> list[str]:
    return [department.division_hint] if department.division_hint else []


def _resolve_region(
    grid: Grid,
    department: PrintedDepartment | None,
    title: tuple[str, int] | None,
    evidence: list[_Evidence],
    gazetteer: Gazetteer,
    conflicts: list[str],
    missing: dict[str, str],
) -> Region | None:
    """Region of the department name, else of the title; ambiguity left empty and reported."""
    title_text = squash(title[0]) if title else ""
    hints = [e.department.division_hint for e in evidence if e.department.division_hint]
    if department is not None:
        hints += [title_text] if title_text else []
        resolution = gazetteer.resolve(department.name, hints)
        if resolution.ambiguous:
            document_text = "\n".join(row.text for row in grid.rows)
            resolution = gazetteer.resolve(department.name, [*hints, document_text])
        if resolution.region is not None or resolution.ambiguous:
            return _accept(resolution, department.name, title_text, gazetteer, conflicts, missing)
    if title_text:
        resolution = gazetteer.resolve(title_text, hints)
        if resolution.region is not None or resolution.ambiguous:
            return _accept(resolution, title_text, "", gazetteer, conflicts, missing)
    missing["division_code"] = (
        f"no region found in the department name '{department.name if department else ''}' or the title"
    )
    return None


def _accept(
    resolution: RegionResolution,
    name: str,
    title_text: str,
    gazetteer: Gazetteer,
    conflicts: list[str],
    missing: dict[str, str],
) -> Region | None:
    if resolution.region is None:
        places = ", ".join(
            f"{gazetteer.region_of(c).province}{gazetteer.region_of(c).prefecture or ''}{c.name} ({c.code})"
            for c in resolution.candidates
        )
        missing["division_code"] = (
            f"region of '{name}' is ambiguous: {resolution.mention} is {places}; "
            "nothing in the document says which, so the region is left empty"
        )
        return None
    region = resolution.region
    if title_text:
        in_title = gazetteer.resolve(title_text).region
        if in_title is not None and not _nested(in_title, region):
            conflicts.append(
                f"the title names region {in_title.division_code} ({in_title.province}"
                f"{in_title.prefecture or ''}{in_title.county or ''}) but the department "
                f"'{name}' is in {region.division_code}; the department's region is used"
            )
    return region


def _nested(a: Region, b: Region) -> bool:
    """One region contains (or equals) the other."""

    def prefix(region: Region) -> str:
        return {"province": region.division_code[:2], "prefecture": region.division_code[:4]}.get(
            region.admin_level, region.division_code
        )

    return prefix(a).startswith(prefix(b)) or prefix(b).startswith(prefix(a))


def _heading_kind(text: str) -> str | None:
    if "自评表" in text or "绩效评价表" in text:
        return "performance_evaluation"
    if "绩效目标表" in text:
        return "performance_target"
    if "决算" in text and (text.endswith("表") or "部门决算" in text):
        return "final_account"
    if "预算" in text and "绩效" not in text and (text.endswith("表") or "部门预算" in text):
        return "budget"
    return None


def _title_kind(text: str) -> str | None:
    for marker, kind in _TYPE_MARKERS:
        if marker in text:
            return kind
    return None


def _doc_type(
    headings: list[_Heading],
    title: str | None,
    file_titles: list[str],
    conflicts: list[str],
    missing: dict[str, str],
) -> str | None:
    """The tables decide: any 决算 table -> final_account, any budget table -> budget; else the
    performance tables alone; the title only when the tables say nothing, the file's title and
    name only when the printed pages say nothing."""
    kinds = {kind for h in headings if (kind := _heading_kind(_PART_PREFIX.sub("", h.text)))}
    from_tables = None
    if "final_account" in kinds:
        from_tables = "final_account"
    elif "budget" in kinds:
        from_tables = "budget"
    elif kinds == {"performance_target"}:
        from_tables = "performance_target"
    elif kinds == {"performance_evaluation"}:
        from_tables = "performance_evaluation"
    from_title = _title_kind(squash(title)) if title else None
    if from_tables and from_title and from_tables != from_title:
        conflicts.append(f"the title says {from_title} but the tables are those of a {from_tables}")
    from_file = next((kind for text in file_titles if (kind := _title_kind(text))), None)
    chosen = from_tables or from_title or from_file
    if chosen is None:
        missing["doc_type"] = (
            f"document type not recognised: no 预算/决算/绩效 table or title "
            f"(table kinds found: {', '.join(sorted(kinds)) or 'none'})"
        )
    return chosen


def _fiscal_year(
    scan: _Scan, title: str | None, file_titles: list[str], conflicts: list[str], missing: dict[str, str]
) -> int | None:
    """The disclosure's year: the title's, else 预算年度：, else the year most headings open with,
    else the year of the file's title or name."""
    title_year = None
    if title:
        match = _TITLE_YEAR.search(squash(title))
        title_year = int(match.group(1)) if match else None
    label_year = scan.year_labels[0][0] if scan.year_labels else None
    heading_years = Counter()
    for heading in scan.headings:
        match = _HEADING_YEAR.match(_PART_PREFIX.sub("", heading.text))
        if match:
            heading_years[int(match.group(1))] += 1
    file_year = next((int(m.group(1)) for text in file_titles if (m := _TITLE_YEAR.search(text))), None)
    heading_year = heading_years.most_common(1)[0][0] if heading_years else None
    chosen = title_year or label_year or heading_year or file_year
    for year, line, table in scan.year_labels:
        if chosen is not None and year != chosen:
            conflicts.append(
                f"{table or 'text'} (line {line}): prints 年度 {year}, the document's year is {chosen}"
            )
    if chosen is None:
        missing["fiscal_year"] = (
            "fiscal year not found in the title, a 年度 line, the headings, the file's title or name"
        )
    elif not 1990 <= chosen <= 2100:
        missing["fiscal_year"] = f"fiscal year {chosen} is implausible; left empty"
        return None
    return chosen
