"""`ccirules diff`: what a change to a ruleset does, in the ruleset's terms and to the scores.

:func:`diff` compares two rulesets (:mod:`ccirules.changes` lists what changed) and, given
inputs, scores them under each ruleset separately: every score old and new with its band, and,
for each score, the changes behind it and the cases whose answers count differently, found by
comparing the two engine runs' answer records case by case and question by question. Inputs one
ruleset cannot read give that ruleset's diagnostics and leave its scores "cannot compute", which
is shown, never hidden. The result is data (:class:`Diff`); :mod:`ccirules.diff_render` writes it
as text, Markdown or JSON.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

import attrs

from ccirules.api import check_ruleset_file, evaluate, load_cases
from ccirules.cases import InputFile
from ccirules.changes import Change, compare_rulesets
from ccirules.compiler import CompiledRuleset, questions_behind
from ccirules.diagnostics import Diagnostic, has_errors
from ccirules.evaluator import Evaluation
from ccirules.model import Model
from ccirules.results import counted, shown
from ccirules.terms import subjects
from ccirules.trace import Outcome


@attrs.frozen
class Ruleset:
    """A ruleset read for comparing: its model (what it says) and compiled form (how it
    scores)."""

    path: str
    sha256: str | None
    model: Model
    compiled: CompiledRuleset


def read_ruleset(path: str) -> tuple[Ruleset | None, tuple[Diagnostic, ...]]:
    """A ruleset checked and compiled (None when it has errors), and its diagnostics. Both
    sides are compiled afresh: the comparison needs the model, which the cache does not keep."""
    from ccirules.compiler import compile_ruleset

    checked = check_ruleset_file(path)
    if not checked.ok:
        return None, checked.diagnostics
    compiled = compile_ruleset(checked.checked)
    return Ruleset(path, checked.sha256, checked.model, compiled), checked.diagnostics


@attrs.frozen
class Side:
    """One ruleset and what it made of the inputs. ``cases`` is None when it could not read
    them (``diagnostics`` say why) or when none were given."""

    ruleset: Ruleset
    cases: int | None
    files: tuple[InputFile, ...]
    diagnostics: tuple[Diagnostic, ...]


@attrs.frozen
class ScoreState:
    """A score as one ruleset gives it: as published, or why it cannot be given (``missing``:
    not in this ruleset, inputs it cannot read, applicable questions with no answer)."""

    shown: str | None
    band: str | None
    band_title: str | None
    limited: bool
    sufficient: int | None
    applicable: int | None
    missing: str | None = None
    counted: str = ""  # what it counted, as the counts column shows it: `45/60`, `22/36 points`


class Membership(enum.Enum):
    """Whether a question is behind a score under both rulesets, or only one."""

    KEPT = "kept"
    JOINED = "joined"
    LEFT = "left"


@attrs.frozen
class QuestionImpact:
    """A question behind a score whose part in it changed: kept with ``cases`` whose answers
    now count differently (sufficient, insufficient or left out), or joined or left the score
    with ``cases`` whose answers count in it."""

    question: str
    membership: Membership
    cases: int


class Standing(enum.Enum):
    """Where a score stands between the two rulesets, in the order a diff lists scores."""

    BAND_MOVED = "band moved"
    NOT_COMPARABLE = "no score under one ruleset or both"
    BAND_KEPT = "band unchanged"


@attrs.frozen
class ScoreDiff:
    name: str
    title: str | None
    depth: int
    old: ScoreState
    new: ScoreState
    causes: tuple[int, ...]  # indexes of the changes behind it, in Diff.changes
    questions: tuple[QuestionImpact, ...]
    cases: int | None  # cases whose answers count differently in it; None: a side has none

    @property
    def band_moved(self) -> bool:
        """Both rulesets give the score, in different bands (or one of them in none)."""
        return self.comparable and self.old.band != self.new.band

    @property
    def comparable(self) -> bool:
        """Both rulesets give the score (neither lacks it nor cannot compute it)."""
        return self.old.missing is None and self.new.missing is None

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def standing(self) -> Standing:
        if not self.comparable:
            return Standing.NOT_COMPARABLE
        return Standing.BAND_MOVED if self.band_moved else Standing.BAND_KEPT


@attrs.frozen
class Diff:
    old: Side
    new: Side
    inputs: tuple[str, ...]
    changes: tuple[Change, ...]
    scores: tuple[ScoreDiff, ...]  # by standing (band migrations first), then ruleset order

    @property
    def band_moves(self) -> tuple[ScoreDiff, ...]:
        return tuple(score for score in self.scores if score.band_moved)

    @property
    def inputs_invalid(self) -> bool:
        return has_errors((*self.old.diagnostics, *self.new.diagnostics))


def diff(old: Ruleset, new: Ruleset, inputs: Sequence[str] = (), *,
         allow_unanswered: bool = False) -> Diff:
    """Compare two rulesets and, given inputs, the scores each gives them."""
    changes = compare_rulesets(old.model, new.model)
    if not inputs:
        return Diff(Side(old, None, (), ()), Side(new, None, (), ()), (), changes, ())
    runs = [_run(side, inputs, allow_unanswered) for side in (old, new)]
    sides = [Side(ruleset, run.cases if run else None, run.files if run else (), found)
             for ruleset, (run, found) in zip((old, new), runs, strict=True)]
    scores = _score_diffs(old.compiled, new.compiled, [run for run, _ in runs], changes,
                          allow_unanswered)
    return Diff(sides[0], sides[1], tuple(inputs), changes, scores)


def _run(ruleset: Ruleset, inputs: Sequence[str], allow_unanswered: bool
         ) -> tuple[Evaluation | None, tuple[Diagnostic, ...]]:
    """The inputs read and scored under one ruleset, keeping every answer's record."""
    loaded = load_cases(inputs, ruleset.compiled)
    if loaded.inspection is None:
        return None, loaded.diagnostics
    evaluation = evaluate(ruleset.compiled, loaded.inspection, keep_records=True,
                          allow_unanswered=allow_unanswered)
    return evaluation, (*loaded.diagnostics, *evaluation.diagnostics)


