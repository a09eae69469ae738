"""Renders editors/vscode/images/highlighting.png: the 2012 ruleset as the extension colours it.

The colours come from real tokens: the excerpt is tokenised by editors/vscode/test/tokenize.mjs,
the engine VS Code uses, and painted with a Dark+-like theme. The one squiggle is a real
diagnostic: a name in the excerpt is misspelt on purpose in a copy of the ruleset, and
`ccirules check --format json` (this repository's own, run from its root) says where and why.
The page is then photographed by headless Chromium. It is not a screenshot of VS Code, and says so.

Run from anywhere, with the project's Python and with node, npm packages (the tests install
them) and chromium present:

    .venv/bin/python scripts/render_vscode_screenshot.py
"""

from __future__ import annotations

import html
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITOR = ROOT / "editors" / "vscode"
RULESET = ROOT / "rulesets" / "cci-youth-2012.rules"
OUTPUT = EDITOR / "images" / "highlighting.png"
FIRST_LINE = "# ---- the hierarchy"
LINES = 30
MISTAKE = ("applies when rosh_analysis_required is yes",
           "applies when rosh_analysis_requried is yes")

# Scope prefix -> colour, from VS Code's Dark+ palette; the innermost scope that has a colour wins.
THEME = {
    "comment": "#6a9955",
    "string": "#ce9178",
    "constant.numeric": "#b5cea8",
    "constant.other.date": "#b5cea8",
    "constant.language": "#569cd6",
    "keyword": "#569cd6",
    "keyword.control": "#c586c0",
    "keyword.operator.comparison": "#d4d4d4",
    "entity.name.function": "#dcdcaa",
    "entity.name.type": "#4ec9b0",
    "entity.name.constant": "#4fc1ff",
    "support.function": "#dcdcaa",
    "support.type": "#4ec9b0",
    "variable.language": "#569cd6",
    "invalid": "#f44747",
}

PAGE = """<!doctype html>
<meta charset="utf-8">
<style>
  body {{ margin: 0; background: #1e1e1e; color: #d4d4d4; width: 1000px; height: 700px;
         overflow: hidden; font: 13px/19px "DejaVu Sans Mono", monospace; }}
  .tabs {{ background: #252526; height: 35px; }}
  .tab {{ display: inline-block; background: #1e1e1e; color: #ffffff; padding: 0 16px;
          line-height: 35px; font-family: "DejaVu Sans", sans-serif; font-size: 13px;
          border-top: 1px solid #0078d4; }}
  pre {{ margin: 6px 0 0 0; font: inherit; white-space: pre; }}
  .n {{ display: inline-block; width: 44px; padding-right: 20px; text-align: right;
        color: #858585; }}
  .squiggle {{ text-decoration: underline wavy #f14c4c; text-underline-offset: 3px; }}
  .message {{ color: #f14c4c; font-style: italic; padding-left: 24px; }}
  .panel {{ position: absolute; bottom: 22px; left: 0; right: 0; height: 62px;
            border-top: 1px solid #454545; font: 13px/22px "DejaVu Sans", sans-serif; }}
  .panel .title {{ color: #e7e7e7; font-size: 11px; padding-left: 14px;
                   text-decoration: underline #0078d4; text-underline-offset: 6px; }}
  .panel .problem {{ padding-left: 24px; white-space: nowrap; }}
  .panel .where {{ color: #a0a0a0; padding-left: 8px; }}
  .error {{ color: #f14c4c; font-weight: bold; padding-right: 6px; }}
  .status {{ position: absolute; bottom: 0; left: 0; right: 0; height: 22px; background: #007acc;
             color: #ffffff; font: 12px/22px "DejaVu Sans", sans-serif; padding-left: 10px; }}
</style>
<div class="tabs"><span class="tab">{name}</span></div>
<pre>{lines}</pre>
<div class="panel"><div class="title">PROBLEMS</div>{problems}</div>
<div class="status">{status}</div>
"""


