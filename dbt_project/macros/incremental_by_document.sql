{#-
    Per-document models: every row belongs to one document (document_key, never NULL), and nothing in
    a document's rows depends on another document. Such a model is incremental by document:

    - the load step (orchestration/warehouse/load.py) lists in raw_state.pending every document inserted
      into or deleted from the raw tables since the last successful dbt build, and the dbt step clears
      the list only after a build succeeded (a failed build leaves it, so the next build redoes them);
    - an incremental build deletes the rows of the pending documents (changed or removed: a pre-hook, so
      a removed document without new rows disappears too), then appends the rows computed from the
      pending documents' inputs only (for_changed_documents around each per-document input);
    - a full refresh (a new warehouse, a changed dbt project, `--full-refresh`: orchestration/assets/dbt.py)
      builds the model whole, as a table. Without a raw_state.pending table (a warehouse whose raw tables
      were written whole, e.g. by tests) every document counts as changed: the same result as a rebuild.

    Cross-document models (dimensions, department dedupe, code resolution, data-quality summary) stay
    tables, rebuilt from these whole tables in every build.
-#}

{% macro incremental_by_document() -%}
    {#- Call first in a per-document model. The source() call records the dependency on the pending
        list at parse time, where is_incremental() is false and the filters below say nothing. -#}
    {%- set pending = source('raw_state', 'pending') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_changed_documents() }}"
    ) }}
{%- endmacro %}


{% macro changed_documents_condition(column='document_key') -%}
    {#- The condition that keeps the rows of the pending documents; `true` when there is no pending list. -#}
    {%- set pending = source('raw_state', 'pending') -%}
    {%- set present = adapter.get_relation(
        database=pending.database, schema=pending.schema, identifier=pending.identifier
    ) if execute else none -%}
    {%- if present is none -%}
        true
    {%- else -%}
        {{ column }} in (select document_key from {{ pending }})
    {%- endif -%}
{%- endmacro %}


{% macro for_changed_documents(relation) -%}
    {#- A per-document input of a per-document model: whole in a full build, only the pending documents'
        rows in an incremental one. -#}
    {%- if is_incremental() -%}
        (select * from {{ relation }} where {{ changed_documents_condition() }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}


{% macro delete_changed_documents() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ changed_documents_condition() }}
    {%- endif -%}
{%- endmacro %}


{#-
    Tests of a per-document model are scoped to the pending documents in an incremental build, where
    that gives the result of the whole test. The rows of every other document are the rows that passed
    it in the last complete build (a failing build clears no pending document, and a full refresh tests
    everything), so a test is scoped when an unchanged document's rows cannot fail it now:

    - a test about each row on its own (not_null, accepted_values), or about the rows of one document
      (unique_combination_of_columns with document_key, relationships_on_columns on document_key);
    - relationships from a per-document model to a dimension or another per-document model: every key
      such a row holds is made from its own document (document, department, project, indicator,
      source cell) or from the reference seeds (codes), and the row it names is built from that same
      document or seed, so it is there as long as the document is unchanged (a changed seed is a
      changed project: a full refresh).

    A key that must be unique across documents (unique, unique_combination_of_columns without
    document_key) is counted over the whole table, but only for the keys the pending documents' rows
    hold (`changed_keys_condition`): two unchanged rows sharing a key would have failed the last
    complete build, so every duplicate now involves a pending row, and every duplicate the whole test
    finds is found. On 2 million cells that is one semi-join instead of a group-by of every key.

    Warnings and every test of the other models run whole. Per-document models are the
    incremental_by_document models, the staging views over the raw tables (rows of one document each,
    renamed and cast) and the raw tables themselves (a test of a source `raw.*`).
-#}
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if execute and test_scoped_to_changed_documents() -%}
        {%- set scope = changed_documents_condition() -%}
        {%- set where = '(' ~ where ~ ') and ' ~ scope if where else scope -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{% macro test_of_per_document_rows() -%}
    {#- Whether this test, failing the build (severity error) in an incremental build, tests a
        per-document relation: an incremental_by_document model, a staging view over the raw tables, or
        a raw table (a test of a source raw.*). -#}
    {%- if flags.FULL_REFRESH or (config.get('severity') or '') | lower != 'error' -%}
        {%- do return(false) -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') -%}
    {%- if tested is none -%}
        {%- set inputs = model.depends_on.nodes -%}
        {%- do return(inputs | length == 1 and inputs[0].startswith('source.cnbudget.raw.')) -%}
    {%- endif -%}
    {%- set inputs = tested.depends_on.nodes -%}
    {%- set raw_inputs = [] -%}
    {%- for node in inputs if node.startswith('source.cnbudget.raw.') -%}
        {%- do raw_inputs.append(node) -%}
    {%- endfor -%}
    {%- set raw_staging = inputs | length > 0 and raw_inputs | length == inputs | length -%}
    {%- do return('macro.cnbudget.incremental_by_document' in tested.depends_on.macros or raw_staging) -%}
{%- endmacro %}


{% macro test_scoped_to_changed_documents() -%}
    {%- set test = model.get('test_metadata') or {} -%}
    {%- set kwargs = test.get('kwargs') or {} -%}
    {%- set columns = kwargs.get('combination_of_columns') or kwargs.get('columns') or [] -%}
    {%- set about_one_document = test.get('name') in ['not_null', 'accepted_values', 'relationships']
        or (test.get('name') in ['unique_combination_of_columns', 'relationships_on_columns']
            and 'document_key' in columns) -%}
    {%- do return(about_one_document and test_of_per_document_rows()) -%}
{%- endmacro %}


{% macro changed_keys_condition(model, columns, tested='tested_rows') -%}
    {#- For a uniqueness test across documents: keep the rows of `tested` (the alias of `model`'s rows
        in the test) whose key (`columns`, compared as GROUP BY does: NULL equals NULL) one of the
        pending documents' rows holds; `true` outside an incremental build of a per-document relation. -#}
    {%- if execute and test_of_per_document_rows() -%}
        exists (
            select 1 from (select * from {{ model }}) as changed_rows
            where {{ changed_documents_condition('changed_rows.document_key') }}
            {%- for column in columns %}
                and changed_rows.{{ column }} is not distinct from {{ tested }}.{{ column }}
            {%- endfor %}
        )
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{% macro duckdb__test_unique(model, column_name) -%}
    {#- dbt's unique test, counting only the keys of the pending documents' rows when that gives the
        whole result (changed_keys_condition). -#}
    select
        tested_rows.{{ column_name }} as unique_field,
        count(*) as n_records
    from (select * from {{ model }}) as tested_rows
    where tested_rows.{{ column_name }} is not null
        and {{ changed_keys_condition(model, [column_name]) }}
    group by tested_rows.{{ column_name }}
    having count(*) > 1
{%- endmacro %}
