"""The scorer's rules, one test per rule (README: Scoring rules)."""

from __future__ import annotations

import pytest

from benchmark.scoring import aggregate, parse_output, prf, score_document
from benchmark.scoring.ted import ted_accuracy

GOLD = {
    "Name": "Zhang San",
    "Age": "45",
    "Indicators": [
        {"Item Name": "WBC", "Result": "13.20", "Unit": "10^9/L", "Abnormal Mark": "↑"},
        {"Item Name": "RBC", "Result": "4.5", "Unit": "10^12/L"},
    ],
}


def counts(gold, pred, **kw):
    c = score_document(gold, pred, **kw)
    return c.tp, c.fp, c.fn


def test_perfect_prediction_is_all_tp():
    c = score_document(GOLD, GOLD)
    assert (c.tp, c.fp, c.fn) == (9, 0, 0)
    assert aggregate([c])["f1"] == 1.0


def test_paths_join_keys_with_dots_and_list_items_share_a_path():
    c = score_document({"a": {"b": "1"}, "L": [{"x": "1"}, {"x": "2"}]}, {})
    assert set(c.fields) == {"a.b", "l.x"}
    assert c.fields["l.x"] == [0, 0, 2]


@pytest.mark.parametrize("empty", [None, "", "   ", [], {}])
def test_empty_values_are_dropped_on_both_sides(empty):
    assert counts({"a": "1", "b": empty}, {"a": "1", "c": empty}) == (1, 0, 0)


def test_list_of_scalars_is_a_multiset():
    assert counts({"t": ["a", "b", "a"]}, {"t": ["a", "a", "a", "c"]}) == (2, 2, 1)


def test_list_items_are_aligned_one_to_one_by_maximum_assignment():
    gold = {"L": [{"n": "A", "v": "1"}, {"n": "B", "v": "2"}]}
    # A greedy first-fit would pair item 0 with the (A, 2) item; the optimum pairs by content.
    pred = {"L": [{"n": "B", "v": "2"}, {"n": "A", "v": "1"}]}
    assert counts(gold, pred) == (4, 0, 0)


def test_leaves_compare_only_inside_aligned_items():
    gold = {"L": [{"n": "A", "v": "1"}, {"n": "B", "v": "2"}]}
    pred = {"L": [{"n": "A", "v": "2"}, {"n": "B", "v": "1"}]}
    # aligned on names: values are swapped, so they do not count (multiset pooling would count them)
    assert counts(gold, pred) == (2, 2, 2)
    assert counts(gold, pred, list_matching="multiset") == (4, 0, 0)


def test_unaligned_items_are_fn_and_fp():
    gold = {"L": [{"n": "A"}, {"n": "B"}]}
    assert counts(gold, {"L": [{"n": "A"}]}) == (1, 0, 1)
    assert counts({"L": [{"n": "A"}]}, gold) == (1, 1, 0)


def test_values_nfkc_casefold_whitespace():
    assert counts({"a": "Zhang San"}, {"a": "zhang\u3000san "}) == (1, 0, 0)
    assert counts({"a": "ＡＢＣ１"}, {"a": "abc1"}) == (1, 0, 0)


def test_numbers_compare_numerically_with_thousands_separators():
    assert counts({"a": "13.20"}, {"a": "13.2"}) == (1, 0, 0)
    assert counts({"a": "1,234.50"}, {"a": "1234.5"}) == (1, 0, 0)
    assert counts({"a": 5}, {"a": "5.0"}) == (1, 0, 0)
    assert counts({"a": "12,5"}, {"a": "125"}) == (0, 1, 1)  # not a thousands separator


def test_keys_nfkc_casefold_and_separators_alike():
    assert counts({"Item Name": "x"}, {"item_name": "x"}) == (1, 0, 0)
    assert counts({"Item Name": "x"}, {"ITEM-NAME": "x"}) == (1, 0, 0)


