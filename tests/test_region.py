"""The region a text is from (text.region): who says 元 means HKD, MOP or TWD, and who gives up."""

from extract.text.region import article_region, currency_of, paragraph_regions
from extract.text.view import make_view


def _view(text: str):
    view = make_view(text)
    return view.text, view.traditional


def test_a_traditional_hong_kong_article() -> None:
    text, trad = _view("財政預算案公佈\n林國棟表示，本港經濟增長2.8%，訪港旅客回升。")
    assert trad and article_region(text, trad) == "HK"
    assert currency_of(article_region(text, trad)) == "HKD"


def test_a_macau_paragraph_inside_a_hong_kong_article() -> None:
    text, trad = _view("全港零售\n香港零售業銷貨額上升，全港商戶受惠，本港旅客增加。\n澳門旅遊局表示，氹仔酒店入住率上升。")
    regions = [r for _, _, r in paragraph_regions(text, trad)]
    assert regions == ["HK", "HK", "MO"]


def test_a_taiwan_release() -> None:
    text, trad = _view("主計總處發布統計\n行政院主計總處指出，全台平均薪資為46,850元。")
    assert article_region(text, trad) == "TW"


def test_mainland_news_that_names_hong_kong_keeps_no_region() -> None:
    text, trad = _view("吉林省与香港企业签约\n全省与香港签约项目12个，我省总投资35亿元，香港客商参会。")
    assert not trad and article_region(text, trad) is None
    assert all(r is None for _, _, r in paragraph_regions(text, trad))


def test_a_simplified_article_needs_its_region_in_the_first_line() -> None:
    assert article_region("零售市场回暖\n香港零售额上升，全港商户受惠。") is None
    assert article_region("香港零售市场回暖\n香港零售额上升，全港商户受惠。") == "HK"


def test_nothing_said_is_no_region() -> None:
    assert article_region("全市经济运行平稳。") is None
    assert paragraph_regions("") == [(0, 0, None)]
    assert currency_of(None) is None
