"""Tests for benchmark.stats: hand cases, agreement with scipy, null calibration, properties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import stats as sps

from benchmark import stats as S
from benchmark.scoring.aggregate import prf
from benchmark.stats.resample import resampled_totals
from benchmark.stats.resample import rng as rng_stream

A3 = np.array([[2, 1, 0], [1, 0, 1], [0, 1, 1]])  # totals (3, 2, 2): P = R = F1 = 0.6
B3 = np.array([[2, 0, 0], [1, 0, 1], [1, 0, 0]])  # totals (4, 0, 1): P = 1, R = 0.8, F1 = 8/9


def simulate(rng, n, quality, gold=None):
    """Counts of a model on n documents: recall ~ quality, a few false positives."""
    gold = rng.poisson(6, n) if gold is None else gold
    tp = rng.binomial(gold, quality)
    fp = rng.poisson(2 * (1 - np.asarray(quality, dtype=float)), n)
    return np.stack([tp, fp, gold - tp], axis=1)


# --------------------------------------------------------------------------- micro


def test_micro_hand_values():
    assert S.micro([3, 2, 2]) == pytest.approx(0.6)
    assert S.micro([4, 0, 1]) == pytest.approx(8 / 9)
    assert S.micro([4, 0, 1], "precision") == 1.0
    assert S.micro([4, 0, 1], "recall") == pytest.approx(0.8)
    # 0/0 conventions of prf
    assert S.micro([0, 0, 0]) == 1.0
    assert S.micro([0, 0, 0], "precision") == S.micro([0, 0, 0], "recall") == 1.0
    assert S.micro([0, 2, 0]) == 0.0 and S.micro([0, 2, 0], "recall") == 0.0
    assert S.micro([0, 0, 3]) == 0.0 and S.micro([0, 0, 3], "precision") == 0.0
    out = S.micro(np.array([[[3, 2, 2], [0, 0, 0]]]))
    assert out.shape == (1, 2) and out[0, 1] == 1.0


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, (20, 3), elements=st.integers(0, 4)))
def test_micro_matches_prf(totals):
    ours = np.stack([S.micro(totals, m) for m in ("precision", "recall", "f1")], axis=1)
    ref = np.array([prf(*map(int, row)) for row in totals])
    np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=0)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.int64, (10, 3), elements=st.integers(0, 50)), st.integers(1, 1000))
def test_micro_range_and_scale_invariance(totals, k):
    for m in ("precision", "recall", "f1"):
        v = S.micro(totals, m)
        assert ((v >= 0) & (v <= 1)).all()
        np.testing.assert_allclose(S.micro(k * totals, m), v, rtol=1e-12)


def test_counts_array_from_doc_counts():
    from benchmark.scoring.counts import DocCounts

    arr = S.counts_array([DocCounts(tp=1, fp=2, fn=3), DocCounts(tp=4)])
    np.testing.assert_array_equal(arr, [[1, 2, 3], [4, 0, 0]])
    assert S.counts_array([]).shape == (0, 3)


# --------------------------------------------------------------------------- resampling core


def test_resampled_totals_equal_multinomial_weights_matmul():
    rng = np.random.default_rng(3)
    units = rng.integers(0, 40, size=(50, 6))
    totals = resampled_totals(units, 200, rng_stream(7, 0))
    idx = rng_stream(7, 0).integers(0, 50, size=(200, 50), dtype=np.intp)  # single chunk here
    w = np.stack([np.bincount(row, minlength=50) for row in idx])  # (B, n) multinomial weights
    assert (w.sum(axis=1) == 50).all()
    np.testing.assert_array_equal(totals, w @ units)


def test_packing_spans_several_words():
    units = np.array([[2**40, 1, 2**30, 5, 0, 7]] * 3 + [[0, 0, 0, 0, 0, 0]])
    totals = resampled_totals(units, 300, rng_stream(0, 0))
    counts = totals[:, 0] // 2**40  # how many copies of row 0..2 each resample drew
    np.testing.assert_array_equal(totals, counts[:, None] * units[0])


def test_seeded_reproducible():
    rng = np.random.default_rng(0)
    a, b = simulate(rng, 300, 0.7), simulate(rng, 300, 0.75)
    assert S.paired_bootstrap(a, b, n_resamples=500) == S.paired_bootstrap(a, b, n_resamples=500)
    assert S.approximate_randomization(a, b, n_resamples=500, seed=4) == (
        S.approximate_randomization(a, b, n_resamples=500, seed=4)
    )
    assert S.bootstrap_ci(a, seed=1, n_resamples=300) != S.bootstrap_ci(a, seed=2, n_resamples=300)


# --------------------------------------------------------------------------- bootstrap


def test_bootstrap_hand_case_two_documents():
    # resamples: {1,1} -> (2,0,0) F1 1; {2,2} -> (0,2,0) F1 0; mixed (prob 1/2) -> (1,1,0) F1 2/3
    ci = S.bootstrap_ci([[1, 0, 0], [0, 1, 0]], n_resamples=20_000)
    assert ci.estimate == pytest.approx(2 / 3)
    assert (ci.low, ci.high) == (0.0, 1.0)
    assert ci.se == pytest.approx(np.sqrt(19 / 144), abs=0.01)  # var = 17/36 - (7/12)^2


def test_bootstrap_matches_scipy():
    rng = np.random.default_rng(11)
    counts = simulate(rng, 200, rng.uniform(0.3, 1.0, 200))

    def f1(tp, fp, fn, axis=-1):
        return S.micro(np.stack([tp.sum(axis), fp.sum(axis), fn.sum(axis)], axis=-1))

    ref = sps.bootstrap(
        tuple(counts.T),
        f1,
        paired=True,
        vectorized=True,
        method="percentile",
        n_resamples=5000,
        rng=np.random.default_rng(1),
    )
    ours = S.bootstrap_ci(counts, n_resamples=5000, seed=2)
    assert ours.estimate == pytest.approx(f1(*counts.T))
    se = ref.standard_error
    assert ours.se == pytest.approx(se, rel=0.1)
    # Monte-Carlo error of a 2.5% quantile with 5000 resamples is ~0.07 SE; allow 0.4 SE
    assert ours.low == pytest.approx(ref.confidence_interval.low, abs=0.4 * se)
    assert ours.high == pytest.approx(ref.confidence_interval.high, abs=0.4 * se)


def test_paired_bootstrap_matches_scipy_delta():
    rng = np.random.default_rng(12)
    a = simulate(rng, 150, 0.7)
    b = simulate(rng, 150, 0.75, gold=a[:, 0] + a[:, 2])

    def delta(*cols, axis=-1):
        t = np.stack([c.sum(axis) for c in cols], axis=-1)
        return S.micro(t[..., 3:]) - S.micro(t[..., :3])

    ref = sps.bootstrap(
        (*a.T, *b.T),
        delta,
        paired=True,
        vectorized=True,
        method="percentile",
        n_resamples=5000,
        rng=np.random.default_rng(1),
    )
    ours = S.paired_bootstrap(a, b, n_resamples=5000)
    se = ref.standard_error
    assert ours.delta == pytest.approx(delta(*a.T, *b.T))
    assert ours.se == pytest.approx(se, rel=0.1)
    assert ours.low == pytest.approx(ref.confidence_interval.low, abs=0.4 * se)
    assert ours.high == pytest.approx(ref.confidence_interval.high, abs=0.4 * se)


def test_cluster_bootstrap_wider_when_clusters_correlated():
    rng = np.random.default_rng(5)
    labels = np.repeat(np.arange(20), 25)  # 20 templates x 25 documents
    quality = rng.uniform(0.2, 1.0, 20)[labels]  # whole templates succeed or fail together
    counts = simulate(rng, labels.size, quality)
    docs = S.bootstrap_ci(counts, n_resamples=2000)
    clus = S.bootstrap_ci(counts, n_resamples=2000, clusters=labels)
    assert clus.n_units == 20 and docs.n_units == clus.n_docs == 500
    assert clus.estimate == docs.estimate
    assert clus.high - clus.low > 2 * (docs.high - docs.low)


def test_singleton_clusters_equal_document_bootstrap():
    counts = simulate(np.random.default_rng(6), 80, 0.6)
    plain = S.bootstrap_ci(counts, n_resamples=500)
    assert S.bootstrap_ci(counts, n_resamples=500, clusters=np.arange(80)) == plain
    assert S.bootstrap_ci(counts, n_resamples=500, clusters=[f"d{i:03}" for i in range(80)]) == (
        plain
    )


# --------------------------------------------------------------------------- paired tests


def test_identical_models_delta_zero_p_one():
    counts = simulate(np.random.default_rng(7), 100, 0.6)
    pb = S.paired_bootstrap(counts, counts, n_resamples=1000)
    ar = S.approximate_randomization(counts, counts, n_resamples=1000)
    assert pb.delta == pb.low == pb.high == 0.0 and pb.p_value == 1.0
    assert ar.delta == 0.0 and ar.p_value == 1.0 and ar.n_swappable == 0


def test_randomization_hand_case_matches_exhaustive():
    # only documents 1 and 3 differ; the 4 swaps give delta 0.289, 0.133, -0.133, -0.289,
    # so the exact two-sided p (|delta*| >= observed) is 2/4
    ar = S.approximate_randomization(A3, B3, n_resamples=20_000)
    assert ar.delta == pytest.approx(8 / 9 - 0.6)
    assert ar.n_swappable == 2
    assert ar.p_value == pytest.approx(0.5, abs=0.015)


def test_randomization_agrees_with_exhaustive_enumeration():
    rng = np.random.default_rng(8)
    a, b = simulate(rng, 10, 0.5), simulate(rng, 10, 0.8)
    obs = abs(S.micro(b.sum(0)) - S.micro(a.sum(0)))
    masks = np.array(list(itertools.product([0, 1], repeat=10)))  # all 1024 swaps
    shift = masks @ (b - a)
    deltas = S.micro(b.sum(0) - shift) - S.micro(a.sum(0) + shift)
    exact = np.mean(np.abs(deltas) >= obs - 1e-12)
    ar = S.approximate_randomization(a, b, n_resamples=20_000, seed=3)
    assert ar.p_value == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 20_000) + 1e-4)


def test_detects_a_real_difference():
    rng = np.random.default_rng(9)
    a = simulate(rng, 2000, 0.6)
    b = simulate(rng, 2000, 0.7, gold=a[:, 0] + a[:, 2])
    pb = S.paired_bootstrap(a, b, n_resamples=2000)
    ar = S.approximate_randomization(a, b, n_resamples=2000)
    assert pb.low > 0 and pb.p_value < 0.01 and ar.p_value < 0.01
    assert pb.p_value >= 1 / 2001 and ar.p_value >= 1 / 2001


def test_null_pvalues_roughly_uniform():
    rng = np.random.default_rng(10)
    p_boot, p_ar = [], []
    for rep in range(300):
        gold = rng.poisson(6, 60)
        quality = rng.uniform(0.3, 1.0, 60)  # per-document difficulty shared by both models
        a, b = simulate(rng, 60, quality, gold), simulate(rng, 60, quality, gold)
        p_boot.append(S.paired_bootstrap(a, b, n_resamples=199, seed=rep).p_value)
        p_ar.append(S.approximate_randomization(a, b, n_resamples=199, seed=rep).p_value)
    for p in (np.array(p_boot), np.array(p_ar)):
        assert sps.kstest(p, "uniform").pvalue > 0.001
        assert 0.01 <= np.mean(p <= 0.05) <= 0.10


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(np.int64, (12, 3), elements=st.integers(0, 6)),
    hnp.arrays(np.int64, (12, 3), elements=st.integers(0, 6)),
    st.sampled_from(["f1", "precision", "recall"]),
)
def test_swapping_models_negates_delta(a, b, metric):
    ab = S.paired_bootstrap(a, b, metric, n_resamples=200)
    ba = S.paired_bootstrap(b, a, metric, n_resamples=200)
    assert ba.delta == pytest.approx(-ab.delta, abs=1e-12)
    assert (ba.low, ba.high) == pytest.approx((-ab.high, -ab.low), abs=1e-12)
    assert ba.p_value == ab.p_value
    ar_ab = S.approximate_randomization(a, b, metric, n_resamples=200)
    ar_ba = S.approximate_randomization(b, a, metric, n_resamples=200)
    assert ar_ab.p_value == ar_ba.p_value
    assert 1 / 201 <= ar_ab.p_value <= 1 and 1 / 201 <= ab.p_value <= 1
    assert ab.low <= ab.high


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(np.int64, st.tuples(st.integers(1, 15), st.just(3)), elements=st.integers(0, 9)),
    st.sampled_from(["f1", "precision", "recall"]),
)
def test_bootstrap_ci_properties(counts, metric):
    ci = S.bootstrap_ci(counts, metric, n_resamples=200)
    assert 0 <= ci.low <= ci.high <= 1 and ci.se >= 0
    assert ci.estimate == S.micro(counts.sum(0), metric)
    if (counts == counts[0]).all():  # every resample has totals n * row: a zero-width CI
        assert ci.low == ci.high == pytest.approx(ci.estimate) and ci.se == pytest.approx(0)


# --------------------------------------------------------------------------- multiple models


def test_holm_hand_values():
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> running max
    np.testing.assert_allclose(S.holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(S.holm([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    np.testing.assert_allclose(S.holm([0.02]), [0.02])
    assert S.holm([]).shape == (0,)
    with pytest.raises(ValueError):
        S.holm([0.1, np.nan])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_properties(p):
    p = np.array(p)
    adj = S.holm(p)
    assert (adj >= p).all() and (adj <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(adj[order]) >= 0).all()
    m = p.size
    brute = [max(min(1, (m - j) * p[order][j]) for j in range(i + 1)) for i in range(m)]
    np.testing.assert_allclose(adj[order], brute)


def test_compare_all_consistent_with_pairwise_functions():
    rng = np.random.default_rng(13)
    gold = rng.poisson(6, 300)
    models = {
        name: simulate(rng, 300, q, gold) for name, q in [("x", 0.6), ("y", 0.65), ("z", 0.8)]
    }
    cmp = S.compare_all(models, n_resamples=800, seed=3)
    assert cmp.models == ("x", "y", "z")
    assert [(p.model_a, p.model_b) for p in cmp.pairs] == [("x", "y"), ("x", "z"), ("y", "z")]
    assert cmp.ci("y") == S.bootstrap_ci(models["y"], n_resamples=800, seed=3)
    pb = S.paired_bootstrap(models["x"], models["z"], n_resamples=800, seed=3)
    ar = S.approximate_randomization(models["x"], models["z"], n_resamples=800, seed=3)
    pair = cmp.pair("x", "z")
    assert (pair.delta, pair.low, pair.high, pair.p_bootstrap) == (
        pb.delta,
        pb.low,
        pb.high,
        pb.p_value,
    )
    assert pair.p_randomization == ar.p_value
    np.testing.assert_allclose(
        [p.p_randomization_holm for p in cmp.pairs], S.holm([p.p_randomization for p in cmp.pairs])
    )
    assert pair.p_bootstrap_holm >= pair.p_bootstrap
    assert len(cmp.model_rows()) == 3 and cmp.pair_rows()[0]["model_a"] == "x"
    with pytest.raises(ValueError, match="different numbers"):
        S.compare_all({"x": models["x"], "short": models["y"][:10]})


# --------------------------------------------------------------------------- power


def test_min_detectable_delta():
    rng = np.random.default_rng(14)
    counts = simulate(rng, 2000, rng.uniform(0.3, 1.0, 2000))
    boot = S.min_detectable_delta(counts, n_resamples=2000)
    delta = S.min_detectable_delta(counts, method="delta")
    assert boot.se == pytest.approx(delta.se, rel=0.1)  # bootstrap SE ~ linearised SE
    assert boot.se == S.bootstrap_ci(counts, n_resamples=2000).se
    assert boot.se_diff == pytest.approx(np.sqrt(2) * boot.se)
    assert boot.delta == pytest.approx((1.959964 + 0.841621) * boot.se_diff, rel=1e-5)
    # 4x the documents -> about half the detectable difference
    bigger = S.min_detectable_delta(np.tile(counts, (4, 1)), method="delta")
    assert bigger.delta == pytest.approx(delta.delta / 2, rel=1e-9)
    assert S.min_detectable_delta(counts, method="delta", correlation=1.0).delta == 0.0
    assert S.min_detectable_delta(counts, method="delta", power=0.9).delta > delta.delta


# --------------------------------------------------------------------------- validation


def test_check_comparable():
    S.check_comparable(["a", "b"], ["a", "b"], "1.0", "1.0")
    with pytest.raises(ValueError, match="task versions differ"):
        S.check_comparable(["a"], ["a"], "1.0", "1.1")
    with pytest.raises(ValueError, match="document ids differ"):
        S.check_comparable(["a", "b"], ["a", "c"], "1.0", "1.0")
    with pytest.raises(ValueError, match="document ids differ"):
        S.check_comparable(["a", "b"], ["a"], "1.0", "1.0")
    with pytest.raises(ValueError, match="different order"):
        S.check_comparable(["a", "b"], ["b", "a"], "1.0", "1.0")
    with pytest.raises(ValueError, match="repeat"):
        S.check_comparable(["a", "a"], ["a", "a"], "1.0", "1.0")


def test_input_validation():
    with pytest.raises(ValueError, match="shape"):
        S.bootstrap_ci([1, 2, 3])
    with pytest.raises(ValueError, match="non-negative"):
        S.bootstrap_ci([[1, -1, 0]])
    with pytest.raises(ValueError, match="whole numbers"):
        S.bootstrap_ci([[1.5, 0, 0]])
    with pytest.raises(ValueError, match="same documents"):
        S.paired_bootstrap(A3, B3[:2])
    with pytest.raises(ValueError, match="metric"):
        S.micro([1, 1, 1], "accuracy")
    with pytest.raises(ValueError, match="clusters"):
        S.bootstrap_ci(A3, clusters=[0, 1])
    with pytest.raises(ValueError, match="alpha"):
        S.bootstrap_ci(A3, alpha=1.5)
    assert S.bootstrap_ci(A3.astype(float), n_resamples=10).estimate == pytest.approx(0.6)


def test_p_values_below_the_resampling_floor_print_as_an_inequality():
    assert [S.format_p(p) for p in (0.0, 0.0009, 0.0123)] == ["<0.001", "<0.001", "0.012"]
    assert [S.format_p(p, named=True) for p in (0.0, 0.5)] == ["p<0.001", "p=0.500"]
