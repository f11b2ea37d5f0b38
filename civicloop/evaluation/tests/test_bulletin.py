"""The monthly PDF bulletin, its text extracted with pdftotext."""

import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicloop.evaluation import periods
from civicloop.evaluation.bulletin import build_bulletin
from civicloop.evaluation.models import EvaluationConfig

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip


def test_bulletin_pdf(month, tmp_path):
    # East (70.0) is a C: black-listed only when C is a black-list grade.
    EvaluationConfig.objects.filter(pk=1).update(black_grades="C,D,E")
    data = build_bulletin(periods.parse("2026-06"), as_of=AS_OF)
    assert data.startswith(b"%PDF")
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(data)
    text = pdf_text(path)
    squeezed = "".join(text.split())
    for heading in ("数字城管综合评价通报", "概览", "处置单位排名", "趋势", "红榜", "黑榜",
                    "超期案件"):  # fmt: skip
        assert heading in squeezed, heading
    # Summary: 11 reported in June (A B C E K D F G H I J), on-time rate 7/9 = 77.8%.
    assert "77.8%" in text and "88.9%" in text
    # The ranking with the scores, the chart's labels and the red/black lists.
    assert "西街道办事处" in text and "92.5" in text and "85.0" in text and "70.0" in text
    assert "西街道办事处（92.5）" in squeezed  # red list
    assert "东街道办事处（70.0）" in squeezed  # black list
    # The overdue cases: B (handled late) and H (pending, overdue).
    assert month["B"].number in text and month["H"].number in text
    assert month["A"].number not in text
    # Every text, page numbers included, is set in Noto Sans CJK SC, embedded
    # (no fallback font, no tofu).
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]  # fmt: skip
    assert fonts and all("Noto-Sans-CJK-SC" in line and " yes " in line for line in fonts), fonts


def test_bulletin_command(month, tmp_path):
    out = tmp_path / "b.pdf"
    call_command("bulletin", month="2026-06", out=str(out))
    assert "处置单位排名" in "".join(pdf_text(out).split())
    with pytest.raises(CommandError):
        call_command("bulletin", month="2026", out=str(out))


def test_the_page_trend_is_taken_at_most_every_evaluation_trend_seconds(month, settings):
    from civicloop.evaluation.bulletin import page_trend, trend

    june = periods.parse("2026-06")
    settings.EVALUATION_TREND_SECONDS = 300
    as_of, months = page_trend(june)
    assert [f for _p, f in months] == [f for _p, f in trend(june, as_of=as_of)]
    assert [p.key for p, _f in months][-1] == "2026-06" and len(months) == 6
    assert page_trend(june)[0] == as_of  # kept in the cache
    settings.EVALUATION_TREND_SECONDS = 0
    assert page_trend(june)[0] > as_of  # taken again on every request
