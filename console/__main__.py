"""``python -m console <command>``: Django's management commands (migrate, createsuperuser...)."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run a Django management command with the console's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
