"""GET /api/me: the user, roles and units."""


def test_me_inspector(api, loop):
    data = api("inspector").get("/api/me").json()
    assert data["user"]["username"] == "inspector" and data["user"]["name"] == "inspector"
    assert data["roles"] == ["inspector"]
    (membership,) = data["memberships"]
    assert membership["unit"]["code"] == "ZX"
    assert membership["patrol_area"]["code"] == "PA1"
    assert [u["code"] for u in data["units"]] == ["ZX"]


def test_me_road_chief_and_handler(api, loop):
    data = api("road_chief").get("/api/me").json()
    assert data["memberships"][0]["road_section"]["name"] == "测试路1段"
    data = api("handler_clean").get("/api/me").json()
    assert data["roles"] == ["handler"] and data["units"][0]["code"] == "HW"


def test_me_needs_a_token(anonymous):
    assert anonymous.get("/api/me").status_code == 401
