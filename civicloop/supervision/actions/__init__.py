"""Every change in supervision, one function per business action (check + do).

Topics: :mod:`.items` (the item lifecycle), :mod:`.campaigns` (ledger rows,
import), :mod:`.inspections` (on-site inspections). Faces, the worker and the
demo call these and nothing else.
"""

from .items import *  # noqa: F401,F403
from .items import act, escalate_case, register_item  # noqa: F401
