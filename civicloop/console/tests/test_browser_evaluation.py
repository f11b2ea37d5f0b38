"""The evaluation inside the console, in Chromium: menu, charts with every label,
downloads with a visible "preparing" state, the language switch; screenshots."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)
JUNE = "period=2026-06"

CHART_STATE = """() => {
  const el = document.getElementById("chart-ranking");
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return {labels: option.yAxis[0].data, interval: option.yAxis[0].axisLabel.interval,
          height: el.clientHeight, canvas: el.querySelectorAll("canvas").length};
}"""


def test_evaluation_in_the_console(sign_in, live_server, month, loop, screenshots):
    page = sign_in("dispatcher")
    page.click("#nav-evaluation")
    page.wait_for_url("**/console/evaluation/")
    assert page.locator("#nav-evaluation.on").count() == 1
    assert page.locator("#logout").count() == 1
    page.goto(f"{live_server.url}/console/evaluation/?{JUNE}")
    page.wait_for_load_state("networkidle")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 3  # west, cleaning, east; the empty units are hidden
    assert page.locator("#empty-toggle a").count() == 1
    state = page.evaluate(CHART_STATE)
    assert state["labels"] == ["西街道办事处", "环卫清扫公司", "东街道办事处"]
    assert state["interval"] == 0 and state["canvas"] >= 1
    trend = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-trend'))"
        ".getOption().xAxis[0].axisLabel.interval"
    )
    assert trend == 0
    assert page.locator("#red-list li").first.inner_text() == "西街道办事处（92.5，A）"
    page.wait_for_timeout(700)  # chart animations, for the screenshot
    page.screenshot(path=str(screenshots / "evaluation.png"), full_page=True)

    # The ledger: the link says it is preparing at once, then the file arrives.
    with page.expect_download() as download:
        busy = page.evaluate(
            "() => { const a = document.getElementById('download-ledger'); a.click();"
            " return [a.classList.contains('preparing'), a.getAttribute('aria-busy'),"
            " a.textContent, document.querySelector('.download-status').textContent]; }"
        )
    assert busy[0] is True and busy[1] == "true"
    assert "正在生成台账" in busy[2] and "正在生成台账" in busy[3]
    assert download.value.suggested_filename == "ledger-2026-06.xlsx"
    page.wait_for_function(
        "() => !document.getElementById('download-ledger').classList.contains('preparing')"
    )
    with page.expect_download() as download:
        page.click("#download-bulletin")
    assert download.value.suggested_filename == "bulletin-2026-06.pdf"

    # The numbers open their cases, inside the console.
    page.locator("#ranking tbody tr").first.locator("td a").first.click()
    page.wait_for_url("**/console/evaluation/cases/**")
    assert page.locator("#total").count() == 1 and page.locator("#logout").count() == 1
    page.click("#back")
    page.wait_for_url("**/console/evaluation/?scope=unit**")

    # The language switch keeps the page and turns it English.
    page.goto(f"{live_server.url}/console/evaluation/?{JUNE}&scope=street")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert "scope=street" in page.url
    assert page.locator("h1").inner_text().startswith("Evaluation")
    page.wait_for_timeout(700)
    page.screenshot(path=str(screenshots / "evaluation-en.png"), full_page=True)


def test_a_handler_sees_the_evaluation_without_downloads(sign_in, live_server, month, loop):
    page = sign_in("handler_west")
    assert page.locator("#nav-evaluation").count() == 1
    page.goto(f"{live_server.url}/console/evaluation/?{JUNE}")
    assert page.locator("#ranking tbody tr").count() == 1
    assert page.locator("#download-ledger").count() == 0
    assert page.locator("#scope-street").count() == 0
    inspector = sign_in("inspector")
    assert inspector.locator("#nav-evaluation").count() == 0


def test_case_list_export_and_case_sheet_download(sign_in, live_server, month, loop):
    page = sign_in("acceptor")
    page.goto(f"{live_server.url}/console/cases/?state=closed")
    href = page.locator("#export-xlsx").get_attribute("href")
    assert href == "/console/cases/export.xlsx?state=closed"
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"{live_server.url}/console/cases/{month['A'].pk}/")
    with page.expect_download() as download:
        page.click("#case-sheet")
    assert download.value.suggested_filename == f"case-{month['A'].number}.pdf"
