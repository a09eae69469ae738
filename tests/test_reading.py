"""Reading ruleset files: encodings, sizes, and files that are not there."""

from __future__ import annotations

import codecs

import pytest

from ccirules import reading
from ccirules.diagnostics import Diagnostic
from ccirules.reading import decode, read_source
from ccirules.source import SourceFile


def test_utf8_with_and_without_bom_read_the_same() -> None:
    plain = decode("a.rules", 'ruleset "Café"\n'.encode())
    with_bom = decode("a.rules", codecs.BOM_UTF8 + 'ruleset "Café"\n'.encode())
    assert isinstance(plain, SourceFile) and isinstance(with_bom, SourceFile)
    assert plain.text == with_bom.text == 'ruleset "Café"\n'


@pytest.mark.parametrize(("data", "message"), [
    ('ruleset "Café"'.encode("utf-16"), "UTF-16"),
    ('ruleset "Café"'.encode("latin-1"), "not UTF-8"),
    (b'ruleset "x"\x00\x01\x02', "binary"),
])
def test_other_encodings_are_refused_clearly(data: bytes, message: str) -> None:
    result = decode("a.rules", data)
    assert isinstance(result, Diagnostic)
    assert result.code == "E101" and message in result.message


def test_latin1_error_points_at_the_first_bad_byte() -> None:
    result = decode("a.rules", b'ruleset "ok"\nattribute caf\xe9 text\n')
    assert (result.span.line, result.span.column) == (2, 14)


def test_missing_file_and_folder(tmp_path) -> None:
    missing = read_source(str(tmp_path / "nope.rules"))
    assert missing.code == "E100" and missing.message == "no such file"
    folder = read_source(str(tmp_path))
    assert folder.code == "E100" and "folder" in folder.message


def test_size_limit_is_checked_before_reading(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_BYTES", 10)
    path = tmp_path / "big.rules"
    path.write_text('ruleset "far more than ten bytes"')
    assert read_source(str(path)).code == "E102"
