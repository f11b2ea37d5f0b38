"""Home, privacy and lookup pages; Chinese first."""

from django.test import Client


def test_home_links(client, db):
    page = client.get("/").content.decode()
    for href in (
        'href="/report/"',
        'href="/privacy/"',
        'href="/console/login/"',
        'action="/track/"',
    ):
        assert href in page
    assert "Staff login" in page


def test_home_is_chinese_by_default(db):
    response = Client().get("/")
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert "工作人员登录" in page
    assert "上报问题" in page


def test_privacy_notice(client, db):
    page = client.get("/privacy/").content.decode()
    assert "What we keep" in page and "Who sees it" in page


def test_lookup_redirects_to_the_tracking_page(client, db):
    response = client.get("/track/?code=abc123")
    assert response.status_code == 302 and response["Location"] == "/track/ABC123/"
    assert client.get("/track/").status_code == 200


def test_unknown_code(client, db):
    response = client.get("/track/NOPE/")
    assert response.status_code == 404
    assert "There is no report with the tracking code NOPE" in response.content.decode()


def test_boundaries(client, loop):
    data = client.get("/boundaries.geojson").json()
    names = {f["properties"]["name"] for f in data["features"]}
    assert names == {"测试区", "西街道", "东街道"}
    assert data["features"][0]["geometry"]["type"] == "Polygon"
