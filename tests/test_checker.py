"""The checker: each check finds what it should, once, and nothing on sound rulesets."""

from __future__ import annotations

import pytest

from ccirules.api import check_source
from ccirules.checker import CHECKS
from ccirules.model import build_model
from ccirules.parser import parse
from ccirules.source import SourceFile
from tests.conftest import RULESETS

HEADER = 'ruleset "Test"\n'
SCALE = "scale sufficiency value yes means sufficient value no means insufficient end\n"
LEVEL = ('level section "Section" scored as proportion sufficient of its questions '
         "banded by improvement\n")
IMPROVEMENT = ("bands improvement band minimum from 75 to 100 band moderate from 60 to 74 "
               "band rest from 0 to 59 end\n")


def codes(text: str) -> list[tuple[str, int]]:
    result = check_source(SourceFile("t.rules", text))
    return [(d.code, d.span.line) for d in result.diagnostics]


def only_codes(text: str) -> list[str]:
    return [code for code, _ in codes(text)]


@pytest.mark.parametrize("path", sorted(RULESETS.glob("*.rules")), ids=lambda p: p.name)
def test_shipped_rulesets_are_clean(path) -> None:
    assert codes(path.read_text(encoding="utf-8")) == []


def test_every_check_is_named_for_what_it_forbids() -> None:
    assert len({check.__name__ for check in CHECKS}) == len(CHECKS)
    assert all(check.__doc__ for check in CHECKS)


def test_a_minimal_sound_ruleset_is_clean() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT
            + 'section 1 "Assessment" question 1.1 "Done?" key question for h end\n'
            + 'headline h "Headline" banded by improvement\n')
    assert codes(text) == []


# ---- names -----------------------------------------------------------------------------------


def test_unknown_name_is_reported_once_without_cascading_type_errors() -> None:
    text = (HEADER + SCALE + 'level section "S"\nsection 1 "A"\n'
            "question 1.1 applies when nosuch is custody and nosuch > 3\nend\n")
    assert codes(text) == [("E202", 5), ("E202", 5)]


def test_duplicate_names_in_one_namespace_only() -> None:
    text = (HEADER + SCALE + "attribute improvement yes or no\n" + LEVEL + IMPROVEMENT
            + 'section 1 "A" question 1.1 end\nattribute improvement text\n')
    assert only_codes(text) == ["E201"]


def test_values_listed_twice() -> None:
    assert only_codes(HEADER + "attribute a one of x, y, x\n") == ["E201"]


def test_missing_header() -> None:
    assert only_codes("attribute a yes or no\n") == ["E227"]


def test_reference_to_the_wrong_namespace_says_what_it_is() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT
            + 'section 1 "A" on scale improvement question 1.1 end\n')
    result = check_source(SourceFile("t.rules", text))
    (diagnostic,) = [d for d in result.diagnostics if d.code == "E202"]
    assert diagnostic.hint == "`improvement` is a band table, but a scale is needed here"
    assert "E212" not in {d.code for d in result.diagnostics}  # no cascade to "has no scale"


# ---- structure -------------------------------------------------------------------------------


def test_levels_nest_as_declared() -> None:
    levels = 'level section "S"\nlevel criterion "C" within section\n'
    good = HEADER + SCALE + levels + 'section 1 "A" criterion 1.1 "B" question 1.1.1 end end\n'
    assert codes(good) == []
    flat = HEADER + SCALE + levels + 'criterion 1.1 "B" question 1.1.1 end\n'
    assert only_codes(flat) == ["E210"]
    inverted = HEADER + SCALE + levels + 'criterion 1.1 "B" section 1 "A" question 1.1.1 end end\n'
    assert only_codes(inverted) == ["E210", "E210"]


def test_level_loop() -> None:
    text = HEADER + 'level a "A" within b\nlevel b "B" within a\n'
    assert "E210" in only_codes(text)


def test_question_placed_by_under_counts_in_that_group() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT
            + 'section 1 "A" end\nquestion 1.1 "Done?" under 1\n')
    assert codes(text) == []
    model = build_model(parse(SourceFile("t", text)).ruleset)
    assert [q.node.name.text for q in model.group_info["1"].questions] == ["1.1"]


