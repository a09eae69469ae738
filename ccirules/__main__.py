"""``python -m ccirules``: the same as the ``ccirules`` command."""

from ccirules.cli import run

run()
