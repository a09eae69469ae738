"""Where the `.lark` grammars are: beside the package in a source checkout, inside it when
installed.

The project keeps its grammars in the top-level `grammar/` folder; the wheel carries them as
`ccirules/grammar/` (pyproject.toml's force-include). Looking in both places lets one code path
serve an installed wheel, an editable install and a plain checkout, from any directory.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PLACES = (_PACKAGE / "grammar", _PACKAGE.parent / "grammar")


def grammar_path(name: str) -> Path:
    """The path of a shipped grammar file, such as ``ruleset.lark``."""
    for folder in _PLACES:
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"grammar {name} is not installed with ccirules")


def grammar_text(name: str) -> str:
    """The text of a shipped grammar file."""
    return grammar_path(name).read_text(encoding="utf-8")
