{#
    A deterministic surrogate key: md5 of the natural key's parts joined with '|'. NULL parts become
    the empty string (so a key never disappears because one part is missing) and every part is cast
    to text first, so integers hash the same in every model.
#}
{% macro stable_key(parts) -%}
    md5(concat_ws('|'
        {%- for part in parts %}, coalesce(cast({{ part }} as varchar), ''){% endfor -%}
    ))
{%- endmacro %}
