"""The whole life of an item, the history it leaves, and the timeline read from it."""

import datetime

import pytest

from civicloop.core.errors import Conflict, Forbidden, InvalidState
from civicloop.supervision import actions
from civicloop.supervision.models import Completion, ExtensionRequest, Item, ItemEvent, State
from civicloop.supervision.timeline import timeline

from .conftest import T0, at, new_item

pytestmark = pytest.mark.django_db


def test_register_to_close_on_time(sup):
    a = sup["actors"]
    item = new_item(sup)
    assert item.number.startswith("DB2025") and item.state == State.REGISTERED
    actions.assign(a["supervisor"], item, at=T0)
    actions.sign(a["handler_west"], item, at=at(datetime.date(2025, 3, 11)))
    actions.report_progress(a["handler_west"], item, note="清理完成一半", percent=50,
                            at=at(datetime.date(2025, 3, 17)))  # fmt: skip
    actions.report_part(a["handler_east"], item, note="配合清运", at=at(datetime.date(2025, 3, 18)))
    actions.submit_completion(a["leader_west"], item, note="全部完成", percent=100,
                              at=at(datetime.date(2025, 3, 27)))  # fmt: skip
    item.refresh_from_db()
    assert item.state == State.REPORTED and item.completion == Completion.ON_TIME
    actions.pass_review(a["supervisor"], item, at=at(datetime.date(2025, 3, 28)))
    actions.close(a["supervisor"], item, at=at(datetime.date(2025, 3, 28)))
    item.refresh_from_db()
    assert item.state == State.CLOSED and item.closed_on == datetime.date(2025, 3, 28)
    assert list(item.events.values_list("action", flat=True)) == [
        "register", "assign", "sign", "report_progress", "report_part", "submit_completion",
        "pass_review", "close",
    ]  # fmt: skip
    lines = timeline(item)
    assert [line.action for line in lines] == list(item.events.values_list("action", flat=True))
    assert lines[3].note == "清理完成一半" and lines[4].unit == sup["east"].name


def test_overdue_completion_rejection_and_reopen(sup):
    a = sup["actors"]
    item = new_item(sup)
    actions.assign(a["supervisor"], item, at=T0)
    actions.sign(a["handler_west"], item, at=T0)
    actions.submit_completion(
        a["handler_west"], item, note="完成", at=at(datetime.date(2025, 3, 31))
    )
    item.refresh_from_db()
    assert item.completion == Completion.OVERDUE
    actions.reject_review(
        a["supervisor"], item, reason="照片不清楚", at=at(datetime.date(2025, 4, 1))
    )
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS and item.completion == ""
    actions.submit_completion(
        a["handler_west"], item, note="补充照片", at=at(datetime.date(2025, 4, 2))
    )
    actions.pass_review(a["supervisor"], item, at=at(datetime.date(2025, 4, 2)))
    actions.reopen(a["supervisor"], item, reason="群众再次反映", at=at(datetime.date(2025, 4, 3)))
    item.refresh_from_db()
    assert item.state == State.IN_PROGRESS and item.completion == ""
    assert item.events.filter(action="reject_review").get().note == "照片不清楚"


def test_extension_requested_and_approved(sup):
    a = sup["actors"]
    item = new_item(sup)
    actions.assign(a["supervisor"], item, at=T0)
    request = actions.request_extension(a["handler_west"], item, new_deadline="2025-04-11",
                                        reason="雨天无法施工", at=T0)  # fmt: skip
    assert request.status == ExtensionRequest.Status.PENDING
    with pytest.raises(Forbidden, match="one request at a time"):
        actions.request_extension(a["handler_west"], item, new_deadline="2025-04-18", reason="x")
    actions.approve_extension(a["supervisor"], item, note="同意", at=T0)
    item.refresh_from_db()
    assert item.deadline == datetime.date(2025, 4, 11)
    with pytest.raises(Forbidden, match="no extension request"):
        actions.reject_extension(a["supervisor"], item, note="x")


def test_deadline_in_working_days_skips_the_holiday(sup):
    # 2025-04-04 (Friday) is Qingming; the start day does not count: 5 working days from
    # Tuesday 1 April are 2, 3, 7, 8 and 9 April.
    item = new_item(sup, start="2025-04-01", deadline=None, deadline_days=5)
    assert item.deadline == datetime.date(2025, 4, 9) and item.deadline_days == 5


def test_a_stale_version_is_a_conflict_and_the_wrong_state_is_refused(sup):
    a = sup["actors"]
    item = new_item(sup)
    shown = item.version
    actions.assign(a["supervisor"], item, at=T0)
    with pytest.raises(Conflict):
        actions.assign(a["supervisor"], item.pk, version=shown)
    with pytest.raises(InvalidState, match="assigned.*completion reported"):
        actions.pass_review(a["supervisor"], item)


def test_escalated_case_is_linked_both_ways(sup):
    from civicloop.cases.actions import report_case

    case = report_case(sup["actors"]["inspector"], source="inspector", category="E0102",
                       lon=113.602, lat=34.703, description="垃圾堆积", at=T0)  # fmt: skip
    item = actions.escalate_case(
        sup["actors"]["supervisor"], case, lead_unit=sup["west"].pk, person=sup["responsible"].pk,
        post="主任", responsibility="限期清理", deadline="2025-03-14", at=T0,
    )  # fmt: skip
    assert item.case == case and item.source == "case"
    assert list(case.supervision_items.all()) == [item]


def test_history_is_append_only_through_actions(sup):
    item = new_item(sup)
    actions.assign(sup["actors"]["supervisor"], item, at=T0)
    assert ItemEvent.objects.filter(item=item).count() == 2
    assert Item.objects.get(pk=item.pk).version == 2


def test_progress_with_photos_and_files(sup, photo, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from civicloop.core.errors import Invalid

    settings.MEDIA_ROOT = tmp_path
    a = sup["actors"]
    item = new_item(sup)
    actions.assign(a["supervisor"], item, at=T0)
    actions.sign(a["handler_west"], item, at=T0)
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    actions.report_progress(a["handler_west"], item, note="附照片和方案", percent=20,
                            photos=[photo()], files=[pdf], at=T0)  # fmt: skip
    [line] = [x for x in timeline(item) if x.action == "report_progress"]
    assert sorted(att.is_photo for att in line.attachments) == [False, True]
    with pytest.raises(Invalid) as refused:
        actions.report_progress(a["handler_west"], item, note="x", photos=[b"not an image"])
    assert refused.value.field == "photos"
    exe = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(Invalid) as refused:
        actions.report_progress(a["handler_west"], item, note="x", files=[exe])
    assert refused.value.field == "files"
    assert item.attachments.count() == 2