def test_question_under_two_groups() -> None:
    text = (HEADER + SCALE + 'level section "S"\nsection 1 "A" question 1.1 under 2 end\n'
            'section 2 "B" question 2.1 end\n')
    assert only_codes(text) == ["E211"]


def test_scale_is_inherited_from_the_nearest_group() -> None:
    text = (HEADER + SCALE + "scale quality value good means sufficient value poor means "
            'insufficient end\nlevel section "S"\nsection 1 "A" on scale quality '
            "question 1.1 question 1.2 applies when 1.1 is good end\n")
    assert codes(text) == [("W302", 2)]  # `sufficiency`: every question uses `quality`
    assert only_codes(text.replace("1.1 is good", "1.1 is yes")) == ["W302", "E204"]


# ---- conditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("condition", "expected"), [
    ("setting is custody", []),
    ("setting is jail", ["E204"]),
    ("setting in (custody, jail)", ["E204"]),
    ("age >= 15 and age <= 17", []),
    ("age is 15", []),
    ("age in (15, 16.0, 017)", []),
    ("age is fifteen", ["E205"]),
    ("age is 15.5", ["E205"]),
    ("age is not 18", ["E204"]),
    ("age in (10, 9)", ["E204"]),
    ("setting > 3", ["E205"]),
    ("setting is sufficient", ["E205"]),
    ("1.1 is sufficient", []),
    ("1.1 is maybe", ["E204"]),
    ("1 is rated minimum", ["E205"]),
    ("age > 17", ["W301"]),
    ("age < 10 or age > 17", ["W301"]),
    ("setting is custody and not setting is custody", ["W301"]),
    ("setting is custody and setting in (community)", ["W301"]),
    ("1.1 is sufficient and 1.1 is insufficient", ["W301"]),
    ("not (1.1 is applicable) and 1.1 is yes", ["W301"]),
    ("1.1 is not applicable", []),
    ("notes is x and notes is y", ["W301"]),
    ("notes is x and notes is not y", []),
])
def test_condition_checks(condition: str, expected: list[str]) -> None:
    text = (HEADER + SCALE + "attribute setting one of custody, community\n"
            "attribute age whole number from 10 to 17\nattribute notes text\n" + LEVEL + IMPROVEMENT
            + f'section 1 "A" question 1.1 question 1.2 applies when {condition} end\n')
    assert only_codes(text) == expected


@pytest.mark.parametrize(("condition", "expected"), [
    ("1.1 is sufficient", ["W304"]),
    ("1.1 is not sufficient", ["W304"]),
    ('1.1 is "sufficient"', []),
    ("1.1 is insufficient", []),
    ("1.1 is not applicable", ["W304"]),
    ("1.1 is applicable", []),
    ('1.1 is "not applicable"', []),
    ("kind is applicable", ["E226"]),
    ("kind is not rated court", ["E226"]),
    ('kind is "applicable" or kind is "rated"', []),
    ("kind is sufficient", ["E205"]),
])
def test_words_that_are_keywords_and_values(condition: str, expected: list[str]) -> None:
    """A value spelled like a category or `rated` is read as the keyword unless quoted: check
    says so, W304 where the keyword still makes sense, E226 where it cannot."""
    text = (HEADER + 'scale s value sufficient means sufficient value poor means insufficient '
            'value "not applicable" means not applicable end\n'
            "attribute kind one of court, applicable, rated\n" + LEVEL + IMPROVEMENT
            + f'section 1 "A" question 1.1 question 1.2 applies when {condition} end\n')
    assert only_codes(text) == expected


def test_a_level_cannot_be_named_like_a_keyword() -> None:
    text = HEADER + SCALE + 'level score "Score"\n'
    assert codes(text) == [("W302", 2), ("E226", 3)]  # the scale is unused; the level is E226


def test_question_contradicting_its_group() -> None:
    text = (HEADER + SCALE + "attribute setting one of custody, community\n"
            'level section "S"\nsection 1 "A" applies when setting is custody\n'
            "question 1.1 applies when setting is community end\n")
    result = check_source(SourceFile("t.rules", text))
    assert [d.code for d in result.diagnostics] == ["W301"]
    assert "contradicts its group" in result.diagnostics[0].message


