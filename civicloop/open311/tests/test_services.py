"""GET services: the catalogue as services, both formats, in a fixed number of queries."""

import json

from civicloop.cases.models import SmallClass

from .schema import check_services
from .xmlcheck import parse


def test_services_json_follow_the_catalogue(client, loop, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/open311/v2/services.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    check_services(data)
    assert len(data) == SmallClass.objects.active().count()
    garbage = next(s for s in data if s["service_code"] == "E0102")
    small = SmallClass.by_code("E0102")
    assert garbage["service_name"] == small.name
    assert garbage["group"] == small.category_class.name
    assert garbage["keywords"] == ", ".join(small.keyword_list)
    assert garbage["type"] == "realtime"
    # Components ask for their owner, so every component has metadata.
    assert all(s["metadata"] for s in data if s["service_code"].startswith("C"))


def test_services_xml(client, loop):
    root = parse(client.get("/open311/v2/services.xml"), "services")
    services = root.findall("service")
    assert len(services) == SmallClass.objects.active().count()
    first = services[0]
    for name in ("service_code", "service_name", "metadata", "type", "keywords", "group"):
        assert first.find(name) is not None, name
    assert first.findtext("metadata") in ("true", "false")


def test_inactive_small_classes_are_not_services(client, loop):
    SmallClass.objects.filter(full_code="E0102").update(is_active=False)
    codes = [s["service_code"] for s in json.loads(client.get("/open311/v2/services.json").content)]
    assert "E0102" not in codes
    assert client.get("/open311/v2/services/E0102.json").status_code == 404


def test_jurisdiction(client, loop, settings):
    settings.OPEN311_JURISDICTION_ID = "erqi.example.gov.cn"
    assert client.get("/open311/v2/services.json?jurisdiction_id=410103").status_code == 200
    assert (
        client.get("/open311/v2/services.json?jurisdiction_id=erqi.example.gov.cn").status_code
        == 200
    )
    response = client.get("/open311/v2/services.xml?jurisdiction_id=sfgov.org")
    assert response.status_code == 404
    assert "sfgov.org" in parse(response, "errors").findtext("error/description")
