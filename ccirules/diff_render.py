"""A :class:`~ccirules.diff.Diff` written out: text for a terminal, Markdown for a pull-request
comment, JSON for tools. The three say the same things in the same order: the ruleset changes,
each with the clauses as written on either side; every score old -> new with its band, band
migrations first; and for each score that changed, the changes behind it, the questions whose
part in it changed and how many cases' outcomes changed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from ccirules import __version__, escape
from ccirules.changes import Aspect, Change
from ccirules.diff import UNREAD, Diff, Membership, ScoreDiff, ScoreState, Side, Standing

#: Version of the JSON layout; bumped on any incompatible change.
DIFF_FORMAT_VERSION = 1


# ---- words shared by text and Markdown -------------------------------------------------------


def summary(change: Change, code: Callable[[str], str],
            plain: Callable[[str], str] = str) -> str:
    """One line saying what changed; ``code`` marks up names, ``plain`` the ruleset's other
    words (a group named as where something was added or moved)."""
    subject = "the ruleset" if change.thing == "ruleset" else f"{change.thing} {code(change.name)}"
    added, removed = change.old is None, change.new is None
    match change.aspect:
        case Aspect.DECLARED:
            where = f" {'to' if added else 'from'} {plain(change.within)}" if change.within \
                else ""
            return f"{subject} {'added' if added else 'removed'}{where}"
        case Aspect.GROUP:
            return f"{subject} moved from {plain(change.old or 'the top level')} to " \
                   f"{plain(change.new or 'the top level')}"
        case Aspect.BAND_ROW | Aspect.SCALE_VALUE:
            row = f"{change.aspect.value} {code(change.part)}"
            owner = f"{change.thing} {code(change.name)}"
            if added:
                return f"{row} added to {owner}"
            return f"{row} removed from {owner}" if removed else f"{row} of {owner} changed"
    if change.aspect is Aspect.KEY_QUESTIONS and (added or removed):
        return f"{subject} is {'now' if added else 'no longer'} a key question"
    noun = _NOUNS[change.aspect]
    if added or removed:
        return f"{subject} {'now has' if added else 'no longer has'} a {noun}"
    return f"the {noun} of {subject} changed"


_NOUNS = {Aspect.TITLE: "title", Aspect.APPLIES: "condition",
          Aspect.KEY_QUESTIONS: "key-question mappings", Aspect.SCALE: "scale",
          Aspect.RULE: "rule", Aspect.BANDS: "band table", Aspect.LIMIT: "limit",
          Aspect.ROUNDING: "rounding rule", Aspect.BAND_BASIS: "banding basis",
          Aspect.TYPE: "type", Aspect.WITHIN: "place in the hierarchy"}


def clauses(change: Change) -> list[str]:
    """The clause as written on each side, as `-`/`+` lines (none for a move)."""
    if change.aspect is Aspect.GROUP:
        return []
    written = {Aspect.KEY_QUESTIONS: "key question for {}", Aspect.SCALE: "on scale {}"}.get(
        change.aspect, "{}")
    return [f"{sign} {written.format(text)}" for sign, text in (("-", change.old),
                                                                ("+", change.new))
            if text is not None]


def lines_of(change: Change) -> str:
    """Where the change is: its line in each ruleset."""
    old, new = change.old_span, change.new_span
    if old is not None and new is not None:
        return f"line {old.line} -> {new.line}"
    if old is not None:
        return f"old line {old.line}"
    return f"new line {new.line}" if new is not None else ""


def state_text(state: ScoreState) -> str:
    if state.missing is not None:
        return f"({state.missing})"
    text = state.shown
    if state.band_title is not None:
        text += f" {state.band_title}"
    return text + (" (limited)" if state.limited else "")


def _counts(state: ScoreState) -> str:
    """The state with the counts behind it, which can change when the value shown does not."""
    if state.missing is not None or not state.counted:
        return state_text(state)
    return state_text(state).replace(state.shown, f"{state.shown} ({state.counted})", 1)


def label(score: ScoreDiff) -> str:
    return f"{score.name} {score.title or ''}".rstrip()


def impact_lines(diff: Diff, score: ScoreDiff, code: Callable[[str], str],
                 plain: Callable[[str], str] = str) -> Iterator[str]:
    """Why a score changed: the changes behind it, the questions whose part in it changed, and
    how many cases' outcomes changed."""
    for index in score.causes:
        yield f"because {summary(diff.changes[index], code, plain)}"
    for impact in score.questions:
        cases = _cases(impact.cases)
        yield {Membership.KEPT: f"question {code(impact.question)}: outcome changed in {cases}",
               Membership.JOINED: f"question {code(impact.question)} joined it, with answers "
                                  f"counted in {cases}",
               Membership.LEFT: f"question {code(impact.question)} left it, with answers "
                                f"counted in {cases}"}[impact.membership]
    if score.cases is not None:
        total = diff.new.cases if diff.new.cases is not None else diff.old.cases
        yield f"cases whose outcome changed: {score.cases} of {total}"


