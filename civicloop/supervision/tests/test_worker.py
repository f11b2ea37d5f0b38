"""The worker: red sheets to the unit and the office's group chat, chasing on a schedule.

Messages go through the real outbox and are delivered to a local webhook
(WeCom for the west street office, DingTalk for the office).
"""

import datetime
import io

import pytest
from django.core.management import call_command

from civicloop.notify.delivery import deliver_due
from civicloop.notify.models import Channel, OutboxMessage
from civicloop.supervision import actions
from civicloop.supervision.models import Colour, Item, ItemEvent
from civicloop.supervision.timekeeping import run_pass

from .conftest import T0, at, new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(sup, robot, settings):
    settings.CIVICLOOP_BASE_URL = "https://cg.example.cn"
    west = Channel.objects.create(unit=sup["west"], kind=Channel.Kind.WECOM,
                                  target=robot.url("/wecom", key="west"))  # fmt: skip
    office = Channel.objects.create(unit=sup["supervision"], kind=Channel.Kind.DINGTALK,
                                    target=robot.url("/dingtalk", access_token="office"))  # fmt: skip
    return {"west": west, "office": office}


def _assigned(sup):
    item = new_item(sup)
    actions.assign(sup["actors"]["supervisor"], item, at=T0)
    actions.sign(sup["actors"]["handler_west"], item, at=T0)
    OutboxMessage.objects.all().delete()
    return item


def test_red_sheet_goes_to_the_unit_leader_and_the_office_group(sup, channels, robot):
    item = _assigned(sup)  # deadline Friday 28 March 2025
    now = at(datetime.date(2025, 3, 31))
    report = run_pass(now)
    assert report.red == 1
    item.refresh_from_db()
    assert item.colour == Colour.RED and item.red_count == 1
    assert item.events.filter(action="colour").get().data == {"from": "green", "to": "red"}
    assert deliver_due().sent == 2
    by_path = {r.path: r for r in robot.requests}
    wecom = by_path["/wecom"].json["markdown"]["content"]
    assert f"Red sheet: {item.number} is overdue" in wecom and "leader_west" in wecom
    assert by_path["/dingtalk"].query["access_token"] == "office"
    assert item.number in by_path["/dingtalk"].body.decode()
    # the same day again: nothing new
    assert run_pass(now).red == 0 and deliver_due().sent == 0


def test_chasing_every_two_working_days_while_red(sup, channels, robot):
    item = _assigned(sup)
    run_pass(at(datetime.date(2025, 3, 31)))  # Monday: red sheet
    deliver_due()
    robot.requests.clear()
    assert run_pass(at(datetime.date(2025, 4, 1))).chased == 0  # one working day later
    assert run_pass(at(datetime.date(2025, 4, 2))).chased == 1  # two: chased
    assert deliver_due().sent == 1
    [request] = robot.requests
    assert request.path == "/wecom" and "Chasing notice" in request.json["markdown"]["content"]
    # Thursday 3 April is one working day; Friday 4 April is Qingming: next chase on Monday 7
    assert run_pass(at(datetime.date(2025, 4, 3))).chased == 0
    assert run_pass(at(datetime.date(2025, 4, 4))).chased == 0
    assert run_pass(at(datetime.date(2025, 4, 7))).chased == 1
    item.refresh_from_db()
    assert item.red_count == 3 and item.chase_count == 2
    # three red sheets: the office is told an interview may be ordered, and may order it
    assert OutboxMessage.objects.filter(channel=channels["office"],
                                        subject__contains="interview").count() == 1  # fmt: skip
    actions.order_interview(sup["actors"]["supervisor"], item, note="约谈西街道主任",
                            at=at(datetime.date(2025, 4, 9)))  # fmt: skip
    item.refresh_from_db()
    assert item.interview_count == 1
    assert ItemEvent.objects.filter(item=item, action="order_interview").count() == 1


def test_the_worker_command_runs_the_supervision_pass(sup, channels, robot):
    item = _assigned(sup)  # its deadline (2025) is long past on the real clock
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "督查：1 项变色，1 张红单" in out.getvalue()  # the worker speaks Chinese
    item.refresh_from_db()
    assert item.colour == Colour.RED
    assert {r.path for r in robot.requests} == {"/wecom", "/dingtalk"}


def test_blue_then_green_after_an_extension(sup, channels):
    item = _assigned(sup)
    Item.objects.filter(pk=item.pk).update(done_percent=90)
    run_pass(at(datetime.date(2025, 3, 26)))
    item.refresh_from_db()
    assert item.colour == Colour.BLUE
    actions.request_extension(sup["actors"]["handler_west"], item, new_deadline="2025-04-30",
                              reason="材料未到")  # fmt: skip
    actions.approve_extension(sup["actors"]["supervisor"], item)
    run_pass(at(datetime.date(2025, 3, 27)))
    item.refresh_from_db()
    assert item.colour == Colour.GREEN
