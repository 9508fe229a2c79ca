"""Fixtures of the console's tests: Django set up once, staff of each role, content copies.

Django's database is the one of the whole test run (``tests/conftest.py``); these tests
create users with unique names and work on copies of ``content/`` in temporary folders.
"""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.stack import REPO_ROOT

# Before Django reads its settings: Django's test client calls itself "testserver".
os.environ["PORADNYK_CONSOLE_HOSTS"] = "127.0.0.1,localhost,testserver"

_names = itertools.count(1)


@pytest.fixture(scope="session")
def django_ready() -> None:
    """Django configured and migrated (once per process)."""
    from store.api import setup_django  # noqa: PLC0415 - Django must not load at import

    setup_django()
    from django.conf import settings  # noqa: PLC0415

    if "testserver" not in settings.ALLOWED_HOSTS:  # set up earlier by another test module
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


@pytest.fixture
def content_dir(tmp_path: Path, django_ready: None) -> Iterator[Path]:
    """A copy of the real content that the console edits during the test."""
    from django.test import override_settings  # noqa: PLC0415

    copy = tmp_path / "content"
    shutil.copytree(REPO_ROOT / "content", copy)
    with override_settings(PORADNYK_CONTENT_DIR=copy):
        yield copy


MakeUser = Callable[..., Any]


@pytest.fixture
def make_user(django_ready: None) -> MakeUser:
    """A new staff account with the given roles (a unique name per call)."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from console.editorial import roles  # noqa: PLC0415

    def make(*role_names: str) -> Any:
        user = get_user_model().objects.create(
            username=f"{'-'.join(role_names) or 'none'}-{next(_names)}-{os.getpid()}"
        )
        user.set_unusable_password()
        user.save()
        for role in role_names:
            roles.assign(user, role)
        return user

    return make


@pytest.fixture
def client_for(django_ready: None) -> Callable[[Any], Any]:
    """A Django test client logged in as a user (None: anonymous), in English."""
    from django.test import Client  # noqa: PLC0415

    def make(user: Any) -> Any:
        client = Client()
        client.cookies["poradnyk_console_language"] = "en"
        if user is not None:
            client.force_login(user)
        return client

    return make