def explained(diff: Diff) -> list[ScoreDiff]:
    """The scores whose change is explained: changed, and not left uncomputed by a ruleset that
    could not read the inputs (its diagnostics say why, once)."""
    return [score for score in diff.scores
            if score.changed and UNREAD not in (score.old.missing, score.new.missing)]


def none_changed(diff: Diff) -> bool:
    """Whether "No score changed" is true: every score compared, and none moved (not so when a
    ruleset could not read the inputs, whichever it was)."""
    return not any(score.changed or UNREAD in (score.old.missing, score.new.missing)
                   for score in diff.scores)


def _cases(count: int) -> str:
    return f"{count} case" + ("" if count == 1 else "s")


def _side_name(side: Side) -> str:
    info = side.ruleset.compiled.info
    return side.ruleset.path + (f" ({info.version})" if info.version else "")


def _cases_line(diff: Diff) -> str:
    counts = [side.cases for side in (diff.old, diff.new)]
    words = ["unreadable" if count is None else _cases(count) for count in counts]
    return words[0] if words[0] == words[1] else f"{words[0]} -> {words[1]}"


# ---- text ------------------------------------------------------------------------------------


def render_text(diff: Diff) -> str:
    def code(name: str) -> str:
        return f"`{name}`"

    lines = [f"diff {_side_name(diff.old)} -> {_side_name(diff.new)}", ""]
    if not diff.changes:
        lines.append("Ruleset changes: none")
    else:
        lines.append(f"Ruleset changes ({len(diff.changes)}):")
        for change in diff.changes:
            where = lines_of(change)
            lines.append(f"  {summary(change, code)}" + (f" ({where})" if where else ""))
            lines += [f"      {clause}" for clause in clauses(change)]
    if diff.scores:
        lines += ["", f"Scores, old -> new ({_cases_line(diff)}):"]
        rows = list(zip(diff.scores, _aligned(diff.scores), strict=True))
        for standing in Standing:
            chosen = [row for score, row in rows if score.standing is standing]
            if chosen:
                lines += [f"  {standing.value} ({len(chosen)}):", *chosen]
        changed = explained(diff)
        if changed:
            lines += ["", "What changed each score:"]
        elif none_changed(diff):
            lines += ["", "No score changed."]
        for score in changed:
            lines.append(f"  {label(score)}: {_counts(score.old)} -> {_counts(score.new)}")
            lines += [f"    {line}" for line in impact_lines(diff, score, code)]
    return escape.terminal_lines("\n".join(lines)) + "\n"


def _aligned(scores: tuple[ScoreDiff, ...]) -> list[str]:
    rows = [(f"{'  ' * score.depth}{label(score)}", state_text(score.old), state_text(score.new))
            for score in scores]
    widths = [max(len(row[column]) for row in rows) for column in range(2)]
    return [f"    {name.ljust(widths[0])}  {old.ljust(widths[1])}  -> {new}"
            for name, old, new in rows]


# ---- Markdown --------------------------------------------------------------------------------


def _code(text: str) -> str:
    """Text as a Markdown code span, delimited by more backticks than it holds in a row."""
    text = escape.terminal(text)
    ticks = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    padding = " " if "`" in text else ""
    return f"{ticks}{padding}{text}{padding}{ticks}"


