"""The demo's Open311 client (``manage.py demo`` calls this and prints the key).

It lives in the demo app, not in Open311: the demo sits above every face and
may use them, while no face knows the demo exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from civicloop.core.keys import hash_key
from civicloop.open311.models import Open311Client

DEMO_CLIENT_NAME = "demo"


def ensure_demo_client() -> str:
    """Create or refresh the active client whose key is ``settings.DEMO_OPEN311_KEY``; return the key."""
    key = settings.DEMO_OPEN311_KEY
    with transaction.atomic():
        # Another client holding the same key (renamed demo client) takes its place.
        client = (
            Open311Client.objects.filter(key_hash=hash_key(key)).first()
            or Open311Client.objects.filter(name=DEMO_CLIENT_NAME).first()
            or Open311Client(name=DEMO_CLIENT_NAME, contact="demo")
        )
        client.set_key(key)
        client.is_active = True
        client.save()
    return key
