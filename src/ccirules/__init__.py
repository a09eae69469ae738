"""ccirules: inspection criteria and scoring rules as code.

The pipeline reads from the file list: ``grammar/ruleset.lark`` -> :mod:`parser` -> :mod:`checker`
-> (compile, evaluate) -> :mod:`render`. :func:`load_ruleset` runs the first stages for callers
that want a checked ruleset and its diagnostics in one step.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ccirules")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
