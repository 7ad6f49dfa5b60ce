{#
    The contract's deterministic keys, defined once so that every model builds the same key from the
    same natural key (a project found in a project table and in a target table must get one key).
#}

{# department_key: md5 of the normalised department name. #}
{% macro department_key(department_name) -%}
    case when {{ normalised_name(department_name) }} is not null
        then {{ stable_key([normalised_name(department_name)]) }}
    end
{%- endmacro %}

{# project_key: md5(department_key | fiscal_year | normalised project name); NULL without a name. #}
{% macro project_key(department_key, fiscal_year, project_name) -%}
    case when {{ normalised_name(project_name) }} is not null
        then {{ stable_key([department_key, fiscal_year, normalised_name(project_name)]) }}
    end
{%- endmacro %}

{# indicator_key: md5(level1 | level2 | level3), each name normalised (a missing level is empty). #}
{% macro indicator_key(level1_name, level2_name, level3_name) -%}
    {{ stable_key([normalised_name(level1_name), normalised_name(level2_name), normalised_name(level3_name)]) }}
{%- endmacro %}
