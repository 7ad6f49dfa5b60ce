{#
    The comparison form of a printed classification name, the SQL twin of
    orchestration.reference.normalise_name: white space removed, full-width brackets made half-width,
    其它 -> 其他, leading numbering ("二十、", "(一)", "1、", "①", "其中：") and level markers ("(类)")
    dropped. Names are then compared exactly, never fuzzily.
#}
{% macro comparison_name(expression) -%}
    regexp_replace(
        regexp_replace(
            replace(replace(replace(
                regexp_replace({{ expression }}, '[\s\x{00A0}\x{3000}\x{200B}\x{FEFF}]+', '', 'g'),
            '（', '('), '）', ')'), '其它', '其他'),
            '^(?:其中[:：]?|\([一二三四五六七八九十百零〇0-9]{1,4}\)|[一二三四五六七八九十百零〇]{1,4}[、.．]|[0-9]{1,2}[、．]|[①-⑳])+',
            ''
        ),
        '\((?:类|款|项)\)', '', 'g'
    )
{%- endmacro %}
