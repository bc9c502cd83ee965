"""Which table family a printed title names, across the layouts of the provinces' templates.

The central template's 部门预算 titles drop 预算 where the Shanghai/Jiangsu ones print it
(部门收入总表 for 收入预算总表); a continuation prints 续表 after the title.
"""
import pytest

from ingest.tables.catalog import family_for_title


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("部门收支总表", "GK01"),
        ("部门收入总表", "GK02"),
        ("部门支出总表", "GK03"),
        ("财政拨款收支总表", "GK04"),
        ("一般公共预算支出表", "GK05"),
        ("一般公共预算基本支出表", "GK06"),
        ("一般公共预算“三公”经费支出表", "GK07"),
        ("政府性基金预算支出表", "GK08"),
        ("国有资本经营预算支出表", "GK09"),
        # Shanghai / Jiangsu budget titles keep working
        ("2025年部门收支预算总表", "GK01"),
        ("财政拨款收支预算总表", "GK04"),
        ("收入预算总表", "GK02"),
        ("支出预算总表", "GK03"),
        ("一般公共预算支出功能分类预算表", "GK05"),
        # a continuation names the same family
        ("部门收入总表（续表）", "GK02"),
        ("部门收入总表续表", "GK02"),
    ],
)
def test_budget_titles_name_their_family(title: str, code: str) -> None:
    family = family_for_title(title)
    assert family is not None, title
    assert family.code == code


@pytest.mark.parametrize("title", ["部门收支情况说明", "一般公共预算支出情况", "目录"])
def test_prose_headings_are_not_tables(title: str) -> None:
    assert family_for_title(title) is None


def test_an_appendix_of_final_three_public_figures_is_not_the_budget_table() -> None:
    # a narrative's appendix (附表) of 三公 final figures per sub-unit: not 公开07, not a budget table
    assert family_for_title("附表：2018年财政拨款“三公”经费决算情况表") is None
