"""The one definition of an item's and a row's colour sheet (色单).

Seen on a day ``today`` (the deadline is the end of its day):

* **red** — overdue: ``today`` is after the deadline and the item is still running;
* **yellow** — behind schedule: the share done is below the share of working
  days elapsed between the start and the deadline;
* **blue** — the deadline is within ``blue_days`` working days (a setting, 3);
* **green** — none of these.

Red beats yellow, yellow beats blue. Working days come from the work calendar
(:mod:`civicloop.worktime`: weekends, statutory holidays, make-up workdays), so
a holiday before the deadline turns the sheet blue earlier in calendar days.
An item that reported completion, passed review or is closed keeps the colour
it had when it left the running states.
"""

from __future__ import annotations

import datetime

from .actions.common import working_days_between
from .models import RUNNING_STATES, Colour


def colour_for(item, today: datetime.date, blue_days: int) -> str:
    if item.state not in RUNNING_STATES:
        return item.colour
    if today > item.deadline:
        return Colour.RED
    total = working_days_between(item.start, item.deadline)
    if total > 0:
        elapsed = max(0, working_days_between(item.start, today))
        if item.done_share() * total < elapsed:
            return Colour.YELLOW
    if working_days_between(today, item.deadline) <= blue_days:
        return Colour.BLUE
    return Colour.GREEN


def row_colour(row, today: datetime.date, blue_days: int) -> str:
    """A campaign row: green when done, red past its deadline, blue near it."""
    if row.done:
        return Colour.GREEN
    if today > row.deadline:
        return Colour.RED
    if working_days_between(today, row.deadline) <= blue_days:
        return Colour.BLUE
    return Colour.GREEN
