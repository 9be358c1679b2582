"""Tree-edit-distance accuracy as Donut defines it (Kim et al., 2022, ``JSONParseEvaluator``).

``acc = max(0, 1 - TED(pred, gold) / TED(empty, gold))`` on trees built from key-sorted JSON,
with Donut's costs (keys sorted; list order kept, as in Donut): a leaf's insert/remove cost is
its label length, an update between leaves is their Levenshtein distance, any other node costs 1
to insert or remove and 1 to relabel (0 when the labels agree).

The distance is the exact ordered tree edit distance (Zhang & Shasha, 1989), the same number
``zss`` gives for these trees and costs (``tests/test_ted.py`` checks that against ``zss``).
Two things make it fast:

- A key with one scalar value (a key node with a single leaf) is one node whose text is the
  value: insert/remove ``1 + len(value)``, relabel ``(keys differ) + Levenshtein(values)``.
  That halves the tree and leaves the distance unchanged when no key with a scalar value shares
  its name with a key holding objects (or with the ``<root>``/``<subtree>`` labels), every
  scalar list has one item and no key looks like a leaf label; then an optimal mapping of the
  full trees can always be chosen to map such a key and its value together (both to another
  such pair, or neither), because costs are a metric and moving the key onto the partner of
  its value never costs more. Trees outside those conditions are compared node by node.
- The Zhang-Shasha loops run in C (``_ted.c``, built with the package when a compiler is
  there), and so does building the merged trees of objects of strings, objects and lists of
  objects (``build_merged``; any other value is built by ``_build``); without it the same
  loops and builder run in Python. Strings are compared with rapidfuzz.
"""

from __future__ import annotations

from array import array
from typing import Any

try:
    from benchmark.scoring._ted import build_merged as _compiled_build_merged
    from benchmark.scoring._ted import zhang_shasha as _compiled_zhang_shasha
except ImportError:  # not built (no compiler at install time): the Python code below
    _compiled_zhang_shasha = _compiled_build_merged = None

_LEAF = "<leaf>"
BACKEND = "c" if _compiled_zhang_shasha is not None else "python"


