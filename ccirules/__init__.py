"""ccirules: inspection criteria and scoring rules as code.

The pipeline reads from the file list: ``grammar/ruleset.lark`` -> :mod:`parser` -> :mod:`checker`
-> (compile, evaluate) -> :mod:`render`. :func:`load_ruleset` runs the first stages for callers
that want a checked ruleset and its diagnostics in one step.
"""

#: The one place the version is written; pyproject.toml reads it from here. (Asking
#: importlib.metadata at run time costs about 50 ms of every command's start.)
__version__ = "0.1.0"
