"""Raw tables for performance targets (绩效目标表) and self-evaluations (绩效自评表).

Filled in by the performance extraction (orchestration.extract.performance); see raw_schema.py for
the conventions. One row of `performance_target` is one indicator for one period (a table that
prints a half-year and an annual value gives two rows); one row of `performance_evaluation` is one
evaluated indicator or one 年度主要任务 line; `performance_project` has one row per project (or
department-wide) block of a target or evaluation table; `performance_funding` holds every amount a
funding block prints (收入 / 支出 lines, fund sources, sub-items of transfer projects).

Money is DECIMAL(18,4) in 万元 (tables printed in 元 converted); indicator numbers keep the unit they
are printed in (target_unit), so they are DECIMAL(20,6) and not money.
"""

from __future__ import annotations

import re
from functools import cache

from .raw_schema import PROVENANCE_COLUMNS

PERFORMANCE_TABLES: dict[str, str] = {
    "performance_target": """
        document_key          VARCHAR NOT NULL,
        table_seq             INTEGER NOT NULL,  -- order of the table in the document (financial tables included), from 1
        block_seq             INTEGER NOT NULL,  -- project block within the table, from 1
        row_seq               INTEGER NOT NULL,  -- order of the fact within the table, from 1
        source_table          VARCHAR NOT NULL,  -- the title as printed
        source_row            VARCHAR NOT NULL,  -- the indicator (三级指标) as printed, or the row's first cell
        line_number           INTEGER NOT NULL,  -- line of the source where the row starts
        project_name          VARCHAR,           -- as printed; NULL for a department-wide table
        matched_project_name  VARCHAR,           -- the department's project list entry it was linked to
        unit_name             VARCHAR,           -- 单位名称 / 部门（单位）名称 printed for the block, if any
        project_amount        DECIMAL(18,4),     -- 年度资金总额 (annual amount) in 万元
        period                VARCHAR NOT NULL,  -- annual | half_year | implementation_period
        level1_printed        VARCHAR,
        level1_name           VARCHAR,           -- normalised (产出 -> 产出指标, 效果指标 -> 效益指标 ...)
        level2_printed        VARCHAR,
        level2_name           VARCHAR,           -- normalised (社会效益 -> 社会效益指标 ...)
        level3_printed        VARCHAR,
        level3_name           VARCHAR,           -- white space removed; a name cut short is completed
        indicator_description VARCHAR,           -- 指标解释 / 绩效指标描述
        key_task              VARCHAR,           -- 重点工作
        target_text           VARCHAR,           -- the value as printed
        comparator            VARCHAR,           -- >= | <= | = | > | < | NULL when not printed
        target_value          DECIMAL(20,6),     -- NULL for a qualitative value
        target_unit           VARCHAR,
        weight                DECIMAL(9,4),      -- 权重
        basis                 VARCHAR,           -- 指标值确定依据
        cell_reading          VARCHAR NOT NULL,  -- positional | by_content (cells shifted) | split (run together)
        note                  VARCHAR            -- what was inferred, e.g. a level-1 taken from the level-2
    """
    + PROVENANCE_COLUMNS,
    "performance_evaluation": """
        document_key          VARCHAR NOT NULL,
        table_seq             INTEGER NOT NULL,
        block_seq             INTEGER NOT NULL,
        row_seq               INTEGER NOT NULL,
        source_table          VARCHAR NOT NULL,
        source_row            VARCHAR NOT NULL,
        line_number           INTEGER NOT NULL,
        project_name          VARCHAR,           -- NULL for a department-wide evaluation
        matched_project_name  VARCHAR,
        unit_name             VARCHAR,           -- 部门（单位）名称 printed for the block: a document may
                                                 -- evaluate several units (003: 106001 and 106050)
        row_kind              VARCHAR NOT NULL,  -- 'indicator' | 'task' (年度主要任务)
        level1_printed        VARCHAR,
        level1_name           VARCHAR,
        level2_printed        VARCHAR,
        level2_name           VARCHAR,
        level3_printed        VARCHAR,
        level3_name           VARCHAR,           -- for a task: the 对应项目
        target_text           VARCHAR,           -- 年度目标值 as printed (运算符号, 指标值, 度量单位 joined)
        comparator            VARCHAR,
        target_value          DECIMAL(20,6),
        target_unit           VARCHAR,
        actual_text           VARCHAR,           -- 全年完成值 as printed
        actual_value          DECIMAL(20,6),
        completion_text       VARCHAR,           -- 完成程度 as printed
        planned_amount        DECIMAL(18,4),     -- task: 项目下达金额 (万元)
        executed_amount       DECIMAL(18,4),     -- task: 项目执行金额 (万元)
        execution_rate_text   VARCHAR,           -- task: 项目执行率 as printed
        weight                DECIMAL(9,4),      -- 分值
        score                 DECIMAL(9,4),      -- 得分
        deviation_reason      VARCHAR,           -- 偏差 / 未完成原因分析
        improvement_measure   VARCHAR,           -- 改进措施
        cell_reading          VARCHAR NOT NULL,
        note                  VARCHAR
    """
    + PROVENANCE_COLUMNS,
    "performance_project": """
        document_key          VARCHAR NOT NULL,
        table_seq             INTEGER NOT NULL,
        block_seq             INTEGER NOT NULL,
        source_table          VARCHAR NOT NULL,
        line_number           INTEGER NOT NULL,  -- where the block starts
        table_kind            VARCHAR NOT NULL,  -- performance_target_project | performance_target_department |
                                                 -- performance_evaluation_project | performance_evaluation_department
        is_department_wide    BOOLEAN NOT NULL,
        project_name          VARCHAR,           -- as printed; NULL for a department-wide block
        matched_project_name  VARCHAR,
        department_name       VARCHAR,           -- 单位名称 / 部门（单位）名称 as printed
        source_unit           VARCHAR,           -- unit the amounts were printed in: 万元 | 元
        budget_amount         DECIMAL(18,4),     -- 年度资金总额 / 全年预算数 / 项目预算金额
        implementation_amount DECIMAL(18,4),     -- 实施期资金总额
        half_year_amount      DECIMAL(18,4),     -- 半年计划执行数 (支出)
        executed_amount       DECIMAL(18,4),     -- 全年执行数
        execution_rate_text   VARCHAR,           -- 执行率 as printed
        execution_rate        DECIMAL(9,4),      -- in percent
        indicator_score       DECIMAL(9,4),      -- 指标自评得分小计
        execution_score       DECIMAL(9,4),      -- 预算执行率得分
        deduction             DECIMAL(9,4),      -- 减分项
        total_score           DECIMAL(9,4),      -- 绩效自评总得分 / 总评价得分
        total_score_text      VARCHAR,
        competent_department  VARCHAR,           -- 主管部门
        project_type          VARCHAR,           -- 项目类型 / 项目属性
        project_level         VARCHAR,           -- 项目级次
        implementing_unit     VARCHAR,           -- 实施单位
        start_date            VARCHAR,           -- 开始时间 as printed
        end_date              VARCHAR,           -- 完成时间 as printed
        necessity             VARCHAR,           -- 立项必要性
        long_term_goal        VARCHAR,           -- 中长期目标
        implementation_goal   VARCHAR,           -- 实施期目标
        annual_goal           VARCHAR,           -- 年度目标 / 年度绩效目标 / 绩效目标 / 年初设定目标
        actual_outcome        VARCHAR,           -- 全年实际完成情况
        attributes            VARCHAR,           -- JSON object: every attribute as printed (label -> text)
        indicator_rows        INTEGER NOT NULL,  -- indicator rows read (facts + quarantined)
        target_facts          INTEGER NOT NULL,
        evaluation_facts      INTEGER NOT NULL
    """
    + PROVENANCE_COLUMNS,
    "performance_funding": """
        document_key          VARCHAR NOT NULL,
        table_seq             INTEGER NOT NULL,
        block_seq             INTEGER NOT NULL,
        source_table          VARCHAR NOT NULL,
        source_row            VARCHAR NOT NULL,  -- the line's label as printed
        line_number           INTEGER NOT NULL,
        project_name          VARCHAR,           -- NULL for a department-wide table
        flow                  VARCHAR NOT NULL,  -- revenue | expenditure | source (county fund sources)
        item_name             VARCHAR NOT NULL,  -- label, white space removed (资金总额, 一般公共预算资金, a sub-item ...)
        line_role             VARCHAR NOT NULL,  -- what the line is to the block's sums: total | fiscal_subtotal |
                                                 -- fiscal_source | source (收入); total | basic | project |
                                                 -- executed | item (支出). performance_vocabulary.yaml line_roles
        period                VARCHAR NOT NULL,  -- annual | half_year | implementation_period
        raw_value             VARCHAR NOT NULL,
        amount                DECIMAL(18,4) NOT NULL,  -- 万元
        source_unit           VARCHAR NOT NULL
    """
    + PROVENANCE_COLUMNS,
}

_COLUMN_NAME = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+[A-Z]", re.MULTILINE)


@cache
def performance_columns(table: str) -> tuple[str, ...]:
    """The column names of one performance raw table, in DDL order."""
    return tuple(_COLUMN_NAME.findall(PERFORMANCE_TABLES[table]))