def _normalize(data: Any) -> Any:
    """Donut's ``normalize_dict``: keys sorted by (length, name), empty values dropped, scalars
    wrapped in a list; list order is kept (TED is an ordered-tree distance)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key in sorted(data, key=lambda k: (len(str(k)), str(k))):
            value = _normalize(data[key])
            if value:
                out[str(key)] = value if isinstance(value, list) else [value]
        return out
    if isinstance(data, list):
        if all(isinstance(item, dict) for item in data):
            return [item for item in (_normalize(item) for item in data) if item]
        return [str(item).strip() for item in data if isinstance(item, (str, int, float)) and str(item).strip()]
    return [str(data).strip()] if data is not None and str(data).strip() else []


class _NotMergeable(Exception):
    """The tree breaks a condition under which key/value pairs may be merged into one node."""


class _PostorderTree:
    """Donut's tree of a JSON object, as postorder arrays: what the Zhang-Shasha loops read.

    Per node: ``lmd`` (leftmost leaf descendant), ``weight`` (insert/remove cost), ``label``
    (label id, shared by the trees compared; -1 for a leaf, whose text is all that counts) and
    ``text`` (row in ``texts``, -1 without text). Built by ``_build``."""

    __slots__ = ("label", "lmd", "other_labels", "pair_keys", "text", "texts", "weight")

    def __init__(self) -> None:  # the four columns: lists while built in Python, then int32 arrays
        self.lmd: Any = []
        self.weight: Any = []
        self.label: Any = []
        self.text: Any = []
        self.texts: list[str] = []
        self.pair_keys: set[int] = set()  # label ids of keys merged with their value
        self.other_labels: set[int] = set()  # label ids of every other non-leaf node

    def same_as(self, other: _PostorderTree) -> bool:
        return self.lmd == other.lmd and self.label == other.label and self.texts == other.texts

    def keyroots(self) -> list[int]:
        """Nodes that are not the leftmost child of their parent, and the root, ascending."""
        lmd = self.lmd
        seen: set[int] = set()
        out = [i for i in range(len(lmd) - 1, -1, -1) if not (lmd[i] in seen or seen.add(lmd[i]))]
        return out[::-1]


def _build(data: dict[str, Any], merge: bool, label_ids: dict[str, int], compiled: bool = False) -> _PostorderTree:
    """The tree of ``data``, normalized on the way as ``_normalize`` does (keys sorted, empty
    values dropped). ``merge=False``: exactly Donut's tree (``<root>`` and ``<subtree>`` nodes
    for objects, a node per key, a ``<leaf>`` node per scalar). ``merge=True``: a key with one
    scalar is one node carrying the scalar as its text; raises ``_NotMergeable`` when a key has
    several scalars or looks like a leaf label. ``compiled``: try ``_ted.build_merged`` first."""
    if merge and compiled and _compiled_build_merged is not None:
        tree = _PostorderTree()
        columns = _compiled_build_merged(data, label_ids, tree.texts, tree.pair_keys, tree.other_labels)
        if columns is not None:
            tree.lmd, tree.weight, tree.label, tree.text = (array("i", column) for column in columns)
            return tree
    tree = _PostorderTree()
    lmd, weight, label, text, texts = tree.lmd, tree.weight, tree.label, tree.text, tree.texts
    pair_keys, other_labels = tree.pair_keys, tree.other_labels

    def label_id(name: str) -> int:
        found = label_ids.get(name)
        if found is None:
            found = label_ids[name] = len(label_ids)
        return found

    def node(name: str, first: int | None) -> int:
        """A node of Donut's tree over children starting at ``first``; a name starting with
        ``<leaf>`` costs as a leaf."""
        index = len(lmd)
        lmd.append(index if first is None else lmd[first])
        if name.startswith(_LEAF):
            if merge:
                raise _NotMergeable
            label.append(-1)
            weight.append(len(name) - len(_LEAF))
            text.append(len(texts))
            texts.append(name[len(_LEAF) :])
        else:
            found = label_id(name)
            if merge:
                other_labels.add(found)
            label.append(found)
            weight.append(1)
            text.append(-1)
        return index

    def scalars(key: str, values: list[str]) -> int:
        if merge:
            if len(values) != 1 or key.startswith(_LEAF):
                raise _NotMergeable
            found = label_id(key)
            pair_keys.add(found)
            index = len(lmd)
            lmd.append(index)
            label.append(found)
            weight.append(1 + len(values[0]))
            text.append(len(texts))
            texts.append(values[0])
            return index
        first = len(lmd)
        for value in values:
            index = len(lmd)
            lmd.append(index)
            label.append(-1)
            weight.append(len(value))
            text.append(len(texts))
            texts.append(value)
        return node(key, first)

    def objects(items: list[Any]) -> int | None:
        first = None
        for item in items:
            index = obj(item, "<subtree>")
            if first is None:
                first = index
        return first

    def obj(data: dict[str, Any], name: str) -> int | None:
        """The node of an object, or None (nothing added) when it normalizes to empty."""
        first = None
        for key in sorted(sorted(data), key=len):  # by (length, name), as Donut
            value = data[key]
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    index = None
                elif merge and not key.startswith(_LEAF):  # the common case, inlined
                    found = label_ids.get(key)
                    if found is None:
                        found = label_ids[key] = len(label_ids)
                    pair_keys.add(found)
                    index = len(lmd)
                    lmd.append(index)
                    label.append(found)
                    weight.append(1 + len(value))
                    text.append(len(texts))
                    texts.append(value)
                else:
                    index = scalars(key, [value])
            elif isinstance(value, dict):
                index = obj(value, "<subtree>")
                if index is not None:
                    index = node(key, index)
            elif isinstance(value, list):
                if all(isinstance(item, dict) for item in value):
                    index = objects(value)
                    if index is not None:
                        index = node(key, index)
                else:
                    values = [v for item in value if isinstance(item, (str, int, float)) and (v := str(item).strip())]
                    index = scalars(key, values) if values else None
            elif value is not None and (value := str(value).strip()):
                index = scalars(key, [value])
            else:
                index = None
            if first is None:
                first = index
        return None if first is None else node(name, first)

    if obj(data, "<root>") is None:
        node("<root>", None)
    tree.lmd, tree.weight, tree.label, tree.text = (array("i", column) for column in (lmd, weight, label, text))
    return tree


def _trees(a: dict[str, Any], b: dict[str, Any], compiled: bool = False) -> tuple[_PostorderTree, _PostorderTree]:
    """The merged trees when merging keeps the distance (see the module docstring), else the
    node-by-node ones. ``a`` and ``b``: JSON objects with string keys. ``compiled``: merged
    trees built in C where it can."""
    try:
        label_ids: dict[str, int] = {}
        ta, tb = _build(a, True, label_ids, compiled), _build(b, True, label_ids, compiled)
    except _NotMergeable:
        pass
    else:
        clash = (ta.pair_keys | tb.pair_keys) & (ta.other_labels | tb.other_labels)
        if len(ta.lmd) > 1 and len(tb.lmd) > 1 and not clash:
            return ta, tb
    label_ids = {}
    return _build(a, False, label_ids), _build(b, False, label_ids)


def _zhang_shasha_python(t1: _PostorderTree, t2: _PostorderTree, lev: list[list[int]]) -> int:
    """The loops of ``_ted.c`` without its shortcut for leaf keyroots, in Python."""
    lmd1, weight1, label1, text1 = t1.lmd, t1.weight, t1.label, t1.text
    lmd2, weight2, label2, text2 = t2.lmd, t2.weight, t2.label, t2.text
    keyroots2 = t2.keyroots()
    n2 = len(lmd2)
    td = [[0] * n2 for _ in lmd1]
    for k1 in t1.keyroots():
        l1 = lmd1[k1]
        for k2 in keyroots2:
            l2 = lmd2[k2]
            fd = [[0] * (k2 - l2 + 2) for _ in range(k1 - l1 + 2)]
            for c in range(1, k2 - l2 + 2):
                fd[0][c] = fd[0][c - 1] + weight2[l2 + c - 1]
            for r in range(1, k1 - l1 + 2):
                i = l1 + r - 1
                li, remove, row, prev, td_i = lmd1[i], weight1[i], fd[r], fd[r - 1], td[i]
                row[0] = prev[0] + remove
                for c in range(1, k2 - l2 + 2):
                    j = l2 + c - 1
                    lj = lmd2[j]
                    best = min(prev[c] + remove, row[c - 1] + weight2[j])
                    if li == l1 and lj == l2:
                        ti, tj = text1[i], text2[j]
                        if ti >= 0 and tj >= 0:
                            rename = (label1[i] != label2[j]) + lev[ti][tj]
                        elif ti < 0 and tj < 0:
                            rename = int(label1[i] != label2[j])
                        else:
                            rename = weight1[i] + weight2[j]
                        best = min(best, prev[c - 1] + rename)
                        td_i[j] = best
                    else:
                        best = min(best, fd[li - l1][lj - l2] + td_i[j])
                    row[c] = best
    return td[-1][-1]


def _distance(a: dict[str, Any], b: dict[str, Any], backend: str) -> tuple[int, int]:
    """(TED between JSON objects ``a`` and ``b``, total weight of ``b``'s tree)."""
    compiled = backend == "c"
    try:
        ta, tb = _trees(a, b, compiled)
    except (TypeError, AttributeError):  # a key that is not a string: normalize (``str(key)``) first
        ta, tb = _trees(_normalize(a), _normalize(b), compiled)
    weight_b = sum(tb.weight)
    if ta.same_as(tb):
        return 0, weight_b
    lev = _text_distances(ta.texts, tb.texts)
    if backend == "python":
        cols = len(tb.texts)
        rows = [lev[i : i + cols] for i in range(0, len(lev), cols)] if cols else []
        return int(_zhang_shasha_python(ta, tb, rows)), weight_b  # an int, not numpy's int32 of cdist
    if _compiled_zhang_shasha is None:
        raise RuntimeError("the compiled TED module (benchmark.scoring._ted) is not built")
    return _compiled_zhang_shasha(ta.lmd, ta.weight, ta.label, ta.text, tb.lmd, tb.weight, tb.label, tb.text, lev,
                                  len(tb.texts)), weight_b


def _text_distances(a: list[str], b: list[str]) -> Any:
    """Levenshtein distances, row-major (``len(a)`` x ``len(b)``), as int32 (a buffer)."""
    from rapidfuzz.distance import Levenshtein

    if len(a) * len(b) <= 64:  # a Python loop beats cdist's set-up on small documents
        distance = Levenshtein.distance
        return array("i", [distance(x, y) for x in a for y in b])
    from rapidfuzz.process import cdist

    return cdist(a, b, scorer=Levenshtein.distance, dtype="int32").ravel()


def tree_edit_distance(a: Any, b: Any, backend: str | None = None) -> int:
    """Donut's TED between two JSON values (``None`` is the empty object). ``backend``:
    ``"c"`` or ``"python"``; default: the compiled loops when built."""
    return _distance(a or {}, b or {}, backend or BACKEND)[0]


def ted_accuracy(gold: dict[str, Any], pred: dict[str, Any] | None) -> float:
    if pred == gold:  # the same JSON: distance 0, whatever the base
        return 1.0
    distance, gold_weight = _distance(pred or {}, gold, BACKEND)
    base = gold_weight - 1  # TED(empty, gold): every node but the root inserted
    if base == 0:
        return 1.0 if distance == 0 else 0.0
    return max(0.0, 1.0 - distance / base)
