"""What the OpenAPI document cannot say: refusals that depend on the data.

The document states types, lengths, bounds, enums, patterns, required and
nullable fields exactly (``schemathesis`` checks this; see docs/api.md). Some
refusals depend on rows in the database or on several fields together; a
request that fits the document can still get 400 ``invalid`` for them. These
operations, and why, are listed here; the conformance run (the test
``api/tests/test_schemathesis.py`` and ``bench/schema.py``) accepts a 400 from
them for schema-valid data and holds every other operation to the document.
"""

from __future__ import annotations

PHOTOS = "uploads must be real JPEG, PNG or WebP photos (the content is checked)"
CATEGORY = "category and filing standard must be codes of the catalogue"
POINT = "the point must lie inside the district"
USER = "an inspector is a user with that role"
UNIT = "a unit is given by the id or code of an existing unit"

SEMANTIC_400: dict[str, str] = {
    "POST /api/cases": f"{CATEGORY}; {POINT}; {PHOTOS}; the source must fit the user's role",
    "POST /api/cases/self-handled": f"{CATEGORY}; {POINT}; photos before and after; {PHOTOS}",
    "POST /api/cases/{case_id}/evidence": f"at least one photo; {PHOTOS}",
    "POST /api/cases/{case_id}/actions/add_evidence": f"at least one photo; {PHOTOS}",
    "POST /api/cases/{case_id}/actions/submit_result": PHOTOS,
    "POST /api/cases/{case_id}/actions/verify": f"a false report needs a note; {PHOTOS}",
    "POST /api/cases/{case_id}/actions/check": f"a failed check needs a note; {PHOTOS}",
    "POST /api/cases/{case_id}/actions/send_for_verification": USER,
    "POST /api/cases/{case_id}/actions/assign_inspector": USER,
    "POST /api/cases/{case_id}/actions/file": CATEGORY,
    "POST /api/cases/{case_id}/actions/dispatch": UNIT,
    "POST /api/cases/{case_id}/actions/merge": "into is an open case the user sees",
    "GET /api/cases": f"street and unit filters name existing ones ({UNIT})",
    "GET /api/supervision/items": UNIT,
    "GET /api/supervision/campaigns/{campaign_id}/rows": UNIT,
    "POST /api/supervision/items": f"{UNIT}; dates are YYYY-MM-DD and the deadline is after "
    "the start; a custom reporting needs its days; case is an existing case",
    "POST /api/supervision/items/{item_id}/actions/assign": UNIT,
    "POST /api/supervision/items/{item_id}/actions/report_progress": "a quantity only for "
    f"items with a target quantity; {PHOTOS}",
    "POST /api/supervision/items/{item_id}/actions/report_part": PHOTOS,
    "POST /api/supervision/items/{item_id}/actions/submit_completion": PHOTOS,
    "POST /api/supervision/items/{item_id}/actions/request_extension": "the new deadline is "
    "a date after the current one",
    "POST /api/supervision/items/{item_id}/actions/approve_extension": "dates are YYYY-MM-DD",
    "POST /api/supervision/items/{item_id}/actions/reject_extension": "a pending request",
    "POST /api/supervision/items/{item_id}/actions/order_interview": "dates are YYYY-MM-DD; "
    "a note is required",
    "POST /api/supervision/items/{item_id}/actions/chase": "a note is required",
    "POST /api/supervision/items/{item_id}/actions/pass_review": "a note is required",
    "POST /api/supervision/items/{item_id}/actions/reject_review": "a note is required",
    "POST /api/supervision/campaigns/{campaign_id}/rows/{row_id}": "values are the campaign's "
    "own status fields, each of its kind",
    "POST /api/supervision/inspections": "problems is a JSON list of objects; the road exists; "
    f"{PHOTOS}",
    "POST /api/renovation/compounds/{compound_id}/orders": "a household code that exists; "
    "the work type is on the menu",
    "POST /api/renovation/compounds/{compound_id}/items": "a title, or a work type on the menu",
    "POST /api/renovation/compounds/{compound_id}/votes": "the vote closes after it opens; "
    "orders belong to the compound",
    "POST /api/renovation/items/{item_id}/progress": "at least one of progress, budget, quantity",
    "POST /api/renovation/items/{item_id}/adopt": f"{UNIT} of the user's own; something committed",
    "POST /api/renovation/items/{item_id}/deliver": PHOTOS,
    "POST /api/renovation/items/{item_id}/rating": "a household code that exists",
    "POST /api/renovation/orders/{order_id}/merge": "into is another open order of the compound",
    "POST /api/renovation/stages/{stage_id}/complete": "held_on is a past date (YYYY-MM-DD); "
    "minutes are required",
    "POST /api/renovation/votes/{vote_id}/ballot": "a household code that exists; answers to "
    "the vote's questions",
}


def allows_400(label: str) -> bool:
    """Whether a schema-valid request to this operation may get 400 for its data."""
    return label in SEMANTIC_400
