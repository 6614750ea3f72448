"""The ``kyoso`` command: Django's manage command with Kyoso's settings.

``kyoso migrate``, ``kyoso load-reference``, ``kyoso demo`` … Hyphens in a command name are
read as underscores, so ``kyoso load-reference`` runs the ``load_reference`` command.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kyoso.settings.base")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
