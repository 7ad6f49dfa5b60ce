"""Table and column descriptions for `datapackage.json`, taken from the dbt docs (and which models are
built by document).

dbt writes every model's documented description into `dbt_project/target/manifest.json`; the release
reuses them so the package says what the dbt docs say. Columns the manifest does not describe (or a
warehouse built without a manifest) fall back to the wording of contract v1 below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# The pre-hook every per-document model has (dbt_project/macros/incremental_by_document.sql).
_PER_DOCUMENT_HOOK = "delete_changed_documents"


@dataclass(frozen=True)
class ModelDocs:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    # Built by document (incremental, deleting the changed documents' rows first): a document's rows
    # depend on that document alone (publish/document_scope.py relies on it).
    per_document: bool = False


CONTRACT_COLUMN_DESCRIPTIONS: dict[str, str] = {
    "amount": "Amount in 万元 (CNY 10,000), DECIMAL(18,4); a source printed in 元 is converted.",
    "document_key": "Deterministic key of the source document.",
    "department_key": "Deterministic key of the department (hash of its normalised name).",
    "fiscal_year": "Fiscal year the document covers.",
    "source_table": "Title of the source table as printed.",
    "source_row": "Row label of the source table as printed.",
    "phase": "budget (预算) or final_account (决算).",
    "fund_scope": "all, fiscal (财政拨款), general_public_budget, government_fund or state_capital.",
    "function_code": "Functional classification code (类/款/项: 3, 5 or 7 digits), as text.",
    "function_name": "Name of the functional classification code.",
    "economic_code": "Economic classification code (3 or 5 digits), as text.",
    "economic_name": "Name of the economic classification code.",
    "scheme": "department (部门预算支出经济分类, 301-399) or government (政府预算支出经济分类, 501-599).",
    "expenditure_type": "total, basic (基本支出), project (项目支出), personnel (人员经费) or public (公用经费).",
    "cost_type": "total, personnel or public.",
    "code_inferred": "True when the source omitted or truncated the code and it was inferred from the name.",
    "revenue_source": "Source of revenue (contract v1 revenue_source codes).",
    "category": "三公 category: total, overseas_travel, official_reception, vehicle_total, vehicle_purchase, "
    "vehicle_operation.",
    "measure": "三公 measure: budget or final.",
    "project_key": "Deterministic key of the project.",
    "fund_source": "A revenue_source value, or total.",
    "indicator_key": "Deterministic key of the performance indicator.",
    "period": "annual, half_year or implementation_period (实施期).",
    "department_name": "Department name, normalised (full-width brackets unified).",
    "department_code": "Department code as printed (nullable).",
    "admin_level": "province, prefecture or county.",
    "division_code": "6-digit administrative division code (行政区划代码), nullable.",
    "source_name": "File name of the source document.",
    "sha256": "sha256 of the source document's bytes.",
    "doc_type": "budget, final_account, performance_target or performance_evaluation.",
    "check_name": "Name of the data-quality check.",
    "severity": "error, warning or info.",
    "detail": "What was expected, what was found, and where (row label and column).",
    "column_label": "Column header as printed.",
    "raw_value": "The cell as printed.",
    "reason": "Why the row was quarantined.",
}


def load_model_docs(manifest_path: Path | None, schema: str = "marts") -> dict[str, ModelDocs]:
    """Descriptions of the models dbt builds into `schema`, by relation name; empty without a manifest."""
    if manifest_path is None or not manifest_path.is_file():
        return {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    docs: dict[str, ModelDocs] = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot") or node.get("schema") != schema:
            continue
        name = node.get("alias") or node.get("name")
        columns = {
            column_name: (column.get("description") or "").strip()
            for column_name, column in (node.get("columns") or {}).items()
        }
        config = node.get("config") or {}
        hooks = " ".join(str(hook.get("sql", "")) for hook in config.get("pre-hook") or [])
        docs[name] = ModelDocs(
            description=(node.get("description") or "").strip(),
            columns={name: text for name, text in columns.items() if text},
            per_document=config.get("materialized") == "incremental" and _PER_DOCUMENT_HOOK in hooks,
        )
    return docs


def column_description(docs: ModelDocs | None, column: str) -> str:
    if docs is not None and docs.columns.get(column):
        return docs.columns[column]
    return CONTRACT_COLUMN_DESCRIPTIONS.get(column, "")
