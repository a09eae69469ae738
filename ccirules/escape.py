"""Text made safe for where it is written: a terminal, a CSV cell, a Markdown table, JSON.

Rulesets and case files cannot hold control characters (the parser and the loaders refuse
them, :func:`ccirules.limits.control_character`), but text also comes from file names and
command lines, and text that is harmless to read can still act where it lands: a CSV cell that
starts with `=` runs as a formula, a `|` ends a Markdown cell, `<` starts HTML. So every
renderer writes text through the function for its medium, here, and nothing else:

- :func:`terminal`: control characters, line separators and bidirectional overrides are shown
  as escapes (``\\x1b``), never sent (an escape sequence could retitle the terminal, move the
  cursor, or hide text);
- :func:`csv_cell`: as for a terminal, and a cell a spreadsheet would run as a formula is
  prefixed with ``'`` so that it is shown, not run;
- :func:`markdown_cell`: as for a terminal, and Markdown's structure (``|``, ``[``, ``\\``) and
  raw HTML (``<``) are escaped, so text stays in its cell and never becomes a link or a tag;
- :func:`json_text`: JSON already escapes C0 controls; the rest of them are escaped too;
- :func:`xml_text`: XML 1.0 cannot hold most control characters at all (the serializer
  escapes markup), so they are shown as escapes, line breaks aside;
- :func:`github_data` and :func:`github_property`: a GitHub Actions workflow command is one
  line, its properties end at `,` and its message starts after `::`, so control characters are
  shown as escapes and `%`, line breaks (and, in properties, `:` and `,`) are written as the
  runner unescapes them (`%25`, `%0D`, `%0A`, `%3A`, `%2C`).

An output added later (HTML, annotations for CI) adds its function here and uses it for every
piece of text it writes.
"""

from __future__ import annotations

import re

from ccirules.limits import CONTROLS, shown_character

_CONTROL = re.compile(f"[{CONTROLS}]")

#: What JSON leaves raw in strings (it escapes U+0000-U+001F itself, so any of those in JSON
#: text are its own line breaks).
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

#: What a spreadsheet reads as the start of a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

_MARKDOWN = str.maketrans({"\\": "\\\\", "|": "\\|", "[": "\\[", "<": "&lt;"})


def terminal(text: str) -> str:
    """One piece of text (a name, a title, a path, a message) as a terminal may show it."""
    return _CONTROL.sub(_escaped, text)


def terminal_lines(text: str) -> str:
    """Rendered lines as a terminal may show them: every control character but the line
    breaks that separate the lines is shown as an escape."""
    return "\n".join(terminal(line) for line in text.split("\n"))


def csv_cell(value: object) -> str:
    text = terminal(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def markdown_cell(text: str) -> str:
    return terminal(text).translate(_MARKDOWN)


def xml_text(text: str) -> str:
    return terminal_lines(text)


def github_data(text: str) -> str:
    """A workflow command's message: its lines kept (as `%0A`), nothing else able to end it."""
    return terminal_lines(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A workflow command's property value (a file name, a title)."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


def json_text(text: str) -> str:
    """Serialized JSON (written with ``ensure_ascii=False``) with every control character,
    line separator and bidirectional override that JSON leaves raw written as ``\\uXXXX``
    (valid JSON: outside strings, JSON text holds none of them)."""
    return _JSON_RAW.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _escaped(found: re.Match) -> str:
    return shown_character(found.group())
