"""Where the `.lark` grammars are: beside the package in a source checkout, inside it when
installed.

The project keeps its grammars in the top-level `grammar/` folder; the wheel carries them as
`ccirules/grammar/` (pyproject.toml's force-include). Looking in both places lets one code path
serve an installed wheel, an editable install and a plain checkout, from any directory.
"""

from __future__ import annotations

import os

_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_PLACES = (os.path.join(_PACKAGE, "grammar"), os.path.join(os.path.dirname(_PACKAGE), "grammar"))


def grammar_path(name: str) -> str:
    """The path of a shipped grammar file, such as ``ruleset.lark``."""
    for folder in _PLACES:
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(f"grammar {name} is not installed with ccirules")


def grammar_text(name: str) -> str:
    """The text of a shipped grammar file."""
    with open(grammar_path(name), encoding="utf-8") as handle:
        return handle.read()
