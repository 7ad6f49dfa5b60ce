{#
    A relationship over a composite key: every row's (columns) exists in `to`. Rows with a NULL in any
    of the columns are not checked (as the built-in `relationships` does for its one column).
#}
{% test relationships_on_columns(model, to, columns) %}
    select child.*
    from (select * from {{ model }}) as child
    where {% for column in columns %}child.{{ column }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
      and not exists (
        select 1
        from {{ to }} as parent
        where {% for column in columns %}parent.{{ column }} = child.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
      )
{% endtest %}
