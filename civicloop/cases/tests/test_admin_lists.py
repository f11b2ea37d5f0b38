"""Admin lists of the big tables: no scan of the whole table (no DISTINCT over it for
filters or dates, counts capped), a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

LISTS = ["/admin/cases/case/", "/admin/cases/caseevent/", "/admin/cases/caserequest/",
         "/admin/cases/supervisionorder/", "/admin/cases/caseevent/?role=dispatcher",
         "/admin/cases/case/?state=closed"]  # fmt: skip


@pytest.mark.parametrize("url", LISTS)
def test_admin_list_reads_no_whole_table(admin_client, loop, url):
    from civicloop.cases import actions

    lon, lat = loop["west_point"]
    for _ in range(3):
        actions.report_case(loop["actors"]["inspector"], source="inspector", category="E0101",
                            lon=lon, lat=lat)  # fmt: skip
    admin_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len(sql) <= 8, sql
    assert not any("DISTINCT" in s for s in sql), sql
    counts = [s for s in sql if s.startswith("SELECT COUNT(")]
    assert counts and all("LIMIT" in s for s in counts), counts
