"""The evaluation inside the console: who may see what, the numbers link to their
cases, downloads (moved from civicloop/evaluation/tests/test_pages.py)."""

import pytest
from django.utils import translation

from civicloop.console.evaluation_views import PAGE_SIZE

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
        response = client.get(f"/console/evaluation/?scope={scope}&{JUNE}")
        assert response.status_code == 200, scope
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert "西街道办事处" in body and "东街道办事处" in body and "环卫清扫公司" in body
    assert "vendor/echarts/echarts.min.js" in body and "evaluation-charts" in body
    assert "/console/evaluation/ledger.xlsx?period=2026-06" in body


def test_the_page_is_in_chinese(client, month, loop):
    login(client, loop, "dispatcher")
    with translation.override("zh-hans"):
        body = client.get(
            f"/console/evaluation/?{JUNE}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "应处置数" in body and "红榜" in body and "综合得分" in body


def test_numbers_link_to_their_cases(client, month, loop):
    login(client, loop, "dispatcher")
    west = loop["offices"]["west"].pk
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    link = (
        f"/console/evaluation/cases/?indicator=due&amp;scope=unit&amp;id={west}&amp;period=2026-06"
    )
    assert link in body
    page = client.get(link.replace("&amp;", "&")).content.decode()
    for letter in "DFIK":
        assert month[letter].number in page
    for letter in "ABCEGHJ":
        assert month[letter].number not in page


def test_handler_sees_only_their_unit(client, month, loop):
    login(client, loop, "handler_west")
    response = client.get(f"/console/evaluation/?{JUNE}")
    assert response.status_code == 200
    body = response.content.decode()
    assert "西街道办事处" in body and "环卫清扫公司" not in body and "东街道办事处" not in body
    west, east = loop["offices"]["west"].pk, loop["offices"]["east"].pk
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=due&scope=unit&id={west}&{JUNE}"
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=due&scope=unit&id={east}&{JUNE}"
        ).status_code
        == 404
    )
    assert client.get(f"/console/evaluation/?scope=street&{JUNE}").status_code == 404
    assert client.get(f"/console/evaluation/ledger.xlsx?{JUNE}").status_code == 403
    assert client.get("/console/evaluation/bulletin.pdf?period=2026-06").status_code == 403


def test_unit_leader_compares_but_opens_only_their_own(client, month, loop):
    login(client, loop, "leader_west")
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert "西街道办事处" in body and "环卫清扫公司" in body
    cleaning = loop["cleaning"].pk
    assert f"id={cleaning}&amp;" not in body  # no links into another unit's cases
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=due&scope=unit&id={cleaning}&{JUNE}"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("name", ["inspector", "road_chief"])
def test_others_are_refused(client, month, loop, name):
    login(client, loop, name)
    assert client.get(f"/console/evaluation/?{JUNE}").status_code == 403


def test_login_required(client):
    response = client.get("/console/evaluation/")
    assert response.status_code == 302


def test_bad_parameters_are_404(client, month, loop):
    login(client, loop, "dispatcher")
    assert client.get("/console/evaluation/?period=2026-13").status_code == 404
    assert client.get("/console/evaluation/?scope=nobody").status_code == 404
    west = loop["offices"]["west"].pk
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=nothing&scope=unit&id={west}&{JUNE}"
        ).status_code
        == 404
    )
    assert (
        client.get(f"/console/evaluation/cases/?indicator=due&scope=unit&id=abc&{JUNE}").status_code
        == 404
    )
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=due&scope=unit&id=999999&{JUNE}"
        ).status_code
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
    assert client.get(f"/console/evaluation/?{query}").status_code == 404
    west = loop["offices"]["west"].pk
    assert (
        client.get(
            f"/console/evaluation/cases/?indicator=due&scope=unit&id={west}&{query}"
        ).status_code
        == 404
    )
    login(client, loop, "supervisor")
    assert client.get(f"/console/evaluation/ledger.xlsx?{query}").status_code == 404
    assert client.get(f"/console/evaluation/bulletin.pdf?{query}").status_code == 404


