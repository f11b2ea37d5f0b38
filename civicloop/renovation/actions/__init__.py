"""The one door for every change in renovation: ``check_*`` authorises and validates
(no writes), ``do_*`` writes in one transaction with its history row; the plain
name does both. Trusted callers (import, demo, worker) call ``do_*``."""

from .households import issue_codes, resident_for
from .items import (
    add_item,
    add_project_photos,
    adopt_item,
    deliver_item,
    rate_item,
    update_item,
)
from .orders import accept_order, decline_order, merge_order, place_order, take_order
from .stages import complete_stage, ensure_stages, open_stage
from .votes import cast_vote, change_vote, close_vote, create_vote, has_voted, open_vote

__all__ = [
    "accept_order", "add_item", "add_project_photos", "adopt_item", "cast_vote", "change_vote",
    "close_vote", "complete_stage", "create_vote", "decline_order", "deliver_item",
    "ensure_stages", "has_voted", "issue_codes", "merge_order", "open_stage", "open_vote",
    "place_order", "rate_item", "resident_for", "take_order", "update_item",
]  # fmt: skip
