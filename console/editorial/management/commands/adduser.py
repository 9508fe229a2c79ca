"""``bin/staff adduser NAME --role editor|reviewer|admin``: a staff account, no default password.

The password is asked for twice at a terminal, or read from standard input
(``--password-stdin``, one line) for scripts; Django's password rules apply.
"""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from console.editorial import audit, roles
from console.editorial.models import AuditEntry


class Command(BaseCommand):
    """Create a staff account with one role."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the log-in name")
        parser.add_argument("--role", required=True, choices=roles.ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def _password(self, from_stdin: bool) -> str:
        if from_stdin or not sys.stdin.isatty():
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
            return password
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        name: str = options["name"]
        if User.objects.filter(username=name).exists():
            raise CommandError(f"the account '{name}' exists already")
        password = self._password(options["password_stdin"])
        user = User(username=name, email=options["email"])
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        with transaction.atomic():
            user.set_password(password)
            user.save()
            roles.assign(user, options["role"])
            audit.record(
                None,
                AuditEntry.Action.ACCOUNT_CREATED,
                username=name,
                detail=f"role {options['role']} (bin/staff adduser)",
            )
        self.stdout.write(f"Created '{name}' ({options['role']}).")