def test_condition_cycle_is_named_from_its_first_question() -> None:
    text = (HEADER + SCALE + 'level section "S"\nsection 1 "A"\n'
            "question 1.1 applies when 1.3 is yes\nquestion 1.2 applies when 1.1 is yes\n"
            "question 1.3 applies when 1.2 is yes\nend\n")
    result = check_source(SourceFile("t.rules", text))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "E206"
    assert "`1.1` → `1.3` → `1.2` → `1.1`" in diagnostic.message


def test_self_dependent_question() -> None:
    text = (HEADER + SCALE + 'level section "S"\n'
            'section 1 "A" question 1.1 applies when 1.1 is yes end\n')
    assert only_codes(text) == ["E206"]


def test_condition_inherited_through_groups_counts_for_cycles() -> None:
    text = (HEADER + SCALE + 'level section "S"\nlevel criterion "C" within section\n'
            'section 1 "A" applies when 1.1.1 is yes criterion 1.1 "B" question 1.1.1 end end\n')
    assert only_codes(text) == ["E206"]


# ---- scores ----------------------------------------------------------------------------------


RATINGS = ("bands rating band outstanding from 80 to 100 points 3 band good from 65 to 79 points 2 "
           "band requires_improvement from 50 to 64 points 1 band inadequate from 0 to 49 points 0 "
           "end\n")


def standards(count: int, overall_bands: str, extra: str = "") -> str:
    rows = "\n".join(f'standard {n} "S{n}" end' for n in range(1, count + 1))
    return (HEADER + 'level standard "Standard" judged directly banded by rating\n' + rows + "\n"
            + f"score overall scored as sum of points of every standard{extra} banded by overall\n"
            + RATINGS + overall_bands)


OVERALL_36 = ("bands overall band outstanding from 31 to 36 band good from 19 to 30 "
              "band requires_improvement from 7 to 18 band inadequate from 0 to 6 end\n")


def test_sum_of_points_range_is_computed_from_the_ruleset() -> None:
    assert codes(standards(12, OVERALL_36)) == []
    assert codes(standards(13, OVERALL_36, extra=" except 13")) == []
    result = check_source(SourceFile("t.rules", standards(13, OVERALL_36)))
    (diagnostic,) = result.diagnostics
    assert diagnostic.code == "E222"
    assert "37, 38, 39" in diagnostic.message
    too_few = check_source(SourceFile("t.rules", standards(11, OVERALL_36))).diagnostics
    assert [d.code for d in too_few] == ["E223"]
    assert "0 to 33 points (11 scored parts)" in too_few[0].message


def test_points_band_between_possible_totals_is_unreachable() -> None:
    bands = ("bands overall band top from 2 to 6 band odd from 1.2 to 1.8 band low from 0 to 1.1 "
             "end\n")
    assert only_codes(standards(2, bands)) == ["E224"]


@pytest.mark.parametrize(("basis", "table", "expected"), [
    ("rounded", "from 75 to 100 band b from 60 to 74 band c from 0 to 59", []),
    ("exact", "from 75 to 100 band b from 60 to 74 band c from 0 to 59", ["E222", "E222"]),
    ("exact", "from 75 to 100 band b from 60 to below 75 band c from 0 to below 60", []),
    ("rounded", "from 75 to 100 band b from 60 to 73 band c from 0 to 59", ["E222"]),
    ("rounded", "from 75 to 99 band b from 60 to 74 band c from 0 to 59", ["E222"]),
    ("rounded", "from 75 to 100 band b from 60 to 74 band c from 1 to 59", ["E222"]),
    ("rounded", "from 75 to 101 band b from 60 to 74 band c from 0 to 59", ["E223"]),
    ("rounded", "from 75 to 100 band b from 60 to 75 band c from 0 to 59", ["E221"]),
    ("rounded", "from 60 to 74 band b from 75 to 100 band c from 0 to 59", ["E220"]),
    ("rounded", "from 100 to 75 band b from 60 to 74 band c from 0 to 59", ["E220"]),
])
def test_percentage_band_tables(basis: str, table: str, expected: list[str]) -> None:
    text = (f'ruleset "T" apply bands to {basis} scores\n' + SCALE + LEVEL
            + f"bands improvement band a {table} end\n"
            + 'section 1 "A" question 1.1 end\n')
    assert only_codes(text) == expected