def test_period_by_kind_and_date(client, month, loop):
    login(client, loop, "dispatcher")
    body = client.get("/console/evaluation/?kind=week&date=2026-06-10").content.decode()
    assert 'value="2026-W24"' in body
    body = client.get(
        "/console/evaluation/?kind=range&from=2026-06-01&to=2026-06-05"
    ).content.decode()
    assert 'value="2026-06-01..2026-06-05"' in body


def test_case_list_query_count(client, month, loop, django_assert_max_num_queries):
    login(client, loop, "dispatcher")
    west = loop["offices"]["west"].pk
    url = f"/console/evaluation/cases/?indicator=due&scope=unit&id={west}&{JUNE}"
    client.get(url)
    with django_assert_max_num_queries(14):  # session, user, memberships, entities, 2 sections
        response = client.get(url)
    assert response.status_code == 200
    assert PAGE_SIZE >= 50


def test_downloads(client, month, loop):
    login(client, loop, "supervisor")
    response = client.get(f"/console/evaluation/ledger.xlsx?{JUNE}")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "ledger-2026-06.xlsx" in response["Content-Disposition"]
    response = client.get("/console/evaluation/bulletin.pdf?period=2026-06")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- one console ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/evaluation/", "/console/evaluation/"),
        ("/evaluation/?scope=street&period=2026-06", "/console/evaluation/?scope=street&period=2026-06"),
        ("/evaluation/cases/?indicator=due&scope=unit&id=3&period=2026-06",
         "/console/evaluation/cases/?indicator=due&scope=unit&id=3&period=2026-06"),
        ("/evaluation/ledger.xlsx?period=2026-06", "/console/evaluation/ledger.xlsx?period=2026-06"),
        ("/evaluation/bulletin.pdf?period=2026-06", "/console/evaluation/bulletin.pdf?period=2026-06"),
    ],
)  # fmt: skip
def test_old_addresses_redirect_permanently_with_their_query(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_the_page_has_the_console_layout(client, month, loop):
    login(client, loop, "dispatcher")
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert 'id="logout"' in body and 'name="language"' in body and 'id="nav-cases"' in body
    assert 'id="nav-evaluation" class="on"' in body
    assert "console/evaluation.js" in body and "console/downloads.js" in body
    # No inline script: the chart data is a JSON block, the code a static file.
    assert "echarts.init" not in body


@pytest.mark.parametrize(
    ("name", "offered"),
    [("dispatcher", True), ("supervisor", True), ("handler_west", True), ("leader_west", True),
     ("inspector", False), ("road_chief", False)],
)  # fmt: skip
def test_the_menu_offers_the_evaluation_by_role(client, loop, name, offered):
    login(client, loop, name)
    body = client.get("/console/cases/").content.decode()
    assert ('id="nav-evaluation"' in body) is offered


def test_the_default_period_is_the_last_complete_month(client, loop, monkeypatch):
    import datetime

    from civicloop.evaluation import periods

    real = periods.current

    def fake_current(kind="month", today=None):
        return real(kind, today or datetime.date(2026, 7, 1))

    monkeypatch.setattr(periods, "current", fake_current)
    login(client, loop, "dispatcher")
    body = client.get("/console/evaluation/").content.decode()
    assert 'name="period" value="2026-06"' in body
    assert 'id="partial-period"' not in body
    body = client.get("/console/evaluation/?period=2026-07").content.decode()
    assert 'id="partial-period"' in body  # the current month says it is not over


def test_units_without_cases_are_hidden_behind_a_toggle(client, month, loop):
    login(client, loop, "dispatcher")
    centre = loop["centre"].pk
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert f'data-entity="{centre}"' not in body
    assert 'id="empty-toggle"' in body and "empty=1" in body
    body = client.get(f"/console/evaluation/?{JUNE}&empty=1").content.decode()
    assert f'data-entity="{centre}"' in body


def test_too_few_cases_are_listed_but_not_ranked(client, month, loop):
    from civicloop.evaluation.models import EvaluationConfig

    EvaluationConfig.objects.filter(pk=1).update(min_cases=4)
    login(client, loop, "dispatcher")
    with translation.override("zh-hans"):
        body = client.get(
            f"/console/evaluation/?{JUNE}", HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    east = loop["offices"]["east"].pk
    row = body.split(f'data-entity="{east}"')[1].split("</tr>")[0]
    assert "不参与排名" in row and "70.0" in row
    import json

    charts = json.loads(
        body.split('id="evaluation-charts" type="application/json">')[1].split("</script>")[0]
    )
    assert "东街道办事处" not in charts["ranking"]["names"]
    assert charts["ranking"]["names"] == ["西街道办事处", "环卫清扫公司"]


def test_english_page_has_no_chinese_but_data(client, month, loop):
    import re

    login(client, loop, "dispatcher")
    client.cookies["django_language"] = "en"
    body = client.get(f"/console/evaluation/?{JUNE}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Composite scores" in body and "red list" in body
    names = {"西街道办事处", "东街道办事处", "环卫清扫公司", "中文"}
    text = re.sub(r"<[^>]+>", " ", body.split("<main")[1].split('id="evaluation-charts"')[0])
    found = set(re.findall(r"[\u4e00-\u9fff]+", text)) - names
    # Only data (unit, street, people names) may be Chinese.
    from civicloop.geo.models import Region
    from civicloop.org.models import Person, Unit

    data = (
        set(Unit.objects.values_list("name", flat=True))
        | set(Region.objects.values_list("name", flat=True))
        | set(Person.objects.values_list("name", flat=True))
    )
    assert {w for w in found if not any(w in d for d in data)} == set()


def test_long_tables_page_and_the_chart_keeps_best_and_worst(client, month, loop, monkeypatch):
    import json

    from civicloop.console import evaluation_views

    monkeypatch.setattr(evaluation_views, "ROWS_PER_PAGE", 2)
    monkeypatch.setattr(evaluation_views, "CHART_MAX", 2)
    login(client, loop, "dispatcher")
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert body.count('data-entity="') == 2 and 'id="rows-next"' in body
    charts = json.loads(
        body.split('id="evaluation-charts" type="application/json">')[1].split("</script>")[0]
    )
    assert charts["ranking"]["names"] == ["西街道办事处", "东街道办事处"]
    body = client.get(f"/console/evaluation/?{JUNE}&page=2").content.decode()
    assert body.count('data-entity="') == 1
    assert f'data-entity="{loop["offices"]["east"].pk}"' in body


@pytest.fixture
def district_leader(loop, django_user_model):
    from civicloop.org.models import Membership, Person, Role

    user = django_user_model.objects.create_user("district_leader_eval", password="pw")
    person = Person.objects.create(name="区领导乙", user=user)
    Membership.objects.create(person=person, unit=loop["supervision"], role=Role.LEADER)
    return user


def test_a_district_leader_reads_every_ranking_without_opening_cases(
    client, month, loop, district_leader
):
    client.force_login(district_leader)
    assert 'id="nav-evaluation"' in client.get("/console/").content.decode()
    for scope in ("unit", "street", "community", "cell", "road_chief", "inspector"):
        assert client.get(f"/console/evaluation/?scope={scope}&{JUNE}").status_code == 200, scope
    body = client.get(f"/console/evaluation/?{JUNE}").content.decode()
    assert "西街道办事处" in body and "东街道办事处" in body and "chart-trend" in body
    assert "/console/evaluation/cases/?" not in body  # the numbers are not links
    west = loop["offices"]["west"].pk
    url = f"/console/evaluation/cases/?indicator=due&scope=unit&id={west}&{JUNE}"
    assert client.get(url).status_code == 404
    # the month's documents
    assert client.get(f"/console/evaluation/bulletin.pdf?{JUNE}").status_code == 200
    assert client.get(f"/console/evaluation/ledger.xlsx?{JUNE}").status_code == 200
