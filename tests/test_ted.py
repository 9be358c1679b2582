"""Tree edit distance: the fast implementation gives exactly the distances of the zss-based one
it replaced (kept below as the reference), on seeded random JSON and lab-report-like pairs."""

from __future__ import annotations

import functools
import random
from array import array
from typing import Any

import pytest
import zss
from rapidfuzz.distance import Levenshtein

from benchmark.scoring import ted
from benchmark.scoring.ted import ted_accuracy, tree_edit_distance

# --- the reference: benchmark/scoring/ted.py as it was, computed with zss --------------------

_LEAF = "<leaf>"


def _ref_normalize(data: Any) -> Any:
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key in sorted(data, key=lambda k: (len(str(k)), str(k))):
            value = _ref_normalize(data[key])
            if value:
                out[str(key)] = value if isinstance(value, list) else [value]
        return out
    if isinstance(data, list):
        if all(isinstance(item, dict) for item in data):
            return [item for item in (_ref_normalize(item) for item in data) if item]
        return [str(item).strip() for item in data if isinstance(item, (str, int, float)) and str(item).strip()]
    return [str(data).strip()] if data is not None and str(data).strip() else []


def _ref_tree(data: dict[str, Any], name: str = "<root>") -> zss.Node:
    node = zss.Node(name)
    for key, value in data.items():
        if isinstance(value, dict):
            kid = _ref_tree(value, key)
        else:
            kid = zss.Node(key)
            for item in value:
                kid.addkid(_ref_tree(item, "<subtree>") if isinstance(item, dict) else zss.Node(_LEAF + item))
        node.addkid(kid)
    return node


def _ref_insert_remove(node: zss.Node) -> int:
    label = node.label
    return len(label) - len(_LEAF) if label.startswith(_LEAF) else 1


def _ref_update(a: zss.Node, b: zss.Node) -> int:
    la, lb = a.label, b.label
    a_leaf, b_leaf = la.startswith(_LEAF), lb.startswith(_LEAF)
    if a_leaf and b_leaf:
        return Levenshtein.distance(la[len(_LEAF) :], lb[len(_LEAF) :])
    if a_leaf:
        return 1 + len(la) - len(_LEAF)
    if b_leaf:
        return 1 + len(lb) - len(_LEAF)
    return int(la != lb)


def _ref_distance(a: zss.Node, b: zss.Node) -> float:
    return zss.distance(
        a, b, get_children=zss.Node.get_children, insert_cost=_ref_insert_remove, remove_cost=_ref_insert_remove,
        update_cost=_ref_update,
    )


def _ref_ted_accuracy(gold: dict[str, Any], pred: dict[str, Any] | None) -> float:
    gold_tree = _ref_tree(_ref_normalize(gold))
    pred_tree = _ref_tree(_ref_normalize(pred or {}))
    base = _ref_distance(_ref_tree({}), gold_tree)
    if base == 0:
        return 1.0 if _ref_distance(pred_tree, gold_tree) == 0 else 0.0
    return max(0.0, 1.0 - _ref_distance(pred_tree, gold_tree) / base)


def _ref_ted(a: Any, b: Any) -> float:
    return _ref_distance(_ref_tree(_ref_normalize(a or {})), _ref_tree(_ref_normalize(b or {})))


# --- generators ----------------------------------------------------------------------------

# keys that collide with Donut's own labels, look like leaves, differ only in length, or are empty
KEYS = ["a", "b", "ab", "Name", "Unit", "Result", "Indicators", "<leaf>", "<leaf>k", "<subtree>", "<root>", "", "x y"]
WORDS = ["", " ", "5.38", "5.3B", "g/L", "Zhang San", "↑", "N/A", "阴性", "1.80-6.30", "lab", "label"]