def test_per_field_value_rules_override_the_default():
    assert counts({"d": "12-01-2019"}, {"d": "2019-01-12"}) == (0, 1, 1)
    assert counts({"d": "12-01-2019"}, {"d": "2019-01-12"}, value_rules={"d": "date"}) == (1, 0, 0)
    assert counts({"c": "MR. D.I.Y"}, {"c": "mr diy"}, value_rules={"c": "alnum"}) == (1, 0, 0)
    assert counts({"c": "13.20"}, {"c": "13.2"}, value_rules={"c": "exact"}) == (0, 1, 1)


def test_each_gold_pair_matched_at_most_once():
    assert counts({"a": "1"}, {"a": ["1", "1"]}) == (1, 1, 0)


def test_error_taxonomy():
    c = score_document({"a": "1", "b": "2", "t": ["x"]}, {"a": "9", "z": "3", "t": ["x", "y"]})
    assert c.errors == {"wrong_value": 1, "missing_key": 1, "hallucinated_key": 1, "extra_value": 1}


def test_missing_prediction_is_all_false_negatives():
    c = score_document(GOLD, None, parse_error="truncated_json")
    assert (c.tp, c.fp, c.fn) == (0, 0, 9)
    assert c.parse_error == "truncated_json"


def test_queried_keys_restrict_both_sides():
    assert counts(GOLD, {"Name": "Zhang San", "Age": "99"}, keys=["Name"]) == (1, 0, 0)


def test_micro_metrics_pool_counts_and_zero_cases():
    a = score_document({"a": "1", "b": "2"}, {"a": "1"})
    b = score_document({"a": "1"}, {"a": "1", "c": "3"})
    m = aggregate([a, b])
    assert (m["tp"], m["fp"], m["fn"]) == (2, 1, 1)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)
    assert prf(0, 2, 0) == (0.0, 1.0, 0.0) or prf(0, 2, 0)[2] == 0.0


def test_per_field_table_and_macro_f1():
    m = aggregate([score_document({"a": "1", "b": "2"}, {"a": "1", "b": "x"})])
    assert m["per_field"]["a"]["f1"] == 1.0 and m["per_field"]["b"]["f1"] == 0.0
    assert m["macro_f1"] == 0.5


@pytest.mark.parametrize(
    ("raw", "value", "error"),
    [
        ('{"a": 1}', {"a": 1}, None),
        ('Sure! ```json\n{"a": 1}\n``` hope this helps', {"a": 1}, None),
        ('<think>let me see {x}</think><answer>{"a": 1}</answer>', {"a": 1}, None),
        ('{"a": 1} trailing {"b": 2}', {"a": 1}, None),
        ('{"a": [1, 2', None, "truncated_json"),
        ('{"a": 1,, }', None, "invalid_json"),
        ("[1, 2]", None, "no_json"),
        ("no json here", None, "no_json"),
        ("", None, "empty_output"),
        ("<think>still thinking", None, "unclosed_think"),
    ],
)
def test_parse_output(raw, value, error):
    res = parse_output(raw)
    assert res.value == value
    assert res.error == error


def test_parse_records_thinking_length():
    res = parse_output("<think>abcd</think><answer>{}</answer>")
    assert res.think_chars == 4 and res.has_think and res.has_answer


def test_ted_accuracy_donut_definition():
    assert ted_accuracy(GOLD, GOLD) == 1.0
    assert ted_accuracy(GOLD, None) == 0.0
    # key order changes nothing (Donut sorts keys); item order matters (an ordered tree)
    reordered_keys = {"Indicators": GOLD["Indicators"], "Age": "45", "Name": "Zhang San"}
    assert ted_accuracy(GOLD, reordered_keys) == pytest.approx(1.0)
    reordered_items = {**GOLD, "Indicators": list(reversed(GOLD["Indicators"]))}
    assert ted_accuracy(GOLD, reordered_items) < 1.0
    one_char = {**GOLD, "Age": "46"}
    assert 0.9 < ted_accuracy(GOLD, one_char) < 1.0
