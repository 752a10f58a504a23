"""The report in a real browser (headless Chromium, one launch for every check): marks and their
records, links from the facts table, search, a hostile article kept inert, and no console errors.

Skips, saying why, where no Chromium can be had (``make browser`` installs Debian's where it can).
The screenshot it takes is left in the test's temporary folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from chromium import BrowserUnavailable, launch  # noqa: E402

from extract.report import build  # noqa: E402

TRADE = "2025年，长春市进出口总额达到1824.6亿元，同比增长6.3%。吉林省商务厅表示，外贸企业超过3000家。\n"
HOSTILE = ("標題：<script>window.__pwned=1</script>出口額達3億元，</textarea><b>粗</b>\n"
           "<img src=x onerror=\"window.__pwned=2\">進口增長5%。" + "长" * 4000 + "\n")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("news")
    (folder / "a_trade.txt").write_text(TRADE, encoding="utf-8")
    (folder / "b_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = folder.parent / "report.html"
    build(folder, out, metric="进出口总额")
    try:
        driver = launch(1280, 900)
    except BrowserUnavailable as exc:
        pytest.skip(f"no headless Chromium for the browser test: {exc}")
    driver.get(out.as_uri())
    yield driver, folder.parent
    driver.quit()


def _console_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_report_in_headless_chromium(page) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, folder = page
    run = driver.execute_script
    # the overview shows first, with its charts drawn
    assert run("return document.querySelector('#overview').offsetParent !== null")
    assert run("return document.querySelectorAll('#overview figure svg').length") >= 3

    # an article: every quantity and entity marked, a record on hover with the normalized value
    driver.get(driver.current_url.split("#")[0] + "#d0")
    assert run("return document.querySelector('#overview').offsetParent") is None
    assert run("return document.querySelectorAll('#d0 mark.q').length") == 3
    assert run("return document.querySelectorAll('#d0 mark.e.l-ORG').length") >= 1
    amount = driver.find_element(By.ID, "d0-q0")
    assert amount.text == "1824.6亿元"
    ActionChains(driver).move_to_element(amount).perform()
    tip = driver.find_element(By.ID, "tip")
    assert tip.is_displayed()
    assert "182,460,000,000 CNY" in tip.text and "进出口总额" in tip.text and "长春市" in tip.text
    rate = driver.find_element(By.ID, "d0-q1")
    ActionChains(driver).move_to_element(rate).perform()
    assert "6.3 %" in tip.text and "year on year" in tip.text

    # the facts table, one row per quantity; a row leads to its mark and pins the record
    assert run("return document.querySelectorAll('#d0 table.facts tbody tr').length") == 3
    driver.find_element(By.CSS_SELECTOR, '#d0 a.jump[href="#d0-q2"]').click()
    assert "pinned" in tip.get_attribute("class") and "3,000" in tip.text
    driver.save_screenshot(str(folder / "report-article.png"))
    assert (folder / "report-article.png").stat().st_size > 10_000

    # the hostile article: its text shown as text, its markup inert, its long line wrapped
    driver.get(driver.current_url.split("#")[0] + "#d1")
    assert run("return window.__pwned === undefined")
    assert run("return document.querySelectorAll('#d1 .article img, #d1 .article script, textarea').length") == 0
    assert run("return document.querySelector('#d1 .article').textContent") == HOSTILE
    assert run("var a = document.querySelector('#d1 .article'); return a.scrollWidth <= a.clientWidth + 1")
    assert run("return document.querySelectorAll('#d1 mark.q').length") == 2

    # search narrows the list of documents
    box = driver.find_element(By.ID, "search")
    box.send_keys("出口額")
    assert run("return [...document.querySelectorAll('#doclist li[data-doc]')].filter(li => !li.hidden)"
               ".map(li => li.dataset.doc)") == ["d1"]
    assert _console_errors(driver) == []
