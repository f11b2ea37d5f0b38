"""ensure_demo_client: an active Open311 client whose key is DEMO_OPEN311_KEY."""

from civicloop.demo.open311 import ensure_demo_client
from civicloop.open311.models import Open311Client


def test_creates_and_refreshes(db, settings):
    settings.DEMO_OPEN311_KEY = "demo-key-1"
    assert ensure_demo_client() == "demo-key-1"
    client = Open311Client.objects.get()
    assert client.is_active and Open311Client.authenticate("demo-key-1") == client
    assert "demo-key-1" not in client.key_hash  # stored hashed
    Open311Client.objects.update(is_active=False)
    settings.DEMO_OPEN311_KEY = "demo-key-2"
    assert ensure_demo_client() == "demo-key-2"
    assert Open311Client.objects.count() == 1
    assert Open311Client.authenticate("demo-key-2") is not None
    assert Open311Client.authenticate("demo-key-1") is None
    ensure_demo_client()
    assert Open311Client.objects.count() == 1


def test_demo_key_posts(client, loop, settings):
    settings.OPEN311_RATE_LIMIT = "10000/m"
    settings.DEMO_OPEN311_KEY = "demo-open311-key"
    key = ensure_demo_client()
    lon, lat = loop["west_point"]
    response = client.post("/open311/v2/requests.json",
                           {"api_key": key, "service_code": "E0102", "lat": lat, "long": lon})  # fmt: skip
    assert response.status_code == 200