def _fenced(lines: list[str]) -> list[str]:
    """Lines in a fenced `diff` block, indented into a list item, its fence longer than any
    run of backticks in them."""
    text = [escape.terminal(line) for line in lines]
    fence = "`" * max(3, max((len(run) for line in text for run in re.findall("`+", line)),
                             default=0) + 1)
    return [f"  {fence}diff", *(f"  {line}" for line in text), f"  {fence}"]


def render_markdown(diff: Diff) -> str:
    cell = escape.markdown_cell
    lines = [f"## Ruleset diff: {_code(_side_name(diff.old))} → {_code(_side_name(diff.new))}",
             "", f"### Ruleset changes ({len(diff.changes)})", ""]
    if not diff.changes:
        lines.append("None.")
    for change in diff.changes:
        where = lines_of(change).replace("->", "→")
        lines.append(f"- {summary(change, _code, cell)}" + (f" ({where})" if where else ""))
        written = clauses(change)
        if written:
            lines += _fenced(written)
    if diff.scores:
        lines += ["", f"### Scores ({_cases_line(diff).replace('->', '→')})", "",
                  "| Score | Old | New | Band |", "|---|---|---|---|"]
        for score in diff.scores:
            indent = "&nbsp;" * 2 * score.depth
            moved = "**moved**" if score.band_moved else ""
            lines.append(f"| {indent}{cell(label(score))} | {cell(state_text(score.old))} | "
                         f"{cell(state_text(score.new))} | {moved} |")
        changed = explained(diff)
        if changed:
            lines += ["", "### What changed each score", ""]
        elif none_changed(diff):
            lines += ["", "No score changed."]
        for score in changed:
            lines.append(f"- **{cell(score.name)}** {cell(score.title or '')}: "
                         f"{cell(_counts(score.old))} → {cell(_counts(score.new))}")
            lines += [f"  - {line}" for line in impact_lines(diff, score, _code, cell)]
    lines += ["", f"<sub>ccirules {__version__}</sub>"]
    return "\n".join(lines) + "\n"


# ---- JSON ------------------------------------------------------------------------------------


def render_json(diff: Diff) -> str:
    document = {
        "format": "ccirules-diff",
        "format_version": DIFF_FORMAT_VERSION,
        "tool_version": __version__,
        "old": _side_json(diff.old),
        "new": _side_json(diff.new),
        "inputs": [{"path": f.path, "sha256": f.sha256}
                   for f in diff.new.files or diff.old.files],
        "changes": [_change_json(change) for change in diff.changes],
        "band_moves": len(diff.band_moves),
        "scores": [_score_json(score) for score in diff.scores],
    }
    return escape.json_text(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"


def _side_json(side: Side) -> dict[str, object]:
    info = side.ruleset.compiled.info
    return {"ruleset": {"path": side.ruleset.path, "title": info.title,
                        "version": info.version, "sha256": side.ruleset.sha256},
            "cases": side.cases,
            "diagnostics": [d.to_json() for d in side.diagnostics]}


def _change_json(change: Change) -> dict[str, object]:
    return {"thing": change.thing, "name": change.name, "part": change.part,
            "within": change.within,
            "aspect": change.aspect.value, "old": change.old, "new": change.new,
            "old_location": None if change.old_span is None else change.old_span.to_json(),
            "new_location": None if change.new_span is None else change.new_span.to_json()}


def _score_json(score: ScoreDiff) -> dict[str, object]:
    return {"id": score.name, "title": score.title,
            "old": _state_json(score.old), "new": _state_json(score.new),
            "band_moved": score.band_moved, "changed": score.changed,
            "causes": list(score.causes),
            "questions": [{"id": impact.question, "membership": impact.membership.value,
                           "cases": impact.cases} for impact in score.questions],
            "cases_changed": score.cases}


def _state_json(state: ScoreState) -> dict[str, object]:
    return {"display": state.shown, "band": state.band, "band_title": state.band_title,
            "limited": state.limited, "sufficient": state.sufficient,
            "applicable": state.applicable, "counted": state.counted or None,
            "missing": state.missing}


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
