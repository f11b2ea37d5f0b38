"""Console pages: who may see what, the numbers link to their cases, downloads."""

import pytest
from django.utils import translation

from civicloop.evaluation.views import PAGE_SIZE

pytestmark = pytest.mark.django_db
JUNE = "period=2026-06"


def login(client, loop, name):
    client.force_login(loop["users"][name])
    return client


@pytest.mark.parametrize("name", ["dispatcher", "shift_leader", "acceptor", "supervisor",
                                  "admin_role"])  # fmt: skip
def test_centre_sees_every_scope(client, month, loop, name):
    login(client, loop, name)
    for scope in ("unit", "street", "community", "cell", "road_chief", "inspector", "acceptor",
                  "shift_leader", "dispatcher"):  # fmt: skip
        response = client.get(f"/evaluation/?scope={scope}&{JUNE}")
        assert response.status_code == 200, scope
    body = client.get(f"/evaluation/?{JUNE}").content.decode()
    assert "西街道办事处" in body and "东街道办事处" in body and "环卫清扫公司" in body
    assert "vendor/echarts/echarts.min.js" in body and "evaluation-charts" in body
    assert "/evaluation/ledger.xlsx?period=2026-06" in body


def test_the_page_is_in_chinese(client, month, loop):
    login(client, loop, "dispatcher")
    with translation.override("zh-hans"):
        body = client.get(f"/evaluation/?{JUNE}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "应处置数" in body and "红榜" in body and "综合得分" in body


def test_numbers_link_to_their_cases(client, month, loop):
    login(client, loop, "dispatcher")
    west = loop["offices"]["west"].pk
    body = client.get(f"/evaluation/?{JUNE}").content.decode()
    link = f"/evaluation/cases/?indicator=due&amp;scope=unit&amp;id={west}&amp;period=2026-06"
    assert link in body
    page = client.get(link.replace("&amp;", "&")).content.decode()
    for letter in "DFIK":
        assert month[letter].number in page
    for letter in "ABCEGHJ":
        assert month[letter].number not in page


def test_handler_sees_only_their_unit(client, month, loop):
    login(client, loop, "handler_west")
    response = client.get(f"/evaluation/?{JUNE}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "西街道办事处" in body and "环卫清扫公司" not in body and "东街道办事处" not in body
    west, east = loop["offices"]["west"].pk, loop["offices"]["east"].pk
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id={west}&{JUNE}").status_code
        == 200
    )
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id={east}&{JUNE}").status_code
        == 404
    )
    assert client.get(f"/evaluation/?scope=street&{JUNE}").status_code == 404
    assert client.get(f"/evaluation/ledger.xlsx?{JUNE}").status_code == 403
    assert client.get("/evaluation/bulletin.pdf?period=2026-06").status_code == 403


def test_unit_leader_compares_but_opens_only_their_own(client, month, loop):
    login(client, loop, "leader_west")
    body = client.get(f"/evaluation/?{JUNE}").content.decode()
    assert "西街道办事处" in body and "环卫清扫公司" in body
    cleaning = loop["cleaning"].pk
    assert f"id={cleaning}&amp;" not in body  # no links into another unit's cases
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id={cleaning}&{JUNE}").status_code
        == 404
    )


@pytest.mark.parametrize("name", ["inspector", "road_chief"])
def test_others_are_refused(client, month, loop, name):
    login(client, loop, name)
    assert client.get(f"/evaluation/?{JUNE}").status_code == 403


def test_login_required(client):
    response = client.get("/evaluation/")
    assert response.status_code == 302


def test_bad_parameters_are_404(client, month, loop):
    login(client, loop, "dispatcher")
    assert client.get("/evaluation/?period=2026-13").status_code == 404
    assert client.get("/evaluation/?scope=nobody").status_code == 404
    west = loop["offices"]["west"].pk
    assert (
        client.get(f"/evaluation/cases/?indicator=nothing&scope=unit&id={west}&{JUNE}").status_code
        == 404
    )
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id=abc&{JUNE}").status_code == 404
    )
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id=999999&{JUNE}").status_code
        == 404
    )


@pytest.mark.parametrize(
    "query",
    ["period=9999", "period=0001-01", "period=9999-W52", "period=9999-12-31",
     "kind=week&date=9999-12-31", "kind=month&date=0001-01-01", "kind=day&date=junk",
     "kind=range&from=9999-12-01&to=9999-12-31"],
)  # fmt: skip
def test_periods_out_of_range_are_404_not_500(client, loop, query):
    login(client, loop, "dispatcher")
    assert client.get(f"/evaluation/?{query}").status_code == 404
    west = loop["offices"]["west"].pk
    assert (
        client.get(f"/evaluation/cases/?indicator=due&scope=unit&id={west}&{query}").status_code
        == 404
    )
    login(client, loop, "supervisor")
    assert client.get(f"/evaluation/ledger.xlsx?{query}").status_code == 404
    assert client.get(f"/evaluation/bulletin.pdf?{query}").status_code == 404


def test_period_by_kind_and_date(client, month, loop):
    login(client, loop, "dispatcher")
    body = client.get("/evaluation/?kind=week&date=2026-06-10").content.decode()
    assert 'value="2026-W24"' in body
    body = client.get("/evaluation/?kind=range&from=2026-06-01&to=2026-06-05").content.decode()
    assert 'value="2026-06-01..2026-06-05"' in body


def test_case_list_query_count(client, month, loop, django_assert_max_num_queries):
    login(client, loop, "dispatcher")
    west = loop["offices"]["west"].pk
    url = f"/evaluation/cases/?indicator=due&scope=unit&id={west}&{JUNE}"
    client.get(url)
    with django_assert_max_num_queries(14):  # session, user, memberships, entities, 2 sections
        response = client.get(url)
    assert response.status_code == 200
    assert PAGE_SIZE >= 50


def test_downloads(client, month, loop):
    login(client, loop, "supervisor")
    response = client.get(f"/evaluation/ledger.xlsx?{JUNE}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "ledger-2026-06.xlsx" in response["Content-Disposition"]
    response = client.get("/evaluation/bulletin.pdf?period=2026-06")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