# ---- scores ----------------------------------------------------------------------------------


def _score_diffs(old: CompiledRuleset, new: CompiledRuleset,
                 runs: Sequence[Evaluation | None], changes: Sequence[Change],
                 allow_unanswered: bool) -> tuple[ScoreDiff, ...]:
    rulesets = (old, new)
    names = list(dict.fromkeys([*(s.name for s in new.scores), *(s.name for s in old.scores)]))
    behind = [{name: questions_behind(ruleset, name) if ruleset.has_score(name) else frozenset()
               for name in names} for ruleset in rulesets]
    outcomes = [_outcomes(run) for run in runs]
    states = [_states(ruleset, run, allow_unanswered) for ruleset, run in zip(rulesets, runs,
                                                                             strict=True)]
    causes = _causes(rulesets, names, behind, changes)
    missing = ScoreState(None, None, None, False, None, None, "not in this ruleset")
    diffs = []
    for name in names:
        score = (new if new.has_score(name) else old).score(name)
        questions, cases = _impacts(behind[0][name], behind[1][name], outcomes)
        diffs.append(ScoreDiff(name, score.title, score.depth,
                               states[0].get(name, missing), states[1].get(name, missing),
                               causes[name], questions, cases))
    order = list(Standing)
    return tuple(sorted(diffs, key=lambda score: order.index(score.standing)))


#: An answer's outcome as a score counts it: sufficient, insufficient, or left out (None).
_Counted = Outcome | None


def _outcomes(run: Evaluation | None) -> dict[str, dict[str, _Counted]] | None:
    """Per question, each case's outcome as scores count it, from the run's answer records."""
    if run is None:
        return None
    found: dict[str, dict[str, _Counted]] = {}
    for record in run.records:
        found.setdefault(record.question, {})[record.case] = \
            record.outcome if record.outcome.counted else None
    return found


