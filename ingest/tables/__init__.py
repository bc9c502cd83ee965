"""Table parsers by layout. ``catalog`` says which standard table each one reads:

- ``two_sided``        公开01 收入支出决算总表, 公开04 财政拨款收入支出决算总表 (income left, expenditure right)
- ``header_grid``      公开02 收入决算表, 公开03 支出决算表, 公开05 一般公共预算财政拨款支出决算表,
                       公开07 “三公”经费支出决算表, 公开08 政府性基金预算财政拨款收入支出决算表
- ``economic_groups``  公开06 一般公共预算财政拨款基本支出决算表 (three code/name/amount groups per line)
"""
