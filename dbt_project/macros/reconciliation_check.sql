{#
    One evaluation of a within-table rule, as int_reconciliation_within_table unions its rules (by name)
    before it decides every verdict in one place: each rule's CTE states only what is its own.

    Arguments are SQL expressions, a literal with its quotes (check_name="'fiscal_equals_its_budgets'"),
    except `located_by` ('row' or 'column'), `at` (an alias) and `grouped` (true or false):
      check_name, rule   which rule, and the rule in words for the finding;
      found              the figure the table prints;
      expected           the sum of its parts; `summands`: how many parts are printed (the rounding tolerance
                         grows with it); `parts`: the parts as the finding lists them;
      located_by         'row' when the parts lie along the figure's row, 'column' when down its column: where
                         quarantined cells that may be among the parts are looked for;
      at                 alias of the relation that holds the figure's cell or row, whose document_key,
                         table_seq, source_table, source_row, line_number and column_label are taken unless
                         given (none: the query's own unqualified columns);
      grouped            true when the rule's query groups the parts under the figure: `at`'s columns other
                         than document_key and table_seq (group keys) are then taken with any_value();
      code               the figure's code, where the rule is about a coded row;
      unplaceable_rows   rows whose code is too damaged to place: parts that could not be read.
#}
{% macro reconciliation_check(
    check_name, rule, found, expected, summands, parts, located_by,
    at=none, grouped=false, source_row=none, line_number=none, column_label=none,
    code='null', unplaceable_rows='0'
) -%}
    {%- set prefix = (at ~ '.') if at else '' -%}
    {%- set printed = {} -%}
    {%- for column in ['source_table', 'source_row', 'line_number', 'column_label'] -%}
        {%- set qualified = prefix ~ column -%}
        {%- do printed.update({column: ('any_value(' ~ qualified ~ ')') if grouped else qualified}) -%}
    {%- endfor -%}
    {{ prefix }}document_key as document_key,
    {{ prefix }}table_seq as table_seq,
    {{ printed.source_table }} as source_table,
    {{ check_name }} as check_name,
    {{ rule }} as rule,
    {{ source_row or printed.source_row }} as source_row,
    {{ line_number or printed.line_number }} as line_number,
    {{ column_label or printed.column_label }} as column_label,
    {{ code }} as code,
    {{ found }} as found,
    {{ expected }} as expected,
    {{ summands }} as summands,
    {{ parts }} as parts,
    '{{ located_by }}' as located_by,
    {{ unplaceable_rows }} as unplaceable_rows
{%- endmacro %}

{#
    A rule of the form "the total printed in one cell = the sum of its parts' cells in the same column": the
    rule's query joins the parts (alias `part`) to the total's cell (alias `total`) and groups by that cell.
    A part that is not printed (NULL) counts as zero and is not a summand. `part_label` names a part in the
    finding; at most `at_most` parts are listed (none: all of them).
#}
{% macro reconciliation_sum_of_cells(
    check_name, rule, total, part, part_label, order_by, at_most=12, code='null', unplaceable_rows='0'
) -%}
    {{ reconciliation_check(
        check_name=check_name,
        rule=rule,
        found='any_value(' ~ total ~ '.amount)',
        expected='coalesce(sum(' ~ part ~ '.amount), 0)',
        summands='count(' ~ part ~ '.amount)',
        parts=reconciliation_listed_parts(part_label, part ~ '.amount', order_by, at_most),
        located_by='column',
        at=total,
        grouped=true,
        code=code,
        unplaceable_rows=unplaceable_rows
    ) }}
{%- endmacro %}

{#
    The parts of a grouped sum as a finding lists them, "label amount + label amount ...", in `order_by`
    order, skipping parts that are not printed; beyond `at_most` parts (none: no limit) the list ends in "…".
#}
{% macro reconciliation_listed_parts(label, amount, order_by, at_most=12) -%}
    {%- set listed -%}
        list({{ label }} || ' ' || {{ amount_text(amount) }} order by {{ order_by }})
            filter (where {{ amount }} is not null)
    {%- endset -%}
    {%- if at_most is none -%}
        array_to_string({{ listed }}, ' + ')
    {%- else -%}
        array_to_string(list_slice({{ listed }}, 1, {{ at_most }}), ' + ')
            || case when count({{ amount }}) > {{ at_most }} then ' + …' else '' end
    {%- endif -%}
{%- endmacro %}

{#
    Named parts of one row or column as a finding lists them: "personnel 12.30 + public 4.50". Each item is
    a [label, amount expression] pair, or SQL text that is already a listed part; parts that are not printed
    (NULL) are left out. A single item is not wrapped in concat_ws, which would turn NULL into ''.
#}
{% macro reconciliation_parts(items) -%}
    {%- set listed = [] -%}
    {%- for item in items -%}
        {%- if item is string -%}
            {%- do listed.append(item) -%}
        {%- else -%}
            {%- do listed.append("'" ~ (item[0] | replace("'", "''")) ~ " ' || " ~ amount_text(item[1])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if listed | length == 1 -%}
        {{ listed[0] }}
    {%- else -%}
        concat_ws(' + ', {{ listed | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{#
    In a query that groups cells: the sum of the amounts of the cells that meet `condition` (SQL), as
    `sum_as`, and how many such cells there are, as `count_as` (the summands of the rounding tolerance).
    One condition for both, so that the count is always of the cells summed.
#}
{% macro reconciliation_sum_and_count(condition, sum_as, count_as) -%}
    sum(amount) filter (where {{ condition }}) as {{ sum_as }},
    count(*) filter (where {{ condition }}) as {{ count_as }}
{%- endmacro %}

{#
    Every rule's CTE, one after the other, as one relation (`union all by name`): a model lists its rules
    by name, then decides every verdict in one place.
#}
{% macro reconciliation_rules(rules) -%}
    {%- for rule in rules %}
    select * from {{ rule }}
    {%- if not loop.last %}
    union all by name
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
