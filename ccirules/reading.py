"""Bytes on disk to a :class:`~ccirules.source.SourceFile`, or a diagnostic saying why not.

Rulesets are UTF-8, with or without a byte-order mark. Anything else (UTF-16, Latin-1, a binary
file) is refused with a clear message rather than read as mojibake, and files larger than
:data:`MAX_BYTES` are refused before they are read whole.
"""

from __future__ import annotations

import codecs
import hashlib
import os

import msgspec

from ccirules.diagnostics import Diagnostic, error
from ccirules.source import SourceFile

#: Largest ruleset accepted. The CCI framework is about 30 KB; this leaves room for any real one.
MAX_BYTES = 4 * 1024 * 1024


class Read(msgspec.Struct, frozen=True):
    """A text file's bytes, and the same decoded."""

    data: bytes
    source: SourceFile


def read_source(path: str, max_bytes: int | None = None,
                kind: str = "rulesets") -> SourceFile | Diagnostic:
    """Read and decode one text file; never raises for a problem with the file itself.

    ``max_bytes`` defaults to :data:`MAX_BYTES`; ``kind`` names what is limited, for the message.
    """
    read = read_bytes(path, max_bytes, kind)
    return read if isinstance(read, Diagnostic) else read.source


def read_bytes(path: str, max_bytes: int | None = None,
               kind: str = "rulesets") -> Read | Diagnostic:
    """Like :func:`read_source`, keeping the bytes read too (the ruleset cache keys on them)."""
    limit = MAX_BYTES if max_bytes is None else max_bytes
    nowhere = SourceFile(path, "")
    try:
        if os.path.isdir(path):
            return error("E100", "this is a folder, not a file", nowhere.whole(),
                         hint="name a file inside it")
        size = os.path.getsize(path)
        if size > limit:
            return error("E102", f"this file is {size:,} bytes; {kind} are limited to "
                         f"{limit:,}", nowhere.whole(),
                         hint="check that this is a ruleset and not a data file"
                         if kind == "rulesets" else "check that this is the file you meant")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as problem:
        return open_failure(path, problem)
    decoded = decode(path, data)
    return decoded if isinstance(decoded, Diagnostic) else Read(data, decoded)


def open_failure(path: str, problem: OSError) -> Diagnostic:
    """Why a file could not be opened or read, as the E100 every reader reports."""
    nowhere = SourceFile(path, "").whole()
    if isinstance(problem, FileNotFoundError):
        return error("E100", "no such file", nowhere, hint="check the path and spelling")
    if isinstance(problem, IsADirectoryError):
        return error("E100", "this is a folder, not a file", nowhere,
                     hint="name a file inside it")
    return error("E100", f"cannot read this file: {problem.strerror or problem}", nowhere,
                 hint="check that it exists and that you may read it")


def decode(path: str, data: bytes, first_line: int = 1) -> SourceFile | Diagnostic:
    """Decode bytes as UTF-8 (BOM allowed), or explain the encoding problem. ``first_line`` is
    the line of the file the bytes start at (a piece of a large file)."""
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return error("E101", "this file is UTF-16 text; rulesets must be UTF-8",
                     SourceFile(path, "").whole(),
                     hint="save it again choosing the encoding “UTF-8”")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        return _undecodable(path, data, data.index(b"\x00"),
                            "this looks like a binary file, not a ruleset", first_line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as problem:
        return _undecodable(path, data, problem.start, "this file is not UTF-8 text",
                            first_line)
    return SourceFile(path, text, sha256=digest, first_line=first_line)


def _undecodable(path: str, data: bytes, offset: int, message: str,
                 first_line: int = 1) -> Diagnostic:
    readable = data[:offset].decode("utf-8", errors="replace")
    shown = SourceFile(path, readable + data[offset:].decode("utf-8", errors="replace"),
                       first_line=first_line)
    position = len(readable)
    return error("E101", message, shown.span(position, position + 1),
                 hint="save it again as UTF-8 (a Latin-1 or Windows-1252 file shows this)")
