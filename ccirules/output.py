"""Writing results: all or nothing, never over an input, never over anything but a file.

Every file ccirules writes (`eval --output`, `test --junit-xml`, `verify`'s counterexamples)
goes through :func:`write_output`:

- it refuses a path that names one of the command's inputs (the same file, by device and inode,
  whatever the path, link or hard link used to name it), and a path that is not a regular file
  (a folder, a named pipe, a device): E450, and nothing is written;
- it writes a temporary file beside the target and renames it into place, so readers see the
  old file or the new one, never a part; a failure removes the temporary file and leaves the
  old file as it was;
- the new file keeps the old one's permissions, or, for a new file, gets the usual ones for
  the user (0666 less the umask); a link is written through, so it still points at the file.

What a killed run can leave: if the process is killed (SIGKILL, power loss) between creating
the temporary file and renaming it, a file named ``.ccirules-*.tmp`` stays beside the target;
the target itself is never left half-written.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable

from ccirules.diagnostics import Diagnostic, error
from ccirules.source import SourceFile


def write_output(path: str, text: str | bytes, inputs: Iterable[str] = ()) -> Diagnostic | None:
    """Write ``text`` (as UTF-8) or bytes to ``path`` as described above; None when written,
    else why not."""
    target = os.path.realpath(path)
    existing = _existing(path, inputs)
    if isinstance(existing, Diagnostic):
        return existing
    mode = stat.S_IMODE(existing.st_mode) if existing is not None else 0o666 & ~_umask()
    try:
        _replace_atomically(target, text, mode)
    except OSError as problem:
        return refused(path, f"cannot write it: {problem.strerror or problem}")
    return None


def unwritable(path: str, inputs: Iterable[str] = ()) -> Diagnostic | None:
    """E450 when ``path`` may not be written: it is a folder, a named pipe or a device, or the
    same file as one of ``inputs``; None when it may (a results store is checked so too)."""
    existing = _existing(path, inputs)
    return existing if isinstance(existing, Diagnostic) else None


def _existing(path: str, inputs: Iterable[str]) -> os.stat_result | Diagnostic | None:
    """The file at ``path`` if it may be written over, None if there is none, or E450."""
    try:
        existing = os.stat(os.path.realpath(path))
    except FileNotFoundError:
        return None
    except OSError as problem:
        return refused(path, f"cannot write it: {problem.strerror or problem}")
    if not stat.S_ISREG(existing.st_mode):
        return refused(path, f"it is {_kind(existing.st_mode)}, not a regular file",
                       hint="name a regular file, or a new one")
    same = _same_file(existing, inputs)
    if same is not None:
        return refused(path, f"it is one of the inputs ({same})",
                       hint="name a new file: ccirules never writes over what it reads")
    return existing


def _replace_atomically(target: str, text: str | bytes, mode: int) -> None:
    import tempfile  # only commands that write a file need it

    folder = os.path.dirname(target)
    handle, temporary = tempfile.mkstemp(prefix=".ccirules-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8") if isinstance(text, str) else text)
            stream.flush()
            os.fchmod(stream.fileno(), mode)
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _same_file(existing: os.stat_result, inputs: Iterable[str]) -> str | None:
    """The input that is the same file as the target, if any."""
    for name in inputs:
        try:
            other = os.stat(name)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (existing.st_dev, existing.st_ino):
            return name
    return None


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def refused(path: str, reason: str, hint: str | None = None) -> Diagnostic:
    """E450: an output (a file, or a results store) left unwritten, and why."""
    return error("E450", f"the output was not written: {reason}", SourceFile(path, "").whole(),
                 hint=hint or "check the folder exists and that you may write to it; any "
                 "previous file is unchanged")
