"""Which web framework the app is built on, for `pybuildpack explain`.

Django is recognised by its project (manage.py and a settings module); other
frameworks by the packages the requirements name. Only Django changes what a
build does; the others are reported so the explanation reads as the user
thinks of their app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .django import DjangoProject

# Requirement name -> framework name, checked in this order.
FRAMEWORKS = (
    ("django", "Django"), ("flask", "Flask"), ("fastapi", "FastAPI"), ("starlette", "Starlette"),
    ("litestar", "Litestar"), ("quart", "Quart"), ("sanic", "Sanic"), ("aiohttp", "aiohttp"),
    ("tornado", "Tornado"), ("pyramid", "Pyramid"), ("falcon", "Falcon"), ("bottle", "Bottle"),
)


@dataclass(frozen=True)
class Framework:
    name: str
    origin: str  # "mysite/settings.py via manage.py", "requirements.txt"


def find_framework(django: Optional[DjangoProject], names: frozenset, file: Optional[str]) -> Optional[Framework]:
    """The app's framework, or None when it names none we know. `names` are the
    canonical package names the app declares, in `file`.

        >>> find_framework(None, frozenset({"flask"}), "requirements.txt")
        Framework(name='Flask', origin='requirements.txt')
    """
    if django is not None:
        return Framework("Django", f"{django.manage_py}, settings {django.settings_module}")
    for requirement, name in FRAMEWORKS:
        if requirement in names:
            return Framework(name, file or "the requirements")
    return None
