"""Place search endpoints: the console's (staff, with case addresses in scope) and the portal's
(public, never case addresses). Runs on SQLite and PostgreSQL."""

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from civicloop.cases import actions
from civicloop.geo.models import Road, RoadSection

pytestmark = pytest.mark.django_db

URL = "/console/places/search"


@pytest.fixture
def crossing_road(loop):
    road = Road.objects.create(code="R2", name="南北路")
    section = RoadSection(road=road, seq=1, name="南北路全段", street=loop["west"])
    section.geometry = shapely.LineString([(113.607, 34.700), (113.607, 34.710)])
    section.save()
    return road


def report_at(loop, point, address, who="inspector"):
    lon, lat = loop[point]
    return actions.report_case(
        loop["actors"][who], source="inspector", category="E0102", lon=lon, lat=lat,
        description="垃圾", address=address,
    )  # fmt: skip


def test_the_url_is_the_one_the_issue_names():
    assert reverse("console:places_search") == URL


def test_anonymous_users_are_sent_to_sign_in(loop):
    response = Client().get(URL, {"q": "测试"})
    assert response.status_code == 302 and "/console/login/" in response["Location"]


def test_a_signed_in_user_without_a_role_is_refused(loop):
    user = get_user_model().objects.create_user("resident", password="pw")
    c = Client()
    c.force_login(user)
    response = c.get(URL, {"q": "测试"})
    assert response.status_code == 403 and response.json()["error"]


def test_results_carry_name_kind_label_and_coordinates(client_for, crossing_road):
    response = client_for("acceptor").get(URL, {"q": "测试路与"})
    assert response.status_code == 200
    (hit,) = response.json()["results"]
    assert hit["name"] == "测试路与南北路交叉口"
    assert hit["kind"] == "crossing" and hit["kind_label"] == "crossing"
    assert (hit["lon"], hit["lat"]) == pytest.approx((113.607, 34.705))
    # Without MAP_TILE_CRS the map uses the same coordinates.
    assert (hit["map_lon"], hit["map_lat"]) == (hit["lon"], hit["lat"])


def test_kind_labels_follow_the_users_language(loop, crossing_road):
    c = Client(headers={"accept-language": "zh-hans"})
    c.force_login(loop["users"]["acceptor"])
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    results = c.get(URL, {"q": "西"}).json()["results"]
    labels = {r["kind"]: r["kind_label"] for r in results}
    assert labels["street"] == "街道/镇" and labels["community"] == "社区/村"
    assert c.get(URL, {"q": "测试路与"}).json()["results"][0]["kind_label"] == "交叉口"


@pytest.mark.parametrize(
    "params",
    [{}, {"q": ""}, {"q": "   "}, {"q": "x" * 51}, {"q": "测试", "limit": "0"},
     {"q": "测试", "limit": "21"}, {"q": "测试", "limit": "ten"}, {"q": "测试", "kinds": "planet"},
     {"q": "测试", "kinds": ","}],
)  # fmt: skip
def test_bad_requests_are_400_with_a_reason(client_for, params):
    response = client_for("acceptor").get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_limit_and_kinds(client_for):
    c = client_for("acceptor")
    assert len(c.get(URL, {"q": "4101", "limit": "2"}).json()["results"]) == 2
    kinds = {
        r["kind"] for r in c.get(URL, {"q": "测试", "kinds": "road,section"}).json()["results"]
    }
    assert kinds == {"road", "section"}


def test_refs_let_the_list_filter_by_the_place(client_for, loop):
    results = client_for("acceptor").get(URL, {"q": "西街道"}).json()["results"]
    assert results[0]["kind"] == "street" and results[0]["ref"] == loop["west"].pk


def test_case_addresses_are_searched_within_the_users_scope(client_for, loop):
    report_at(loop, "west_point", "西街 1 号院门口")
    report_at(loop, "west_point", "西街 1 号院门口")  # the same address once
    report_at(loop, "east_point", "东街 8 号院门口")
    staff = client_for("acceptor").get(URL, {"q": "号院门口"}).json()["results"]
    assert [(r["name"], r["kind"]) for r in staff] == [
        ("东街 8 号院门口", "address"), ("西街 1 号院门口", "address")
    ]  # fmt: skip
    assert staff[0]["kind_label"] == "earlier case address"
    assert staff[0]["ref"] is None
    # The east street office sees the cases of its street, so only their addresses.
    east = client_for("handler_east").get(URL, {"q": "号院门口"}).json()["results"]
    assert [r["name"] for r in east] == ["东街 8 号院门口"]
    # The cleaning company has no case yet: no address at all.
    assert client_for("handler_clean").get(URL, {"q": "号院门口"}).json()["results"] == []
    # Addresses need three characters (a trigram); places do not.
    assert len(client_for("acceptor").get(URL, {"q": "院门口"}).json()["results"]) == 2
    assert client_for("acceptor").get(URL, {"q": "门口"}).json()["results"] == []


def test_addresses_keep_some_rows_when_places_abound(client_for, loop):
    report_at(loop, "west_point", "测试路北侧 3 号")
    results = client_for("acceptor").get(URL, {"q": "测试路", "limit": "3"}).json()["results"]
    assert [r["kind"] for r in results][-1] == "address"
    assert len(results) == 3
    only = client_for("acceptor").get(URL, {"q": "测试路", "kinds": "address"}).json()["results"]
    assert [r["name"] for r in only] == ["测试路北侧 3 号"]


def test_console_search_costs_the_same_queries_however_many_cases(
    client_for, loop, django_assert_max_num_queries, settings
):
    settings.GEO_INDEX_CHECK_SECONDS = 60
    c = client_for("handler_west")
    c.get(URL, {"q": "测试路"})  # builds the gazetteer once
    with django_assert_max_num_queries(8) as few:
        c.get(URL, {"q": "测试路"})
    for i in range(5):
        report_at(loop, "west_point", f"测试路 {i} 号")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(c.get(URL, {"q": "测试路"}).json()["results"]) >= 5


# --- the portal -------------------------------------------------------------------------

PORTAL = "/report/places.json"


def test_the_public_finds_places_but_never_case_addresses(loop, crossing_road):
    report_at(loop, "west_point", "测试路北侧 3 号")
    c = Client()
    results = c.get(PORTAL, {"q": "测试路"}).json()["results"]
    assert results and {r["kind"] for r in results} <= {"road", "section", "crossing"}
    assert all("ref" in r and r["ref"] is None for r in results)
    assert c.get(PORTAL, {"q": "北侧 3 号"}).json()["results"] == []
    # Neither addresses nor grid cells can be asked for.
    assert c.get(PORTAL, {"q": "测试路", "kinds": "address"}).status_code == 400
    assert c.get(PORTAL, {"q": "测试路", "kinds": "cell"}).status_code == 400
    assert c.get(PORTAL, {"q": "41010300100101"}).json()["results"] == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "路" * 60}, {"q": "路", "limit": "x"}])
def test_portal_bad_requests_are_400(loop, params):
    response = Client().get(PORTAL, params)
    assert response.status_code == 400 and response.json()["error"]


def test_portal_search_is_cheap(loop, django_assert_max_num_queries, settings):
    settings.GEO_INDEX_CHECK_SECONDS = 60
    c = Client()
    c.get(PORTAL, {"q": "测试"})
    with django_assert_max_num_queries(2):
        assert c.get(PORTAL, {"q": "测试"}).status_code == 200
