"""Compiled rulesets kept on disk, so a ruleset is parsed, checked, compiled and its scorer
generated once per machine, not once per command.

An entry is keyed by the sha256 of the ruleset's bytes, a fingerprint of the ccirules code that
builds entries (so an edited checkout never serves a stale scorer) and the Python version (code
objects are version-specific). It holds the compiled ruleset, the checker's warnings and the
scorer's compiled code, but no path and no text: the ruleset file read for the key supplies both
when the entry is loaded, so two copies of one ruleset each report their own location.

The cache lives in the user cache directory (``$XDG_CACHE_HOME/ccirules``, by default
``~/.cache/ccirules``, on Linux; platformdirs' choice elsewhere); ``CCIRULES_CACHE_DIR``
relocates it, ``CCIRULES_CACHE=off`` (or ``--no-cache``) disables it. It is bounded to
:data:`MAX_BYTES`, oldest entries going first. Entries are unpickled, so they are read only from a
directory the user owns and no one else may write to; an unreadable, corrupt or foreign entry is
ignored (and rebuilt), and a folder that cannot be written is skipped silently.

Imports are kept to what a cache hit needs: a hit is how most commands start.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import os
import pickle
import stat
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ccirules.source import SourceFile

if TYPE_CHECKING:
    from ccirules.compiler import CompiledRuleset
    from ccirules.diagnostics import Diagnostic

#: Largest total size of the cache folder; the oldest entries are removed beyond it.
MAX_BYTES = 64 * 1024 * 1024

#: Changed whenever the entry layout changes (the code fingerprint covers the rest).
_LAYOUT = b"ccirules-cache-1\n"

#: The modules and grammars whose code decides what an entry holds.
_BUILDERS = ("nodes.py", "source.py", "diagnostics.py", "parser.py", "syntax_errors.py",
             "model.py", "resolve.py", "compiler.py", "codegen.py", "trace.py", "cache.py",
             "checker", "grammars.py")

#: What an entry gives: the compiled ruleset (with its scorer's code adopted) and the warnings
#: the checker reported for it.
Entry = tuple["CompiledRuleset", tuple["Diagnostic", ...]]


def folder() -> str | None:
    """The cache folder, or None when caching is disabled."""
    if os.environ.get("CCIRULES_CACHE", "").strip().lower() in ("off", "0", "no", "false"):
        return None
    chosen = os.environ.get("CCIRULES_CACHE_DIR")
    if chosen:
        return chosen
    if sys.platform.startswith("linux"):
        # The XDG base directory rule, written out: importing platformdirs (and the pathlib it
        # brings) costs more than a whole cache hit, and this is all it would do here.
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        if not os.path.isabs(base):
            base = os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(base, "ccirules")
    import platformdirs  # macOS and Windows have conventions of their own

    return platformdirs.user_cache_dir("ccirules", appauthor=False)


def key(data: bytes) -> str:
    """The entry name for a ruleset's bytes, under this code and this Python."""
    digest = hashlib.sha256(_LAYOUT)
    digest.update(hashlib.sha256(data).digest())
    digest.update(_code_fingerprint())
    digest.update(sys.version.encode())
    return digest.hexdigest()


_FINGERPRINT: list[bytes] = []


def _code_fingerprint() -> bytes:
    """The sha256 of the code that builds entries, computed once per process."""
    if not _FINGERPRINT:
        from ccirules.grammars import grammar_path

        package = os.path.dirname(os.path.abspath(__file__))
        digest = hashlib.sha256()
        for path in [*sorted(_builder_files(package)), grammar_path("ruleset.lark")]:
            digest.update(os.path.basename(path).encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
        _FINGERPRINT.append(digest.digest())
    return _FINGERPRINT[0]


def _builder_files(package: str) -> Iterator[str]:
    for name in _BUILDERS:
        path = os.path.join(package, name)
        if os.path.isdir(path):
            yield from (os.path.join(path, file) for file in os.listdir(path)
                        if file.endswith(".py"))
        else:
            yield path


def load(source: SourceFile, data: bytes) -> Entry | None:
    """The cached entry for a ruleset read as ``source`` from ``data``, or None."""
    place = folder()
    if place is None or not _trusted(place):
        return None
    name = key(data)
    try:
        with open(os.path.join(place, name), "rb") as handle:
            if not _trusted_file(handle.fileno()) or handle.read(len(_LAYOUT)) != _LAYOUT:
                return None
            stored_key = handle.readline().strip().decode("ascii")
            payload = handle.read()
        if stored_key != name:
            return None
        compiled, warnings, constants, code = _SourceUnpickler(io.BytesIO(payload),
                                                               source).load()
        from ccirules.codegen import Scorer

        compiled.adopt(Scorer(compiled, constants, {
            traced: marshal.loads(blob) for traced, blob in code.items()}))
        return compiled, warnings
    except Exception:
        return None


def store(source: SourceFile, data: bytes, entry: Entry) -> None:
    """Keep an entry, compiling both variants of its scorer first; never fails the command."""
    import tempfile  # only a cache miss writes

    place = folder()
    if place is None:
        return
    compiled, warnings = entry
    try:
        os.makedirs(place, mode=0o700, exist_ok=True)
        if not _trusted(place):
            return
        scorer = compiled.scorer
        code = {traced: marshal.dumps(scorer.compiled(traced)) for traced in (False, True)}
        buffer = io.BytesIO()
        _SourcePickler(buffer, source).dump((compiled, warnings, scorer.constants, code))
        name = key(data)
        handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=place)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(_LAYOUT + name.encode("ascii") + b"\n" + buffer.getvalue())
            os.replace(temporary, os.path.join(place, name))
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        _trim(place)
    except Exception:
        return


def _trusted(place: str) -> bool:
    """A folder the user owns that no one else can write to (entries are unpickled)."""
    try:
        info = os.stat(place)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _owned_and_private(info)


def _trusted_file(descriptor: int) -> bool:
    info = os.fstat(descriptor)
    return stat.S_ISREG(info.st_mode) and _owned_and_private(info)


def _owned_and_private(info: os.stat_result) -> bool:
    owner = info.st_uid == os.getuid() if hasattr(os, "getuid") else True
    return owner and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _trim(place: str) -> None:
    """Remove the oldest entries until the folder is within MAX_BYTES."""
    entries = []
    for name in os.listdir(place):
        if name.startswith(".tmp-"):
            continue
        info = os.stat(os.path.join(place, name))
        entries.append((info.st_mtime_ns, info.st_size, name))
    total = sum(size for _, size, _ in entries)
    for _, size, name in sorted(entries):
        if total <= MAX_BYTES:
            break
        os.unlink(os.path.join(place, name))
        total -= size


class _SourcePickler(pickle.Pickler):
    """Writes the ruleset's one SourceFile as a reference, so no path or text is stored."""

    def __init__(self, file, source: SourceFile) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.source = source

    def persistent_id(self, obj: object) -> str | None:
        if isinstance(obj, SourceFile):
            if obj is not self.source:
                raise pickle.PicklingError("an entry may refer only to its own ruleset")
            return "source"
        return None


class _SourceUnpickler(pickle.Unpickler):
    def __init__(self, file, source: SourceFile) -> None:
        super().__init__(file)
        self.source = source

    def persistent_load(self, pid: object) -> SourceFile:
        if pid != "source":
            raise pickle.UnpicklingError("unknown reference in a cache entry")
        return self.source
