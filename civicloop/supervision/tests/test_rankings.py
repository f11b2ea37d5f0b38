"""Rankings and 红黑榜 from a fixture with known answers."""

import datetime

import pytest

from civicloop.evaluation.periods import month
from civicloop.supervision import rankings
from civicloop.supervision.models import CampaignRow, Completion, Item, ItemEvent, State
from civicloop.supervision.rankings import ranking

from .conftest import T0, make_campaign, new_item

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 4, 15)


@pytest.fixture
def scored(sup):
    """March 2025. West: 2 items due (1 on time, 1 still open after its deadline), 1 red sheet,
    1 rejection, plus 1 campaign row due and done late. East: 1 item due, on time."""
    config = sup["settings"]
    config.case_weight = 0
    config.list_size = 1
    config.save()
    on_time = new_item(sup, deadline="2025-03-20")
    late = new_item(sup, deadline="2025-03-28")
    east = new_item(sup, deadline="2025-03-25", lead_unit=sup["east"].pk,
                    person=__import__("civicloop.org.models", fromlist=["Person"]).Person.objects.get(name="handler_east").pk,
                    cooperating_units=[])  # fmt: skip
    new_item(sup, deadline="2025-04-30")  # due in April: not counted
    Item.objects.filter(pk__in=[on_time.pk, east.pk]).update(state=State.CLOSED,
                                                             completion=Completion.ON_TIME)  # fmt: skip
    Item.objects.filter(pk=late.pk).update(state=State.IN_PROGRESS)
    at = T0 + datetime.timedelta(days=19)
    ItemEvent.objects.create(item=late, at=at, action="colour", data={"from": "green", "to": "red"})
    ItemEvent.objects.create(item=late, at=at, action="reject_review", note="x")
    ItemEvent.objects.create(item=late, at=at - datetime.timedelta(days=40), action="colour",
                             data={"to": "red"})  # February: not counted  # fmt: skip
    campaign = make_campaign(sup, rows=0)
    CampaignRow.objects.create(campaign=campaign, key="R1", name="r", unit=sup["west"],
                               deadline="2025-03-10", done=True, done_on="2025-03-12",
                               updated_at=T0)  # fmt: skip
    return sup


def test_known_answers(scored):
    table = ranking(month(2025, 3), today=TODAY)
    rows = {r.name: r for r in table.rows}
    west, east = rows["西街道办事处"], rows["东街道办事处"]
    assert (west.due, west.on_time, west.overdue, west.reds, west.rejections) == (3, 1, 2, 1, 1)
    # 60 × 1/3 + 20 × (1 − 2/3) + 10 × (1 − 1/3) + 10 × (1 − 1/3) = 20 + 6.67 + 6.67 + 6.67
    assert west.supervision_score == 40.0 and west.score == 40.0
    assert (east.due, east.on_time, east.score) == (1, 1, 100.0)
    assert [r.name for r in table.ranked] == ["东街道办事处", "西街道办事处"]
    assert [r.name for r in table.red_list] == ["东街道办事处"]
    assert [r.name for r in table.black_list] == ["西街道办事处"]
    assert rows["区督查局"].rank is None if "区督查局" in rows else True


def test_street_leaders_are_named(scored):
    table = ranking(month(2025, 3), streets=True, today=TODAY)
    assert {r.name for r in table.rows} == {"西街道办事处", "东街道办事处"}
    west = next(r for r in table.rows if r.name == "西街道办事处")
    assert west.leaders == ["leader_west"]


def test_case_loop_weight(scored, monkeypatch):
    config = scored["settings"]
    config.case_weight = "0.5"
    config.save()
    monkeypatch.setattr(rankings, "_case_scores",
                        lambda period, streets: {scored["west"].pk: 80.0})  # fmt: skip
    rows = {r.name: r for r in ranking(month(2025, 3), today=TODAY).rows}
    assert rows["西街道办事处"].score == 60.0  # (40 + 80) / 2
    assert rows["东街道办事处"].score == 100.0  # no case score: supervision alone


def test_the_real_case_evaluation_runs(scored):
    config = scored["settings"]
    config.case_weight = "0.3"
    config.save()
    rows = {r.name: r for r in ranking(month(2025, 3), today=TODAY).rows}
    assert rows["西街道办事处"].case_score is None and rows["西街道办事处"].score == 40.0


def test_bulletin_and_ledger_gain_a_supervision_section(scored):
    import io

    from openpyxl import load_workbook

    from civicloop.evaluation.bulletin import render_html
    from civicloop.evaluation.ledger import build_ledger

    html = render_html(month(2025, 3))
    assert "督查督办" in html and "东街道办事处" in html
    workbook = load_workbook(io.BytesIO(build_ledger(month(2025, 3), scopes=["unit"])))
    assert "督查排名" in workbook.sheetnames and "督办事项" in workbook.sheetnames
    ranking_rows = list(workbook["督查排名"].iter_rows(values_only=True))
    assert ranking_rows[1][:2] == (1, "东街道办事处")
