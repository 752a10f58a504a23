"""Regenerate the README's screenshots of the review report (``make screenshots``).

Writes the report of ``corpus/`` to ``out/report.html`` (what ``extract show corpus/ --out
out/report.html --metric 进出口总额`` writes), then photographs in headless Chromium the corpus
overview and one article with a quantity's record open: ``docs/report-overview.png`` and
``docs/report-article.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from chromium import launch  # noqa: E402

from extract.report import build  # noqa: E402

METRIC = "进出口总额"
ARTICLE = "01_jilin_trade_review.txt"
QUANTITY = "年均增长5.1%"  # the record opened in the article's picture: the first mark inside this


def main() -> None:
    report = ROOT / "out" / "report.html"
    docs = build(ROOT / "corpus", report, metric=METRIC)
    index = next(i for i, d in enumerate(docs) if d.doc_id == ARTICLE)
    doc = docs[index]
    at = doc.text.index(QUANTITY)
    ref = next(j for j, q in enumerate(doc.quantities) if at <= q["start"] < at + len(QUANTITY))
    docs_dir = ROOT / "docs"
    docs_dir.mkdir(exist_ok=True)
    driver = launch(1400, 1250)
    try:
        driver.get(report.as_uri())
        driver.save_screenshot(str(docs_dir / "report-overview.png"))
        driver.get(f"{report.as_uri()}#d{index}-q{ref}")  # pins the record, as a click on the mark does
        driver.execute_script("window.scrollTo(0, 0); document.getElementById('tip').hidden = true;"
                              "document.getElementById(arguments[0]).click();", f"d{index}-q{ref}")
        driver.save_screenshot(str(docs_dir / "report-article.png"))
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        driver.quit()
    if errors:
        sys.exit(f"console errors in the report: {errors}")
    print(f"{report} -> {docs_dir}/report-overview.png, {docs_dir}/report-article.png")


if __name__ == "__main__":
    main()
