"""WSGI entry point: refuses to serve when Civicloop's system checks find an Error."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicloop.settings")
application = get_wsgi_application()

# A WSGI server runs no system checks; this one runs Civicloop's own
# (civicloop/core/checks.py), so production never serves with the fallback key.
from civicloop.core.checks import refuse_serious_problems  # noqa: E402

refuse_serious_problems()
