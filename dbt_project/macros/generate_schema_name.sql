{#
    Custom schemas are used as they are (`staging`, `intermediate`, `marts`, seeds in `reference`),
    not prefixed with the target schema: users and the release read `marts.<table>` by that name.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
