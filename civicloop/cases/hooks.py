"""What the cases app registers into the apps below it (called from ``CasesConfig.ready``).

Lower layers never import cases; where they need to know something only
cases knows, they offer a hook and cases fills it in here.
"""

from __future__ import annotations


def category_code_exists(code: str) -> bool:
    """A 5-digit small-class code, or a prefix of one (a class), is in the catalogue."""
    from .models import SmallClass

    if len(code) == 5:
        return SmallClass.objects.filter(full_code=code).exists()
    return SmallClass.objects.filter(full_code__startswith=code).exists()


def register() -> None:
    from civicloop.org.categories import register_category_check

    register_category_check(category_code_exists)
