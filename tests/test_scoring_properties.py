"""Property tests of the scorer (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from benchmark.scoring import aggregate, parse_output, score_document

keys = st.sampled_from(["Name", "Age", "Unit", "Result", "Item Name", "x"])
scalars = st.one_of(st.text(max_size=8), st.integers(-1000, 1000), st.floats(allow_nan=False, allow_infinity=False))
items = st.dictionaries(keys, scalars, max_size=4)
docs = st.dictionaries(
    keys,
    st.one_of(scalars, st.lists(scalars, max_size=3), st.lists(items, max_size=4), items),
    max_size=5,
)


@given(docs)
@settings(max_examples=150, deadline=None)
def test_perfect_prediction_scores_f1_one(gold):
    m = aggregate([score_document(gold, gold)])
    assert m["f1"] == 1.0
    assert m["fp"] == 0 and m["fn"] == 0


def _shuffled(obj, rng):
    if isinstance(obj, dict):
        pairs = list(obj.items())
        rng.shuffle(pairs)
        return {k: _shuffled(v, rng) for k, v in pairs}
    if isinstance(obj, list):
        out = [_shuffled(v, rng) for v in obj]
        rng.shuffle(out)
        return out
    return obj


@given(docs, docs, st.integers(0, 10_000))
@settings(max_examples=150, deadline=None)
def test_permuting_list_items_or_key_order_changes_nothing(gold, pred, seed):
    rng = random.Random(seed)
    a = score_document(gold, pred)
    b = score_document(_shuffled(gold, rng), _shuffled(pred, rng))
    assert (a.tp, a.fp, a.fn) == (b.tp, b.fp, b.fn)


@given(st.lists(st.tuples(docs, st.one_of(st.none(), docs)), max_size=4))
@settings(max_examples=100, deadline=None)
def test_metrics_lie_in_unit_interval(pairs):
    m = aggregate([score_document(g, p) for g, p in pairs])
    for name in ("precision", "recall", "f1", "macro_f1"):
        assert 0.0 <= m[name] <= 1.0


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_arbitrary_text_never_raises(text):
    res = parse_output(text)
    score_document({"a": "1"}, res.value, parse_error=res.error)


@given(st.text(alphabet='{}[]":,0123456789abc<>/thinkanswer` \n', max_size=60))
@settings(max_examples=300, deadline=None)
def test_json_like_text_never_raises(text):
    res = parse_output(text)
    assert (res.value is None) == (res.error is not None)
