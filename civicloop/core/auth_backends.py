"""The sign-in backend: django-axes' lockout check in front of Django's own backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Checks lockouts for sign-ins that come with a request (every form and the API).

    Without a request (``manage.py`` commands, ``authenticate()`` in a shell)
    there is no client to lock out, so the check steps aside and Django's
    ModelBackend decides alone.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