#: A score's state when its ruleset could not read the inputs (its diagnostics say why).
UNREAD = "cannot compute: the inputs could not be read"


def _states(ruleset: CompiledRuleset, run: Evaluation | None,
            allow_unanswered: bool) -> dict[str, ScoreState]:
    if run is None:
        return {score.name: ScoreState(None, None, None, False, None, None, UNREAD)
                for score in ruleset.scores}
    unanswered: dict[str, set[str]] = {}  # question -> cases; an error unless allowed
    for record in run.records:
        if record.outcome is Outcome.UNANSWERED and not allow_unanswered:
            unanswered.setdefault(record.question, set()).add(record.case)
    states = {}
    for result in run.scores:
        gaps = sorted((question for question in questions_behind(ruleset, result.name)
                       if question in unanswered), key=_natural)
        if gaps:
            cases = set().union(*(unanswered[question] for question in gaps))
            states[result.name] = ScoreState(
                None, None, None, False, None, None,
                f"cannot compute: {len(cases)} case{' has' if len(cases) == 1 else 's have'} "
                f"no answer for {', '.join(gaps)}")
            continue
        band = result.band
        states[result.name] = ScoreState(
            shown(result, ruleset), band and band.label, band and (band.title or band.label),
            result.capped_by is not None, result.sufficient, result.applicable,
            counted=counted(result))
    return states


def _impacts(old: frozenset[str], new: frozenset[str],
             outcomes: Sequence[Mapping[str, Mapping[str, _Counted]] | None]
             ) -> tuple[tuple[QuestionImpact, ...], int | None]:
    """The questions whose part in a score changed, and how many cases count differently in
    it; (), None when either run has no records to compare."""
    if outcomes[0] is None or outcomes[1] is None:
        return (), None
    impacts, cases = [], set()
    for question in sorted(old | new, key=_natural):
        was, now = outcomes[0].get(question, {}), outcomes[1].get(question, {})
        if question in old and question in new:
            moved = {case for case in was.keys() | now.keys()
                     if was.get(case) != now.get(case)}
            membership = Membership.KEPT
        else:
            source = was if question in old else now
            moved = {case for case, outcome in source.items() if outcome is not None}
            membership = Membership.LEFT if question in old else Membership.JOINED
        if moved or membership is not Membership.KEPT:
            impacts.append(QuestionImpact(question, membership, len(moved)))
            cases |= moved
    return tuple(impacts), len(cases)


def _natural(name: str) -> tuple:
    """Question codes in the order people number them: 1.1.9 before 1.1.10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in name.split("."))


def _causes(rulesets: Sequence[CompiledRuleset], names: Sequence[str],
            behind: Sequence[Mapping[str, frozenset[str]]], changes: Sequence[Change]
            ) -> dict[str, tuple[int, ...]]:
    """For every score, the changes that can have moved it: those naming it, changing how
    questions behind it count, or moving questions into or out of it, and those behind any
    score it is built from or limited by."""
    depends: dict[str, set[str]] = {name: set() for name in names}
    for ruleset in rulesets:
        for score in ruleset.scores:
            depends[score.name].update(part for part in score.parts if ruleset.has_score(part))
            depends[score.name].update(subject for limit in score.limits
                                       for subject in subjects(limit.condition)
                                       if ruleset.has_score(subject))
    direct: dict[str, set[int]] = {}
    for name in names:
        either, both = behind[0][name] | behind[1][name], behind[0][name] & behind[1][name]
        direct[name] = {index for index, change in enumerate(changes)
                        if name in change.scores or change.counting & either
                        or change.membership & (either - both)}
    found: dict[str, tuple[int, ...]] = {}
    for name in names:
        gathered, pending, seen = set(), [name], set()
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                gathered |= direct.get(current, set())
                pending.extend(depends.get(current, ()))
        found[name] = tuple(sorted(gathered))
    return found
