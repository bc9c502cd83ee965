{% macro part_columns() -%}
    -- Column headers that print a part of a row beside its total (合计 | 基本支出 | 项目支出, 合计 | 人员经费 |
    -- 公用经费): the one amount of a row under none of them is the row's total.
    ('基本支出', '项目支出', '人员经费', '公用经费', '上缴上级支出', '经营支出', '对附属单位补助支出',
     '事业单位经营支出')
{%- endmacro %}