def colour(scopes: list[str]) -> str | None:
    """The theme's colour for a token, matching scopes innermost first, longest prefix first."""
    for scope in reversed(scopes):
        matches = [prefix for prefix in THEME if scope == prefix or scope.startswith(prefix + ".")]
        if matches:
            return THEME[max(matches, key=len)]
    return None


def tokenise(text: str) -> list[list]:
    result = subprocess.run(["node", str(EDITOR / "test" / "tokenize.mjs")],
                            input=json.dumps({"text": text}), capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)["text"]


def check(text: str) -> list[dict]:
    """The diagnostics `ccirules check` gives for the text, saved as a ruleset file."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / RULESET.name
        path.write_text(text, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "ccirules", "check", str(path),
                                 "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    if not result.stdout:
        raise SystemExit(f"ccirules check gave no report:\n{result.stderr}")
    return json.loads(result.stdout)["diagnostics"]


def paint(line: str, tokens: list, squiggle: tuple[int, int] | None) -> str:
    """One line as HTML spans, the squiggled columns underlined."""
    cuts = sorted({0, len(line), *(edge for start, end, _ in tokens for edge in (start, end)),
                   *(squiggle or ())})
    spans = []
    for start, end in itertools.pairwise(cuts):
        if start >= len(line):
            break
        scopes = next(scopes for left, right, scopes in tokens if left <= start < right)
        styles = [f"color: {found}"] if (found := colour(scopes)) else []
        under = squiggle is not None and squiggle[0] <= start < squiggle[1]
        css = ' class="squiggle"' if under else ""
        style = f' style="{"; ".join(styles)}"' if styles else ""
        spans.append(f"<span{css}{style}>{html.escape(line[start:end])}</span>")
    return "".join(spans)


def problem(found: dict) -> str:
    """A diagnostic as a row of the Problems panel: message and hint, code, place."""
    location = found["location"]
    text = found["message"] + (f': {found["hint"]}' if found["hint"] else "")
    where = f'ccirules({found["code"]}) [Ln {location["line"]}, Col {location["column"]}]'
    return (f'<div class="problem"><span class="error">&#x2297;</span>{html.escape(text)}'
            f'<span class="where">{html.escape(where)}</span></div>')


def render() -> str:
    """The page: the excerpt, numbered as in the file, with the diagnostic drawn in."""
    text = RULESET.read_text(encoding="utf-8")
    if MISTAKE[0] not in text:
        raise SystemExit(f"{RULESET.name} no longer has the line to misspell: {MISTAKE[0]!r}")
    broken = text.replace(MISTAKE[0], MISTAKE[1], 1)
    lines = broken.split("\n")
    first = next(row for row, line in enumerate(lines) if line.startswith(FIRST_LINE))
    rows = range(first, first + LINES)
    diagnostics = [found for found in check(broken) if found["location"]["line"] - 1 in rows]
    if not diagnostics:
        raise SystemExit("ccirules check found nothing in the excerpt")
    marks = {found["location"]["line"] - 1: found for found in diagnostics}
    tokens = tokenise(broken)
    painted = []
    for row in rows:
        found = marks.get(row)
        where = found and (found["location"]["column"] - 1, found["location"]["end_column"] - 1)
        line = f'<span class="n">{row + 1}</span>{paint(lines[row], tokens[row]["tokens"], where)}'
        if found:
            line += f'<span class="message">{html.escape(found["message"])}</span>'
        painted.append(line)
    problems = "".join(problem(found) for found in diagnostics)
    status = ("Rendered by the extension's test tooling (vscode-textmate tokens, Dark+ colours, "
              "the diagnostic from ccirules check), not a screenshot of VS Code")
    return PAGE.format(name=RULESET.name, lines="\n".join(painted), problems=problems,
                       status=html.escape(status))


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium not found (Debian: apt-get install chromium)")
    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "highlighting.html"
        page.write_text(render(), encoding="utf-8")
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--screenshot={OUTPUT}", "--window-size=1000,700",
                        page.as_uri()], check=True, capture_output=True)
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
