"""The README's Python API example and the API module's examples run as written."""

from __future__ import annotations

import contextlib
import doctest
import io
import re

from ccirules import api
from tests.conftest import ROOT


def test_the_readme_api_example_prints_what_it_says(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(example, "README.md", "exec"), {})  # the README's own example
    said = [line.split("#", 1)[1].strip() for line in example.splitlines()
            if line.startswith("print(") and "#" in line]
    assert printed.getvalue().split() == said


def test_the_api_docstring_examples_run(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    failures, tried = doctest.testmod(api, verbose=False)
    assert tried > 0 and failures == 0
