"""``python -m assistant``: the command line (same as the ``assistant`` command)."""

from .interfaces.cli import main

main()
