"""A synthetic corpus: N distinct departments across provinces and years, made from the seed documents.

Each document is a seed (the three text layouts: tsv, pdftotext, cell per line) with its region,
department and year replaced (numbered 分局 beyond every combination), so that every document has
keys of its own and reconciles exactly as its seed does. Its amounts are the seed's: multiplying them
by a whole factor, as an earlier version did, does not keep documents reconciling. The seeds print
their totals rounded, so a rounding gap within tolerance (0.01) becomes a k-fold gap beyond it, and
integers printed without decimals (三公 100, 年度资金总额 50) and rates (执行率) cannot be told from
codes and counts in the text, so they were left unscaled or scaled wrongly: at N = 1,000 three in
four documents had errors their seed has not. Deterministic: the same N gives the same files.

A share of the documents is published as governments also publish them:

- every XLSX_EVERY-th document made from the tab-separated seed is written as an Excel workbook (one
  sheet per table, as tests/fixtures/formats/make_fixtures.py writes the format fixtures);
- every PDF_EVERY-th document is a copy of a real published PDF (tests/fixtures/real), made a distinct
  department by an entry of the corpus's `manifest.yaml` (its amounts are the PDF's own).

    python benchmarks/corpus.py N OUT_DIR
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "sources"
REAL_PDFS = (REPO / "tests" / "fixtures" / "real" / "中共上海市普陀区委社会工作部2024年度部门决算.pdf",)
PDF_DEPARTMENT = "上海市普陀区{department}"
XLSX_SEED = "000_3dc14b99499346cd.txt"  # the tab-separated layout, whose grid the workbook writer takes
XLSX_EVERY = 5  # of the documents made from XLSX_SEED
PDF_EVERY = 20

PROVINCES = (
    "北京市 天津市 河北省 山西省 内蒙古自治区 辽宁省 吉林省 黑龙江省 上海市 江苏省 浙江省 安徽省 福建省 江西省 山东省 "
    "河南省 湖北省 湖南省 广东省 广西壮族自治区 海南省 重庆市 四川省 贵州省 云南省 西藏自治区 陕西省 甘肃省 青海省 "
    "宁夏回族自治区 新疆维吾尔自治区"
).split()
PREFECTURES = (
    "石家庄市 太原市 大连市 长春市 哈尔滨市 苏州市 杭州市 合肥市 福州市 南昌市 济南市 郑州市 武汉市 长沙市 广州市 "
    "南宁市 海口市 成都市 贵阳市 昆明市 西安市 兰州市 西宁市 银川市 朝阳市"
).split()
COUNTIES = (
    "稷山县 平乡县 正定县 平遥县 宽甸满族自治县 农安县 巴彦县 沛县 安吉县 肥西县 闽侯县 婺源县 曲阜市 "
    "兰考县 秭归县 宁乡市 博罗县 阳朔县 澄迈县 郫都区 湄潭县 弥勒市 富平县 敦煌市 湟源县 贺兰县 昌吉市"
).split()
DEPARTMENTS = (
    "组织部 宣传部 统战部 政法委员会 发展和改革局 教育局 科学技术局 工业和信息化局 公安局 民政局 司法局 财政局 "
    "人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 水利局 农业农村局 商务局 文化和旅游局 "
    "卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 医疗保障局 林业局 档案局"
).split()
# Per seed: the region as printed and which list replaces it.
SEED_REGIONS = {
    "000_3dc14b99499346cd.txt": ("吉林省", PROVINCES),
    "001_c9601cb349fb6821.txt": ("稷山县", COUNTIES),
    "002_0851205fe117d4ca.txt": ("江苏省", PROVINCES),
    "003_fea1944156b82701.txt": ("朝阳市", PREFECTURES),
    "004_909d9174802cb080.txt": ("平乡县", COUNTIES),
}
YEAR_SHIFTS = (0, -1, -2, -3, -4, -5)
_YEAR = re.compile(r"(20[12]\d)(年)")


def make_document(index: int) -> tuple[str, str]:
    """(file name, text) of the index-th document."""
    seeds = sorted(SEED_REGIONS)
    seed = seeds[index % len(seeds)]
    n = index // len(seeds)
    region, regions = SEED_REGIONS[seed]
    department = DEPARTMENTS[n % len(DEPARTMENTS)]
    place = regions[(n // len(DEPARTMENTS) + seeds.index(seed)) % len(regions)]
    rest = n // (len(DEPARTMENTS) * len(regions))
    shift = YEAR_SHIFTS[rest % len(YEAR_SHIFTS)]
    unit = rest // len(YEAR_SHIFTS)  # beyond every combination: numbered units keep departments distinct
    if unit:
        department = f"{department}第{unit}分局"
    text = (SEEDS / seed).read_text(encoding="utf-8")
    text = text.replace(region, place).replace("组织部", department)
    if shift:
        text = _YEAR.sub(lambda m: f"{int(m.group(1)) + shift}{m.group(2)}", text)
    return f"{index:06d}_{seed[4:8]}.txt", text


def write_corpus(n: int, out: Path, text_only: bool = False) -> list[Path]:
    """Write the corpus of `n` documents (and its manifest.yaml when it has PDFs); unchanged files are
    left alone, so that a second run over the same folder changes nothing. `text_only`: the seeds'
    three text layouts only (the issue's goals are stated for text documents; PDFs are measured apart)."""
    out.mkdir(parents=True, exist_ok=True)
    paths, manifest = [], {}
    for index in range(n):
        if not text_only and index % PDF_EVERY == PDF_EVERY - 1:
            path, entry = _pdf_copy(index, out)
            manifest[path.name] = entry
            paths.append(path)
            continue
        name, text = make_document(index)
        workbook = name.endswith(XLSX_SEED[4:8] + ".txt") and (index // 5) % XLSX_EVERY == XLSX_EVERY - 1
        if workbook and not text_only:
            paths.append(_as_workbook(name, text, out))
            continue
        paths.append(_write_if_changed(out / name, text.encode("utf-8")))
    if manifest:
        lines = [
            f"{name}:\n  department_name: {entry['department_name']}\n" for name, entry in manifest.items()
        ]
        _write_if_changed(out / "manifest.yaml", "".join(lines).encode("utf-8"))
    return paths


def _write_if_changed(path: Path, data: bytes) -> Path:
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def _pdf_copy(index: int, out: Path) -> tuple[Path, dict]:
    """A real PDF under a new name, with the manifest entry that makes it a department of its own."""
    source = REAL_PDFS[index // PDF_EVERY % len(REAL_PDFS)]
    n = index // PDF_EVERY
    department = DEPARTMENTS[n % len(DEPARTMENTS)]
    if n >= len(DEPARTMENTS):
        department = f"{department}第{n // len(DEPARTMENTS)}分局"
    path = _write_if_changed(out / f"{index:06d}_pdf.pdf", source.read_bytes())
    return path, {"department_name": PDF_DEPARTMENT.format(department=department)}


def _as_workbook(name: str, text: str, out: Path) -> Path:
    """The tab-separated document as an Excel workbook (the format fixtures' writer)."""
    import io
    import tempfile

    sys.path.insert(0, str(REPO / "tests" / "fixtures" / "formats"))
    from make_fixtures import document_blocks, write_xlsx

    blocks = document_blocks(text.encode("utf-8"), name)
    with tempfile.TemporaryDirectory() as scratch:
        written = Path(scratch) / "book.xlsx"
        write_xlsx(blocks, written)
        data = _normalised_xlsx(written.read_bytes(), io)
    return _write_if_changed(out / (name[:-4] + ".xlsx"), data)


def _normalised_xlsx(data: bytes, io) -> bytes:
    """The workbook with fixed zip timestamps and creation dates: the same N gives the same bytes."""
    import re as _re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", content)
            target.writestr(zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 2:  # `make bench` runs every script: without arguments, the usage
        print(__doc__)
        return 0 if not argv else 2
    paths = write_corpus(int(argv[0]), Path(argv[1]))
    print(f"{len(paths)} documents in {argv[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
