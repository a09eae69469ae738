"""Languages: the message catalogue is complete in English and Welsh, every id code or a template
uses is in it, titles fall back to English where a Welsh one is missing (marked and listed), and
`check --lang cy` lists every missing Welsh title."""

from __future__ import annotations

import re
import string

import pytest
from click.testing import CliRunner

from ccirules import nodes
from ccirules.api import check_ruleset_file, load_ruleset
from ccirules.cli import main
from ccirules.compiler import Rule
from ccirules.i18n import LANGUAGES, Messages, Titles, catalogue, message, missing_titles
from ccirules.trace import Outcome
from tests.conftest import ROOT, RULESETS

PACKAGE = ROOT / "ccirules"

#: Ids built from a prefix and a value at run time, and every value they can take.
DYNAMIC = {
    "explain.outcome.": [outcome.name.lower() for outcome in Outcome],
    "outcome.": [outcome.name.lower() for outcome in Outcome],
    "report.method.": [rule.value for rule in Rule],
    "report.method.mode.": [mode.value for mode in nodes.RoundingMode],
    "report.method.basis.": [basis.value for basis in nodes.BandBasis],
    "report.fact.": ["area", "nation", "region", "date", "type"],
    "template.fact.": ["area", "nation", "region", "date", "type"],
    "template.means.": [category.name.lower() for category in nodes.Category],
}

#: A message id in code or a template: a quoted literal starting with a catalogue section.
_CALL = re.compile(
    r"""["']((?:result|explain|outcome|report|template)\.[a-z_.][a-z_. ]*[a-z_])["']""")


def used_ids() -> set[str]:
    """Every literal message id in the package's code and templates."""
    found = set()
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.j2")]:
        found.update(_CALL.findall(path.read_text(encoding="utf-8")))
    return {key for key in found if not key.endswith(".") and key != "report.css"}


def test_every_entry_is_in_every_language() -> None:
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), f"{key} lacks a language"
        for lang in LANGUAGES:
            text = entry[lang]
            forms = text.values() if isinstance(text, dict) else [text]
            assert all(isinstance(form, str) and form.strip() for form in forms), (key, lang)


def test_placeholders_agree_between_languages() -> None:
    def fields(text) -> set[str]:
        forms = text.values() if isinstance(text, dict) else [text]
        return {name for form in forms for _, name, _, _ in string.Formatter().parse(form)
                if name}

    for key, entry in catalogue().items():
        english = fields(entry["en"])
        assert fields(entry["cy"]) <= english | {"n"}, key


def test_every_id_used_is_in_the_catalogue() -> None:
    ids = used_ids()
    assert len(ids) > 40  # the scan finds the calls
    missing = sorted(ids - catalogue().keys())
    assert not missing, f"message ids without an entry: {missing}"
    for prefix, values in DYNAMIC.items():
        for value in values:
            assert prefix + value in catalogue(), prefix + value


def test_the_catalogue_holds_nothing_unused() -> None:
    dynamic = {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    unused = sorted(catalogue().keys() - used_ids() - dynamic)
    assert not unused, f"entries nothing uses: {unused}"


def test_templates_hold_no_words_of_their_own() -> None:
    """Every word a reader sees comes from the catalogue or the ruleset: a template's own text,
    outside Jinja tags and HTML markup, is only punctuation."""
    for path in PACKAGE.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
        text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", "", text, flags=re.S)
        text = re.sub(r"<[^>]*>", "", text)
        text = re.sub(r"&[a-z]+;|&#\d+;", "", text)
        words = re.findall(r"[A-Za-z]{2,}", text)
        assert not words, f"{path.name} has words outside the catalogue: {words[:10]}"


def test_plural_forms() -> None:
    assert message("result.cases", "en", n=1) == "1 case"
    assert message("result.cases", "en", n=62) == "62 cases"
    assert message("result.cases", "cy", n=62) == "62 achos"


def test_welsh_titles_survive_compilation() -> None:
    ruleset = load_ruleset(str(RULESETS / "cci-youth-2012.rules")).compiled
    titles = Titles(ruleset, "cy")
    assert str(titles.ruleset_title()) == "Arolygiad Craidd o Achosion gwaith troseddu ieuenctid"
    assert str(titles.score("1.1")) == "Risg o Niwed i eraill"
    assert str(titles.group("1")) == "Asesu a chynllunio dedfrydau"
    assert str(titles.band(ruleset.score("1.1").bands.bands[0])) == "Angen gwelliant LLEIAF"
    assert str(titles.bands(ruleset.score("1.1").bands)) == "Gwelliant sydd ei angen"
    assert str(titles.scale_value("1.1.1", "yes")) == "Do"
    assert not titles.fallbacks
    assert str(titles.question("1.1.1")) == "Was an Asset RoSH screening completed? †"
    assert str(titles.attribute("age")) == "Age at start of sentence †"
    assert titles.fallback_list() == ["question `1.1.1`", "attribute `age`"]


def test_english_is_untouched() -> None:
    ruleset = load_ruleset(str(RULESETS / "cci-youth-2012.rules")).compiled
    titles = Titles(ruleset, "en")
    assert str(titles.score("1.1")) == "Risk of Harm to others (RoH)"
    assert not titles.fallbacks


@pytest.mark.parametrize(("ruleset", "missing"), [("cci-youth-2012.rules", 101),
                                                  ("hmip-youth-2018.rules", 58)])
def test_missing_welsh_titles_of_the_shipped_rulesets(ruleset: str, missing: int) -> None:
    """The lists in docs/welsh.md: questions and attributes of 2012; nearly all of 2018."""
    checked = check_ruleset_file(str(RULESETS / ruleset))
    assert len(list(missing_titles(checked.ruleset))) == missing


def test_eval_in_welsh_warns_of_fallbacks(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["eval", "rulesets/hmip-youth-2018.rules",
                                       "examples/hmip-2018", "--lang", "cy"])
    assert result.exit_code == 0
    assert "warning[W303]" in result.stderr and "standard `2.1`" in result.stderr
    assert "Assessment †" in result.stdout
    assert "dim teitl Cymraeg eto" in result.stdout
    strict = CliRunner().invoke(main, ["eval", "rulesets/hmip-youth-2018.rules",
                                       "examples/hmip-2018", "--lang", "cy", "--strict"])
    assert strict.exit_code == 3


def test_explain_in_welsh(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, [
        "explain", "rulesets/cci-youth-2012.rules", "examples/northamptonshire-2012/cases",
        "--score", "1.1", "--lang", "cy"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first == ("1.1 Risg o Niwed i eraill: 74% (440 o 595 ateb perthnasol yn ddigonol), "
                     "Angen gwelliant CYMEDROL")
    assert "wedi'i gyfrif yn ddigonol" in result.stdout


def test_messages_in_every_language_format() -> None:
    """Every entry formats in every language with the fields its English form names."""
    for key, entry in catalogue().items():
        forms = entry["en"].values() if isinstance(entry["en"], dict) else [entry["en"]]
        names = {name for form in forms for _, name, _, _ in string.Formatter().parse(form)
                 if name}
        values = dict.fromkeys(names, "x") | {"n": 2}
        for lang in LANGUAGES:
            assert Messages(lang)(key, **values)


def test_welsh_doc_lists_every_welsh_string(update_golden: bool) -> None:
    from tests.conftest import compare_golden
    from tests.welsh_doc import render_welsh_doc

    compare_golden(ROOT / "docs" / "welsh.md", render_welsh_doc(), update_golden)

