"""`ccirules test`: ruleset test files, run, with coverage in the ruleset author's terms.

A test file (YAML) names a ruleset and holds tests; each test gives a small set of cases (inline,
or files and folders of cases) and the exact scores and bands it expects::

    ruleset: cci-youth-2012.rules
    defaults: {setting: community, age: 15, rosh: low}   # attributes every inline case has
    tests:
      - name: one insufficient screening
        allow_unanswered: true
        cases:
          - {case: T1, "1.1.1": no, "1.1.13": yes}
        expect:
          "1.1": {score: 50%, band: substantial, sufficient: 1, applicable: 2}

Cases are validated like any case file, with problems located in the test file. A failing
expectation reports what was expected, what came out, and the explanation of that score.
Coverage says which questions were answered, which key-question mappings fed a headline, and
which band rows some score landed in, across all tests of a ruleset.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from ccirules.api import evaluate, load_cases, load_ruleset
from ccirules.cases import Inspection, Judgements
from ccirules.compiler import CompiledRuleset
from ccirules.diagnostics import Diagnostic, error
from ccirules.escape import xml_text
from ccirules.evaluator import Evaluation
from ccirules.loaders import read_judgements
from ccirules.loaders.documents import DocNode, DocumentError, key_text, parse_yaml
from ccirules.loaders.records import Field, RecordBuilder
from ccirules.reading import read_source
from ccirules.results import shown
from ccirules.source import Span
from ccirules.suggest import did_you_mean

#: What an expectation may check, and how the result is shown for comparison.
CHECKED = ("score", "band", "sufficient", "applicable", "points", "maximum")


@attrs.frozen
class Expectation:
    score: str
    check: str
    expected: str
    span: Span


@attrs.frozen
class RulesetTest:
    name: str
    inspection: Inspection
    allow_unanswered: bool
    expectations: tuple[Expectation, ...]
    span: Span


@attrs.frozen
class TestFile:
    path: str
    ruleset_path: str
    ruleset: CompiledRuleset
    tests: tuple[RulesetTest, ...]


@attrs.frozen
class TestOutcome:
    test: RulesetTest
    failures: tuple[str, ...]
    failed_scores: tuple[str, ...]  # the scores whose expectations were not met
    evaluation: Evaluation


@attrs.frozen
class Reach:
    """One kind of coverage: everything there is to reach (in ruleset order, each as it is
    named to people), and what the tests reached."""

    words: str  # "questions answered"
    everything: tuple[str, ...]
    reached: frozenset[str]

    @property
    def percent(self) -> float:
        return 100.0 * len(self.reached) / len(self.everything) if self.everything else 100.0

    @property
    def missed(self) -> tuple[str, ...]:
        return tuple(item for item in self.everything if item not in self.reached)

    def summary(self) -> str:
        return (f"{self.words} {len(self.reached)}/{len(self.everything)} "
                f"({self.percent:.0f}%)")


@attrs.frozen
class Coverage:
    """Questions answered, key-question mappings whose question was answered, and band rows
    some score landed in."""

    questions: Reach
    mappings: Reach
    band_rows: Reach

    def kinds(self) -> tuple[Reach, ...]:
        return (self.questions, self.mappings, self.band_rows)


# ---- reading ---------------------------------------------------------------------------------


def load_test_file(path: str) -> tuple[TestFile | None, list[Diagnostic]]:
    source = read_source(path, kind="test files")
    if isinstance(source, Diagnostic):
        return None, [source]
    try:
        documents = parse_yaml(source)
        if len(documents) != 1 or documents[0].kind != "map":
            raise DocumentError(error("E430", "a test file is one mapping with `ruleset:` and "
                                      "`tests:`", documents[0].span if documents
                                      else source.whole()))
        top = _mapping(documents[0], {"ruleset", "defaults", "tests"}, required={"ruleset",
                                                                                 "tests"})
    except DocumentError as problem:
        return None, [problem.diagnostic]
    ruleset_path = os.path.normpath(os.path.join(os.path.dirname(path), str(top["ruleset"].value)))
    loaded = load_ruleset(ruleset_path)
    if not loaded.ok:
        return None, list(loaded.diagnostics)
    ruleset = loaded.compiled
    diagnostics: list[Diagnostic] = []
    defaults = _scalars(top["defaults"]) if "defaults" in top else []
    tests = []
    if top["tests"].kind != "list":
        return None, [error("E430", "`tests` must be a list of tests", top["tests"].span)]
    for node in top["tests"].value:
        try:
            tests.append(_test(node, ruleset, defaults, os.path.dirname(path), diagnostics))
        except DocumentError as problem:
            diagnostics.append(problem.diagnostic)
    if diagnostics:
        return None, diagnostics
    return TestFile(path, ruleset_path, ruleset, tuple(tests)), []


def inputs_of(test_files: Sequence[TestFile]) -> list[str]:
    """Every file the test files read: themselves, their rulesets and their case files (what
    an output must never be written over)."""
    return [path for test_file in test_files for path in (
        test_file.path, test_file.ruleset_path,
        *(file.path for test in test_file.tests for file in test.inspection.files))]


def _mapping(node: DocNode, allowed: set[str], required: set[str] = frozenset()
             ) -> dict[str, DocNode]:
    if node.kind != "map":
        raise DocumentError(error("E430", "expected a mapping here", node.span))
    found = {}
    for key, value in node.value:
        name = key_text(key)
        if name not in allowed:
            raise DocumentError(error("E430", f"`{name}` is not expected here", key.span,
                                      hint=did_you_mean(name, allowed)
                                      or "expected: " + ", ".join(sorted(allowed))))
        found[name] = value
    missing = sorted(required - found.keys())
    if missing:
        raise DocumentError(error("E430", f"`{missing[0]}` is missing here", node.span))
    return found


def _scalars(node: DocNode) -> list[Field]:
    if node.kind != "map":
        raise DocumentError(error("E430", "expected a mapping of names to values", node.span))
    fields = []
    for key, value in node.value:
        if value.kind != "scalar":
            raise DocumentError(error("E430", f"`{key.value}` must have a single value",
                                      value.span))
        fields.append(Field(key_text(key), value.value, key.span, value.span))
    return fields


def _test(node: DocNode, ruleset: CompiledRuleset, defaults: list[Field], folder: str,
          diagnostics: list[Diagnostic]) -> RulesetTest:
    parts = _mapping(node, {"name", "cases", "case_files", "judgements", "allow_unanswered",
                            "expect"}, required={"name", "expect"})
    name = str(parts["name"].value)
    builder = RecordBuilder(ruleset)
    cases = []
    if "cases" in parts:
        if parts["cases"].kind != "list":
            raise DocumentError(error("E430", "`cases` must be a list", parts["cases"].span))
        for item in parts["cases"].value:
            given = _scalars(item)
            keys = {field.key for field in given}
            fields = [field for field in defaults if field.key not in keys] + given
            case = builder.build(fields, item.span)
            if case is not None:
                cases.append(case)
    diagnostics.extend(builder.diagnostics)
    files = []
    judgements = Judgements({}, {})
    if "case_files" in parts:
        paths = [os.path.join(folder, str(item.value)) for item in
                 (parts["case_files"].value if parts["case_files"].kind == "list"
                  else [parts["case_files"]])]
        loaded = load_cases(paths, ruleset)
        diagnostics.extend(d for d in loaded.diagnostics if d.severity.value == "error")
        if loaded.inspection is not None:
            cases.extend(loaded.inspection.cases)
            files = list(loaded.inspection.files)
            judgements = loaded.inspection.judgements
    if "judgements" in parts:
        judged = [(field, "") for field in _scalars(parts["judgements"])]
        judgements = read_judgements(ruleset, judged, diagnostics)
    allow = str(parts["allow_unanswered"].value).lower() in ("yes", "true") \
        if "allow_unanswered" in parts else False
    expectations = tuple(_expectations(parts["expect"], ruleset, diagnostics))
    return RulesetTest(name, Inspection(tuple(cases), judgements, tuple(files)), allow,
                       expectations, node.span)


def _expectations(node: DocNode, ruleset: CompiledRuleset, diagnostics: list[Diagnostic]):
    names = [score.name for score in ruleset.scores]
    if node.kind != "map":
        raise DocumentError(error("E430", "`expect` must map score ids to expectations",
                                  node.span, hint="for example `\"1.1\": {score: 74%}`"))
    for key, value in node.value:
        score = key_text(key)
        if score not in names:
            diagnostics.append(error("E431", f"`{score}` is not a score of this ruleset",
                                     key.span, hint=did_you_mean(score, names)))
            continue
        for check, expected in _mapping(value, set(CHECKED)).items():
            bands = ruleset.score(score).bands
            if check == "band" and (bands is None or bands.by_label(str(expected.value)) is None):
                labels = [band.label for band in bands.bands] if bands else []
                diagnostics.append(error("E431", f"`{expected.value}` is not a band of `{score}`",
                                         expected.span, hint=did_you_mean(
                                             str(expected.value), labels) or "bands: "
                                         + ", ".join(labels)))
                continue
            yield Expectation(score, check, str(expected.value), expected.span)


# ---- running ---------------------------------------------------------------------------------


def run_file(test_file: TestFile) -> list[TestOutcome]:
    outcomes = []
    for test in test_file.tests:
        evaluation = evaluate(test_file.ruleset, test.inspection, keep_records=True,
                              allow_unanswered=test.allow_unanswered)
        failures = [f"{problem.code}: {problem.message}" for problem in evaluation.diagnostics
                    if problem.severity.value == "error"]
        failed_scores: dict[str, None] = {}
        for expectation in test.expectations:
            actual = _actual(evaluation, expectation)
            if actual != expectation.expected:
                failures.append(f"{expectation.score} {expectation.check}: expected "
                                f"{expectation.expected}, got {actual} "
                                f"({expectation.span.where})")
                failed_scores[expectation.score] = None
        outcomes.append(TestOutcome(test, tuple(failures), tuple(failed_scores), evaluation))
    return outcomes


def _actual(evaluation: Evaluation, expectation: Expectation) -> str:
    result = evaluation.score(expectation.score)
    if expectation.check == "score":
        return shown(result, evaluation.ruleset)
    if expectation.check == "band":
        return result.band.label if result.band is not None else "(none)"
    value = getattr(result, expectation.check)
    return "(none)" if value is None else str(value)


def coverage(ruleset: CompiledRuleset, outcomes: Sequence[TestOutcome]) -> Coverage:
    answered: set[str] = set()
    landed: set[tuple[str, str]] = set()
    for outcome in outcomes:
        evaluation = outcome.evaluation
        answered.update(name for name, tally in evaluation.tallies.items() if tally.applicable)
        for result in evaluation.scores:
            score = ruleset.score(result.name)
            if result.band is not None and score.bands is not None:
                landed.add((score.bands.name, result.band.label))
    mappings = [(question.name, headline) for question in ruleset.questions
                for headline in question.key_for]
    rows = list(dict.fromkeys((score.bands.name, band.label) for score in ruleset.scores
                              if score.bands for band in score.bands.bands))
    return Coverage(
        Reach("questions answered", tuple(question.name for question in ruleset.questions),
              frozenset(answered)),
        Reach("key-question mappings", tuple(f"{q} -> {h}" for q, h in mappings),
              frozenset(f"{q} -> {h}" for q, h in mappings if q in answered)),
        Reach("band rows reached", tuple(f"{table}: {label}" for table, label in rows),
              frozenset(f"{table}: {label}" for table, label in rows if (table, label) in landed)))


def shortfalls(covered: Coverage, threshold: float | None) -> list[Reach]:
    """The kinds of coverage below ``threshold`` (a percentage), if one is given."""
    if threshold is None:
        return []
    return [reach for reach in covered.kinds() if reach.percent < threshold]


def junit_xml(suites, threshold: float | None = None) -> str:
    """Results as JUnit XML: a test suite per file, a test case per test and, with a
    ``threshold``, one per kind of coverage, failing when below it and naming what the tests
    missed (so a dashboard fails where the run fails)."""
    import xml.etree.ElementTree as ElementTree

    root = ElementTree.Element("testsuites")
    for test_file, outcomes, covered in suites:
        below = shortfalls(covered, threshold)
        reaches = covered.kinds() if threshold is not None else ()
        suite = ElementTree.SubElement(
            root, "testsuite", name=xml_text(test_file.path),
            tests=str(len(outcomes) + len(reaches)),
            failures=str(sum(bool(o.failures) for o in outcomes) + len(below)))
        for outcome in outcomes:
            case = ElementTree.SubElement(suite, "testcase", name=xml_text(outcome.test.name),
                                          classname=xml_text(test_file.ruleset_path))
            if outcome.failures:
                failure = ElementTree.SubElement(case, "failure",
                                                 message=xml_text(outcome.failures[0]))
                failure.text = xml_text("\n".join(outcome.failures))
        for reach in reaches:
            case = ElementTree.SubElement(suite, "testcase", name=f"coverage: {reach.words}",
                                          classname=xml_text(test_file.ruleset_path))
            if reach in below:
                failure = ElementTree.SubElement(
                    case, "failure", message=f"{reach.summary()} is below {threshold:g}%")
                failure.text = xml_text("missed: " + ", ".join(reach.missed))
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