@pytest.mark.parametrize(("rows", "message", "primary", "below"), [
    (("75 to 100", "60 to 73", "0 to 59"),
     "covers a score of 74%: `b` ends at 73 and `a` starts at 75", "a", ["b"]),
    (("75 to 100", "60 to 74", "1 to 59"),
     "covers a score of 0%: the lowest band, `c`, starts at 1", "c", []),
    (("75 to 99", "60 to 74", "0 to 59"),
     "covers a score of 100%: the highest band, `a`, ends at 99", "a", []),
])
def test_a_gap_points_at_the_band_rows_that_leave_it(rows, message, primary, below) -> None:
    head = HEADER + SCALE + LEVEL + 'section 1 "A" question 1.1 end\nbands improvement\n'
    text = head + "".join(f"  band {label} from {row}\n"
                          for label, row in zip("abc", rows, strict=True)) + "end\n"
    row_of = {head.count("\n") + 1 + index: label for index, label in enumerate("abc")}
    (gap,) = check_source(SourceFile("t.rules", text)).diagnostics
    assert gap.code == "E222" and gap.message.endswith(message)
    assert row_of[gap.span.line] == primary
    assert [row_of[r.span.line] for r in gap.related if r.message == "the band below the gap"] \
        == below


def test_rounding_to_decimals_changes_what_is_a_gap() -> None:
    table = "bands improvement band a from 74.5 to 100 band b from 0 to 74.4 end\n"
    section = 'section 1 "A" question 1.1 end\n'
    one_place = 'ruleset "T" round half up to 1 decimal place\n' + SCALE + LEVEL + table + section
    assert codes(one_place) == []
    two_places = 'ruleset "T" round half up to 2 decimal places\n' + SCALE + LEVEL + table + section
    assert only_codes(two_places) == ["E222"]


def test_headline_without_key_questions() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT + 'section 1 "A" question 1.1 end\n'
            'headline h "H" banded by improvement\n')
    assert only_codes(text) == ["E215"]


def test_key_question_for_a_non_headline() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT
            + 'section 1 "A" question 1.1 key question for 1 end\n')
    assert only_codes(text) == ["E203"]


def test_score_cycle() -> None:
    text = HEADER + "score a scored as lowest of b\nscore b scored as highest of a\n"
    assert only_codes(text) == ["E207"]


def test_pooled_scores_may_not_pool_themselves() -> None:
    text = (HEADER + SCALE + 'level section "S"\nsection 1 "A" question 1.1 end\n'
            "score a scored as proportion sufficient of b\n"
            "score b scored as proportion sufficient of a, 1\n")
    assert only_codes(text) == ["E207"]


def test_lowest_of_judged_ratings_has_no_number() -> None:
    text = (HEADER + 'level standard "S" judged directly banded by rating\nstandard 1 "A" end\n'
            "score worst scored as lowest of every standard\n" + RATINGS)
    assert "E214" in only_codes(text)


def test_weights_must_be_positive() -> None:
    text = (HEADER + SCALE + LEVEL + IMPROVEMENT + 'section 1 "A" question 1.1 end\n'
            "score w scored as weighted mean of 1 weight 0\n")
    assert only_codes(text) == ["E214"]


def test_except_must_exclude_something() -> None:
    text = standards(2, "bands overall band all from 0 to 6 end\n", extra=" except overall")
    assert only_codes(text) == ["E214"]


def test_limits_name_a_band_of_their_own_table() -> None:
    good = standards(12, OVERALL_36).replace(
        "banded by overall\n", "banded by overall at most good when 1 is rated inadequate\n")
    assert codes(good) == []
    assert only_codes(good.replace("at most good", "at most superb")) == ["E204"]
    assert only_codes(good.replace("1 is rated inadequate", "1 is rated awful")) == ["E204"]


def test_judged_score_needs_bands() -> None:
    assert only_codes(HEADER + 'level standard "S"\nstandard 1 "A" judged directly end\n') == [
        "E219"]


def test_diagnostics_are_sorted_by_position() -> None:
    text = (HEADER + 'attribute b one of x, x\nattribute a one of y, y\n'
            "scale unused value yes means sufficient end\n")
    lines = [line for _, line in codes(text)]
    assert lines == sorted(lines)
