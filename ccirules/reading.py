"""Bytes on disk to a :class:`~ccirules.source.SourceFile`, or a diagnostic saying why not.

Rulesets are UTF-8, with or without a byte-order mark. Anything else (UTF-16, Latin-1, a binary
file) is refused with a clear message rather than read as mojibake. Every file ccirules reads is
opened by :func:`open_regular`, which refuses anything but a regular file, and files read whole
are read by :func:`read_file`, which never reads more than the limit, whatever size the file
reports.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from typing import BinaryIO

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
    data = read_file(path, MAX_BYTES if max_bytes is None else max_bytes, kind)
    if isinstance(data, Diagnostic):
        return data
    decoded = decode(path, data)
    return decoded if isinstance(decoded, Diagnostic) else Read(data, decoded)


def read_file(path: str, limit: int, kind: str) -> bytes | Diagnostic:
    """The bytes of a regular file, read once, or why not: E100 (missing, unreadable, not a
    regular file), E102 (more than ``limit`` bytes, whatever size the file reports)."""
    handle = open_regular(path)
    if isinstance(handle, Diagnostic):
        return handle
    with handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            data = b"" if size > limit else handle.read(limit + 1)
        except OSError as problem:
            return open_failure(path, problem)
    if size > limit or len(data) > limit:
        return error("E102", f"this file is {max(size, len(data)):,} bytes"
                     f"{' or more' if len(data) > limit else ''}; {kind} are limited to "
                     f"{limit:,}", SourceFile(path, "").whole(),
                     hint=_TOO_LARGE_HINTS.get(kind, "check that this is the file you meant"))
    return data


_TOO_LARGE_HINTS = {
    "rulesets": "check that this is a ruleset and not a data file",
    "case files read whole": "write large programmes as JSON Lines (.jsonl), which `eval` "
                             "streams",
}


def open_regular(path: str) -> BinaryIO | Diagnostic:
    """Open a regular file for reading (a link to one is fine), or say why not.

    Named pipes, devices and sockets are refused: reading one can block for ever (a FIFO with
    no writer) or never end (`/dev/zero`). The file is opened without blocking and checked by
    its descriptor, so what is checked is what is read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as problem:
        return open_failure(path, problem)
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISREG(mode):
            if hasattr(os, "set_blocking"):
                os.set_blocking(descriptor, True)
            return os.fdopen(descriptor, "rb")
        refused = _not_regular(path, mode)
    except OSError as problem:
        refused = open_failure(path, problem)
    os.close(descriptor)
    return refused


def _not_regular(path: str, mode: int) -> Diagnostic:
    """E100 for a path that is not a regular file."""
    nowhere = SourceFile(path, "").whole()
    if stat.S_ISDIR(mode):
        return error("E100", "this is a folder, not a file", nowhere,
                     hint="name a file inside it")
    what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
            "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    return error("E100", f"this is {what}, not a regular file", nowhere,
                 hint="name a regular file: ccirules reads only files (a link to one is "
                      "fine), never pipes or devices, whose reading may never end")


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
        return error("E101", "this file is UTF-16 text; ccirules reads UTF-8",
                     SourceFile(path, "").whole(),
                     hint="save it again choosing the encoding “UTF-8”")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if b"\x00" in data:
        return _undecodable(path, data, data.index(b"\x00"),
                            "this looks like a binary file, not text", first_line)
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