def random_value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth > 0 and roll < 0.2:
        return random_object(rng, depth - 1)
    if depth > 0 and roll < 0.35:
        return [random_object(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    if roll < 0.45:  # scalars, sometimes several, sometimes mixed with objects or nested lists
        items: list[Any] = [rng.choice(WORDS) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.2:
            items.append(rng.choice([{"a": "x"}, [1, 2], None, 7]))
        return items
    return rng.choice([rng.choice(WORDS), rng.choice(WORDS), rng.randint(-5, 500), 3.25, True, None, ""])


def random_object(rng: random.Random, depth: int) -> dict[Any, Any]:
    keys = rng.sample(KEYS, rng.randint(0, 4))
    if rng.random() < 0.05:
        keys.append(rng.choice([1, 22]))  # a non-string key (a Python caller's dict, not JSON)
    return {key: random_value(rng, depth) for key in keys}


def mutate(rng: random.Random, data: Any) -> Any:
    """A prediction-like copy: values changed or dropped, keys added, list items dropped or swapped."""
    if isinstance(data, dict):
        out = {k: mutate(rng, v) for k, v in data.items() if rng.random() > 0.15}
        if rng.random() < 0.2:
            out[rng.choice(KEYS)] = random_value(rng, 1)
        return out
    if isinstance(data, list):
        items = [mutate(rng, item) for item in data if rng.random() > 0.15]
        if len(items) > 1 and rng.random() < 0.3:
            i = rng.randrange(len(items) - 1)
            items[i], items[i + 1] = items[i + 1], items[i]
        return items
    if isinstance(data, str) and data and rng.random() < 0.4:
        i = rng.randrange(len(data))
        return data[:i] + rng.choice(["", "0", "l", data[i] * 2]) + data[i + 1 :]
    return data


HEADER = ["Name", "Age", "Diagnosis"]
ROW = ["Item Name", "Result", "Unit", "Reference Range", "Abnormal Mark"]


def lab_document(rng: random.Random, rows: int) -> dict[str, Any]:
    doc: dict[str, Any] = {key: f"{key[:3].lower()} {rng.randint(0, 99)}" for key in HEADER}
    doc["Indicators"] = [
        {key: f"{key[:2]}{rng.randint(0, 9)}.{rng.randint(0, 99)}" for key in ROW if rng.random() > 0.15}
        for _ in range(rows)
    ]
    return doc


def pairs(seed: int, n: int) -> list[tuple[Any, Any]]:
    """(gold, prediction) pairs: 55% random objects and a mutated copy, 15% two random objects,
    30% small lab reports and a mutated copy (the shape the merged-node path takes)."""
    rng = random.Random(seed)
    out: list[tuple[Any, Any]] = []
    while len(out) < n:
        kind = rng.random()
        if kind < 0.55:
            a = random_object(rng, 3 if kind < 0.1 else 2)
            out.append((a, mutate(rng, a)))
        elif kind < 0.7:
            out.append((random_object(rng, 2), random_object(rng, 2)))
        else:
            gold = lab_document(rng, rng.randint(1, 2))
            pred = mutate(rng, gold)
            if rng.random() < 0.1:  # a model that nests or flattens differently
                pred = {"Indicators": pred} if rng.random() < 0.5 else {**pred, "Indicators": "none"}
            out.append((gold, pred))
    return out


PAIRS = pairs(seed=18, n=1000)
backends = ["python", pytest.param("c", marks=pytest.mark.skipif(ted.BACKEND != "c", reason="_ted not built"))]


# --- tests ---------------------------------------------------------------------------------


@functools.cache
def reference_distances() -> list[float]:
    """zss's distance (prediction, gold) for every pair: computed once, it is the slow part."""
    return [_ref_ted(pred, gold) for gold, pred in PAIRS]


@pytest.mark.parametrize("backend", backends)
def test_distances_equal_the_zss_reference(backend):
    mismatches = [
        (gold, pred, got, want)
        for (gold, pred), want in zip(PAIRS, reference_distances(), strict=True)
        if (got := tree_edit_distance(pred, gold, backend)) != want
    ]
    assert not mismatches, mismatches[:3]


def test_accuracy_equals_the_zss_reference():
    for gold, pred in PAIRS[:150]:
        assert ted_accuracy(gold, pred) == _ref_ted_accuracy(gold, pred), (gold, pred)


@pytest.mark.parametrize("backend", backends)
def test_full_size_lab_documents(backend):
    rng = random.Random(7)
    for _ in range(2):
        gold = lab_document(rng, 8)
        pred = mutate(rng, gold)
        assert tree_edit_distance(pred, gold, backend) == _ref_ted(pred, gold)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ({}, {}, 0),
        ({"A": "foo"}, None, 4),  # remove the key (1) and its value (3); the roots agree
        ({"A": "foo"}, {"A": "fox"}, 1),
        ({"A": "foo"}, {"B": "foo"}, 1),
        ({"A": "foo"}, {"A": [{"B": "foo"}]}, 2),  # insert <subtree> and B: the same key holds an object
        ({"A": ["x", "y"]}, {"A": "x"}, 1),
        ({"a": " x ", "b": None, "c": []}, {"a": "x"}, 0),  # stripped; empty values dropped
    ],
)
def test_known_distances(a, b, distance):
    assert tree_edit_distance(a, b) == distance == _ref_ted(a, b)


def test_compiled_loops_reject_malformed_trees():
    if ted.BACKEND != "c":
        pytest.skip("_ted not built")
    from benchmark.scoring._ted import zhang_shasha

    ok = [array("i", [0]), array("i", [1]), array("i", [0]), array("i", [-1])]
    assert zhang_shasha(*ok, *ok, array("i"), 0) == 0
    bad_lmd = [array("i", [1, 0]), array("i", [1, 1]), array("i", [0, 0]), array("i", [-1, -1])]
    with pytest.raises(ValueError):
        zhang_shasha(*bad_lmd, *ok, array("i"), 0)
    with_text = [*ok[:3], array("i", [0])]
    with pytest.raises(ValueError):  # a text row past the matrix
        zhang_shasha(*with_text, *with_text, array("i"), 0)
    assert zhang_shasha(*with_text, *with_text, array("i", [1]), 1) == 1  # relabel: lev only


class _Text(str):
    pass


def _nested(depth: int) -> dict[str, Any]:
    out: dict[str, Any] = {"v": "x"}
    for _ in range(depth):
        out = {"k": out}
    return out


EDGE_OBJECTS: list[Any] = [
    {}, {"a": " \u3000 "}, {"a": "\u3000x\u2003"}, {"<leaf>": "x"}, {"<leaf>x": {"a": "b"}}, {"a": {"<leaf>": "y"}},
    {"a": 3}, {"a": True}, {"a": ["x"]}, {"a": [{"b": "c"}, "d"]}, {"a": [{}, {"b": ""}]}, {"a": _Text("x")},
    {1: "x"}, {"bb": "1", "a": "2", "ab": "3", "é": "4", "z": "5", "aa": {"c": None}}, _nested(70), _nested(60),
]


@pytest.mark.parametrize("backend", backends)
def test_edge_objects_equal_the_zss_reference(backend):
    for a in EDGE_OBJECTS:
        for b in [*EDGE_OBJECTS[:9], a]:
            assert tree_edit_distance(a, b, backend) == _ref_ted(a, b), (a, b)


def test_compiled_builder_builds_the_python_builders_trees():
    """``_ted.build_merged`` gives ``_build``'s merged tree (columns, texts, label ids, key sets)
    or declines (None) and leaves the object to ``_build``; it takes the lab-report shape itself."""
    if ted.BACKEND != "c":
        pytest.skip("_ted not built")
    from benchmark.scoring._ted import build_merged

    objects = [obj for pair in PAIRS for obj in pair if isinstance(obj, dict)] + EDGE_OBJECTS
    taken = 0
    for obj in objects:
        ids_c: dict[str, int] = {"shared": 0}
        ids_py = dict(ids_c)
        texts: list[str] = []
        pair_keys: set[int] = set()
        other_labels: set[int] = set()
        columns = build_merged(obj, ids_c, texts, pair_keys, other_labels)
        if columns is None:
            continue
        taken += 1
        want = ted._build(obj, True, ids_py)
        got = [list(array("i", column)) for column in columns]
        assert got == [list(want.lmd), list(want.weight), list(want.label), list(want.text)], obj
        assert (texts, pair_keys, other_labels, ids_c) == (want.texts, want.pair_keys, want.other_labels, ids_py)
    assert taken > len(objects) // 3
    rng = random.Random(3)
    assert build_merged(lab_document(rng, 8), {}, [], set(), set()) is not None
    for obj in ({"a": 3}, {"a": ["x"]}, {"<leaf>": "x"}, {"a": _Text("x")}, {1: "x"}, _nested(70)):
        assert build_merged(obj, {}, [], set(), set()) is None, obj
