"""Tests of crmlab.analysis.segmentation (features, k-means, stability, profiles, naming rules):
unit tests on hand-made tables, truth recovery on the classroom preset."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

import crmlab
from crmlab.analysis import rfm as R
from crmlab.analysis import segmentation as G
from crmlab.analysis.clv.simple import clv_by_segment, simple_clv

SEEDS = (0, 1, 2)


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """k-means and BLAS on one thread: the machine is shared, and threads only add overhead here."""
    with threadpool_limits(limits=1):
        yield


# ============================================================================ hand-made tables
@pytest.fixture()
def orders():
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O3", "O4", "O5", "O6", "O6", "O7"],
            "customer_id": ["A", "A", "A", "B", "B", "C", "C", None],
            "order_ts": pd.to_datetime(
                ["2025-01-01 10:00", "2025-02-10 20:30", "2025-03-30 23:59", "2025-03-01 12:00",
                 "2025-03-15 09:00", "2024-12-31 08:00", "2024-12-31 08:00", "2025-03-01 10:00"]
            ),
            "channel": ["store", "app", "app", "web", "store", "store", "store", "web"],
            "status": ["completed", "completed", "completed", "completed", "cancelled",
                       "completed", "completed", "completed"],
            "order_value": [100.0, 250.0, 50.0, 1000.0, 777.0, 40.0, 40.0, 5.0],
        }
    )


@pytest.fixture()
def items():
    return pd.DataFrame(
        {
            "order_id": ["O1", "O2", "O2", "O3", "O4", "O5", "O6"],
            "line_no": [1, 1, 2, 1, 1, 1, 1],
            "sku": ["TV1", "PH1", "AC9", "AC9", "TV2", "TV1", "PH2"],
            "quantity": [1, 1, 2, 1, 1, 1, 1],
            "unit_price": [100.0, 200.0, 25.0, 50.0, 1000.0, 777.0, 40.0],
            "discount": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )


@pytest.fixture()
def products():
    return pd.DataFrame(
        {
            "sku": ["TV1", "TV2", "PH1", "PH2", "AC9"],
            "category": ["tv", "tv", "phone", "phone", "accessory"],
            "subcategory": ["tv", "tv", "phone", "phone", "phone_case"],
            "list_price": [100.0, 1000.0, 200.0, 40.0, 50.0],
        }
    )


@pytest.fixture()
def customers():
    return pd.DataFrame(
        {
            "customer_id": ["A", "B", "C"],
            "birth_year": pd.array([1995, None, 1965], dtype="Int64"),
            "gender": ["female", "male", None],
            "city_tier": [1, 3, 5],
        }
    )


# ---------------------------------------------------------------------------- features
def test_behaviour_features_hand_made(orders, items, products, customers):
    f = G.behaviour_features(orders, items, products, customers, as_of="2025-03-31", prior_orders=0.0)
    assert f.index.tolist() == ["A", "B", "C"]
    a = f.loc["A"]
    assert a["frequency"] == 3 and a["log_frequency"] == pytest.approx(np.log1p(3))
    assert a["log_recency"] == pytest.approx(np.log1p(1))
    # A's lines: TV1 100, PH1 200, 2 x AC9 50, AC9 50 -> spend 100 / 200 / 100
    assert (a["spend_tv"], a["spend_phone"], a["spend_accessory"]) == pytest.approx((0.25, 0.5, 0.25))
    # main purchase per order: O1 tv, O2 phone, O3 accessory
    assert (a["home_share"], a["digital_share"], a["small_share"]) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert (a["channel_store"], a["channel_web"], a["channel_app"]) == pytest.approx((1 / 3, 0, 2 / 3))
    assert a["evening_share"] == pytest.approx(2 / 3)
    # price tier: z of log price within subcategory over durable lines (TV1 low tv, PH1 high phone)
    z = 1 / np.std(np.log([100.0, 1000.0]), ddof=1) * (np.log(100.0) - np.mean(np.log([100.0, 1000.0])))
    assert a["price_tier"] == pytest.approx(np.mean([z, -z]), abs=1e-12)
    assert f.loc["B", "price_tier"] == pytest.approx(-z), "TV2 is the dear model: z = +|z|"
    # demographics: B's birth year and C's gender are imputed
    assert (a["age"], a["female"], a["city_tier"]) == (30.0, 1.0, 1.0)
    assert f.loc["B", "age"] == pytest.approx(np.median([30.0, 60.0]))
    assert f.loc["C", "female"] == pytest.approx(0.5)
    assert not f.isna().any().any()


def test_behaviour_features_smoothing(orders, items, products):
    f = G.behaviour_features(orders, items, products, as_of="2025-03-31", prior_orders=2.0)
    # channel counts: A store 1 app 2; B web 1; C store 1 -> overall store 2/5, web 1/5, app 2/5
    assert f.loc["B", "channel_web"] == pytest.approx((1 + 2 * 0.2) / 3)
    assert f.loc["A", "channel_app"] == pytest.approx((2 + 2 * 0.4) / 5)
    assert "age" not in f.columns


def test_behaviour_features_faults(orders, items, products):
    with pytest.raises(ValueError, match="orders is missing column.*channel"):
        G.behaviour_features(orders.drop(columns="channel"), items, products, as_of="2025-03-31")
    with pytest.raises(ValueError, match="products is missing column.*subcategory"):
        G.behaviour_features(orders, items, products.drop(columns="subcategory"), as_of="2025-03-31")


# ---------------------------------------------------------------------------- clustering
def _blobs(centres, n, sd, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, sd, size=(m, len(c))) for c, m in zip(centres, n)])


def test_kmeans_segments_recovers_blobs_and_orders_labels_by_size():
    X = _blobs([(0, 0), (10, 0), (0, 10)], [30, 60, 10], 0.5)
    truth = np.repeat([0, 1, 2], [30, 60, 10])
    labels, centers = G.kmeans_segments(pd.DataFrame(X, columns=["a", "b"]), 3)
    assert adjusted_rand_score(truth, labels) == 1.0
    assert np.bincount(labels).tolist() == [60, 30, 10], "label 0 = largest segment"
    assert centers.columns.tolist() == ["a", "b"]
    assert centers.loc[0].to_numpy() == pytest.approx([10, 0], abs=0.3), "centres in original units"


def test_kmeans_segments_fit_mask_assigns_all_rows():
    X = _blobs([(0, 0), (10, 0)], [40, 40], 0.5)
    mask = np.r_[np.ones(20, bool), np.zeros(20, bool), np.ones(20, bool), np.zeros(20, bool)]
    labels, _ = G.kmeans_segments(X, 2, fit_mask=mask)
    assert adjusted_rand_score(np.repeat([0, 1], 40), labels) == 1.0
    with pytest.raises(ValueError, match="fit_mask"):
        G.kmeans_segments(X, 2, fit_mask=mask[:-1])


def test_clustering_faults():
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="missing"):
        G.kmeans_segments(X, 2)
    with pytest.raises(ValueError, match="k must"):
        G.kmeans_segments(np.zeros((5, 2)), 1)
    with pytest.raises(ValueError, match="needs more than k rows"):
        G.choose_k(np.arange(6.0).reshape(3, 2), ks=[3])


def test_choose_k_and_stability_on_blobs():
    X = _blobs([(0, 0), (5, 0), (0, 5), (5, 5)], [40] * 4, 0.4)
    table = G.choose_k(X, ks=range(2, 7))
    assert table.index.tolist() == [2, 3, 4, 5, 6]
    assert int(table["silhouette"].idxmax()) == 4
    assert (np.diff(table["inertia"]) < 0).all(), "inertia falls with k"
    st = G.stability_ari(X, 4, n_resamples=5)
    assert st.shape == (5,) and st.min() == pytest.approx(1.0)
    # no structure: a uniform square split in 4 is far less stable than 4 blobs
    U = np.random.default_rng(1).random((160, 2))
    assert np.median(G.stability_ari(U, 7, n_resamples=5)) < 0.95


def test_segment_profiles_known_means():
    f = pd.DataFrame({"x": [1.0, 3.0, 10.0, 20.0], "s": list("abcd")})
    p = G.segment_profiles(f, np.array([1, 1, 0, 0]))
    assert p.index.tolist() == [0, 1] and p.columns.tolist() == ["n", "share", "x"]
    assert p["x"].tolist() == [15.0, 2.0] and p["share"].tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="one entry per row"):
        G.segment_profiles(f, [0, 1])


def _archetype_profiles():
    # rows in a scrambled order: occasional, tech, premium, bargain, family
    return pd.DataFrame(
        {
            "n": [330, 150, 70, 250, 200],
            "log_frequency": [0.6, 1.3, 1.6, 1.0, 0.9],
            "price_tier": [-0.5, 0.2, 0.8, -0.9, -0.2],
            "home_share": [0.35, 0.15, 0.50, 0.20, 0.60],
            "digital_share": [0.30, 0.60, 0.30, 0.30, 0.20],
            "small_share": [0.35, 0.25, 0.20, 0.50, 0.20],
        },
        index=["s0", "s1", "s2", "s3", "s4"],
    )


def test_name_segments_rule_based():
    names = G.name_segments(_archetype_profiles(), G.ARCHETYPE_RULES)
    assert names == {"s0": "occasional_shoppers", "s1": "tech_enthusiasts", "s2": "premium_loyalists",
                     "s3": "bargain_hunters", "s4": "family_upgraders"}
    assert G.ARCHETYPE_NAMES == tuple(G.ARCHETYPE_RULES)


def test_name_segments_scores_are_weighted_z_scores():
    """A rule's fit is sum(weight * z), z relative to the size-weighted mean across segments."""
    p = pd.DataFrame({"n": [300, 100], "x": [1.0, 5.0], "y": [0.0, 0.0]}, index=["a", "b"])
    # size-weighted mean of x is 2, sd sqrt(0.75 * 1 + 0.25 * 9 - 0) = sqrt(3): z(a) = -1/sqrt(3), z(b) = 3/sqrt(3)
    assert G.name_segments(p, {"high_x": {"x": 1.0}, "low_x": {"x": -1.0}}) == {"a": "low_x", "b": "high_x"}
    # y does not vary: its z is 0 everywhere, so only x decides
    assert G.name_segments(p, {"low_x": {"x": -2.0, "y": 5.0}, "high_x": {"x": 1.0}}) == {"a": "low_x", "b": "high_x"}
    # one name for two segments: the better fit gets it, the other a numbered copy
    assert G.name_segments(p, {"big": {"x": 1.0}}) == {"a": "big_2", "b": "big"}


def test_name_segments_custom_rules_on_any_clustering():
    """Rules are data: names of another business, on columns of any profile table."""
    f = pd.DataFrame({"visits": [1.0, 2.0, 1.0, 9.0, 8.0, 10.0], "basket": [50.0, 60.0, 55.0, 20.0, 25.0, 30.0]})
    prof = G.segment_profiles(f, ["p", "p", "p", "q", "q", "q"])
    rules = {"regulars": {"visits": 1.0}, "big_baskets": {"basket": 1.0, "visits": -0.5}}
    assert G.name_segments(prof, rules) == {"p": "big_baskets", "q": "regulars"}
    with pytest.raises(ValueError, match="profiles is missing column.*spend"):
        G.name_segments(prof, {"x": {"spend": 1.0}})
    with pytest.raises(ValueError, match="rules is empty"):
        G.name_segments(prof, {})
    with pytest.raises(ValueError, match="no condition"):
        G.name_segments(prof, {"x": {}})


def test_name_segments_more_segments_than_names():
    p = _archetype_profiles()
    extra = p.loc[["s1"]].rename(index={"s1": "s5"}).assign(digital_share=0.7, n=100)
    names = G.name_segments(pd.concat([p, extra]), G.ARCHETYPE_RULES)
    assert len(set(names.values())) == 6
    assert sorted(names.values())[-1].startswith("tech_enthusiasts"), names
    with pytest.raises(ValueError, match="profiles is missing column.*price_tier"):
        G.name_segments(p.drop(columns="price_tier"), G.ARCHETYPE_RULES)

def test_docstring_examples_run():
    result = doctest.testmod(G, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 15 and result.failed == 0, result


def test_tiny_dataset_end_to_end(tiny):
    f = G.behaviour_features(tiny.orders, tiny.order_items, tiny.products, tiny.customers,
                             as_of=tiny.scenario.end)
    X = G.segment_matrix(f)
    labels, centers = G.kmeans_segments(X, 4, fit_mask=f["frequency"] >= 2)
    assert len(labels) == len(f) and centers.shape == (4, X.shape[1])
    rfm = R.rfm_table(tiny.orders, as_of=tiny.scenario.end)
    assert rfm.index.equals(f.index)
    names = G.describe_segments(f.assign(recency_days=rfm["recency_days"]), labels)["name"].to_dict()
    assert len(set(names.values())) == 4
    eq = clv_by_segment(simple_clv(rfm), pd.Series(labels, index=f.index))
    assert eq["n"].sum() == len(f)


# ============================================================================ truth recovery
#: ARI of the default recipe (SEGMENT_FEATURES, k=5, centres fitted on repeat buyers) vs the planted segments
ARI_ALL_MIN = 0.25  # fitted on repeat buyers, all purchasers scored; measured 0.30-0.39 (seeds 0-2)
ARI_REPEAT_MIN = 0.40  # same fit, customers with >= 2 orders; measured 0.46-0.51
ISSUE_ARI_TARGET = 0.6


@pytest.fixture(scope="module")
def classroom_runs():
    """Per seed: features, labels of the default recipe, truth segments (computed once)."""
    runs = {}
    for seed in SEEDS:
        d = crmlab.make_retail_crm("classroom", seed=seed)
        f = G.behaviour_features(d.orders, d.order_items, d.products, d.customers, as_of=d.scenario.end)
        X = G.segment_matrix(f)
        repeat = (f["frequency"] >= 2).to_numpy()
        labels, _ = G.kmeans_segments(X, 5, fit_mask=repeat)
        labels_all, _ = G.kmeans_segments(X, 5)
        seg = d.truth_customers.set_index("customer_id")["segment"].reindex(f.index).to_numpy()
        runs[seed] = dict(data=d, f=f, X=X, repeat=repeat, labels=labels, labels_all=labels_all, seg=seg)
    return runs


@pytest.mark.slow
def test_kmeans_recovers_planted_segments(classroom_runs):
    ari = {}
    for seed, r in classroom_runs.items():
        seg, lab, rep = r["seg"], r["labels"], r["repeat"]
        ari[seed] = (adjusted_rand_score(seg, lab), adjusted_rand_score(seg[rep], lab[rep]))
    assert all(a >= ARI_ALL_MIN and b >= ARI_REPEAT_MIN for a, b in ari.values()), (
        f"ARI vs truth (all purchasers, repeat buyers) per seed: {ari}; "
        f"need >= {ARI_ALL_MIN} and >= {ARI_REPEAT_MIN}"
    )


@pytest.mark.slow
def test_fitting_on_repeat_buyers_helps(classroom_runs):
    """The documented recipe beats fitting on everyone (one-order customers blur the segments)."""
    gain = {s: adjusted_rand_score(r["seg"], r["labels"]) - adjusted_rand_score(r["seg"], r["labels_all"])
            for s, r in classroom_runs.items()}
    assert np.mean(list(gain.values())) > 0, f"ARI gain of fit_mask=repeat buyers per seed: {gain}"


@pytest.mark.slow
def test_issue_target_ari(classroom_runs):
    """k-means fitted on repeat buyers recovers the planted segments: ARI >= 0.6 scored on all purchasers."""
    ari_all = {s: round(adjusted_rand_score(r["seg"], r["labels"]), 3) for s, r in classroom_runs.items()}
    ari_rep = {s: round(adjusted_rand_score(r["seg"][r["repeat"]], r["labels"][r["repeat"]]), 3)
               for s, r in classroom_runs.items()}
    assert min(ari_all.values()) >= ISSUE_ARI_TARGET, f"ARI on all purchasers: {ari_all}"
    assert min(ari_rep.values()) >= ISSUE_ARI_TARGET, f"ARI on repeat buyers: {ari_rep}"


@pytest.mark.slow
def test_segments_are_stable(classroom_runs):
    med = {s: round(float(np.median(G.stability_ari(r["X"][r["repeat"]], 5, n_resamples=20))), 3)
           for s, r in classroom_runs.items()}
    assert all(m >= 0.7 for m in med.values()), f"median bootstrap ARI (repeat buyers, k=5) per seed: {med}"


@pytest.fixture(scope="module")
def silhouettes(classroom_runs):
    return {s: G.choose_k(r["X"], ks=range(2, 9), n_init=4)["silhouette"] for s, r in classroom_runs.items()}


@pytest.mark.slow
def test_silhouette_shows_weak_structure(silhouettes):
    best = {s: round(float(t.max()), 3) for s, t in silhouettes.items()}
    assert all(0.1 < b < 0.35 for b in best.values()), f"best silhouette per seed: {best}"
    ks = {s: int(t.idxmax()) for s, t in silhouettes.items()}
    assert all(2 <= k <= 7 for k in ks.values()), f"silhouette choice of k per seed: {ks}"


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="silhouette is nearly flat (0.16-0.18) and picks k=2 on seeds 1 and 2")
def test_silhouette_picks_3_to_7(silhouettes):
    ks = {s: int(t.idxmax()) for s, t in silhouettes.items()}
    assert all(3 <= k <= 7 for k in ks.values()), f"silhouette choice of k per seed: {ks}"


@pytest.mark.slow
def test_names_of_true_segments(classroom_runs):
    """Profiling the planted segments and naming them gives back the planted names."""
    for seed, r in classroom_runs.items():
        names = G.name_segments(G.segment_profiles(r["f"], r["seg"]), G.ARCHETYPE_RULES)
        assert names == {n: n for n in r["data"].truth["segments"]["names"]}, f"seed {seed}: {names}"


@pytest.mark.slow
def test_names_of_kmeans_segments_match_majority_truth(classroom_runs):
    hits = {}
    for seed, r in classroom_runs.items():
        names = G.name_segments(G.segment_profiles(r["f"], r["labels"]), G.ARCHETYPE_RULES)
        major = pd.crosstab(r["labels"], r["seg"]).idxmax(axis=1)
        hits[seed] = int(sum(names[k] == major[k] for k in names))
    assert all(h >= 3 for h in hits.values()), f"named segments whose majority truth segment has that name: {hits}"


# ============================================================================ reading the k table (issue 10)
def test_k_choice_reads_the_table():
    t = pd.DataFrame({"inertia": [5.0, 4.0, 3.0], "silhouette": [0.247, 0.251, 0.174],
                      "calinski_harabasz": [704.0, 718.0, 447.0], "davies_bouldin": [1.65, 1.36, 1.74]},
                     index=pd.Index([2, 3, 8], name="k"))
    c = G.k_choice(t)
    assert (c.by_silhouette, c.by_calinski_harabasz, c.by_davies_bouldin) == (3, 3, 3) and c.agree
    assert (c.silhouette_worst, c.k_worst) == (0.174, 8)
    assert c.structure == "none"  # 0.251 rounds to 0.25: no substantial structure (Kaufman & Rousseeuw)
    t2 = t.assign(silhouette=[0.6, 0.3, 0.2], davies_bouldin=[1.0, 1.2, 0.9])
    c2 = G.k_choice(t2)
    assert (c2.by_silhouette, c2.by_davies_bouldin, c2.agree, c2.structure) == (2, 8, False, "reasonable")
    with pytest.raises(ValueError, match="silhouette"):
        G.k_choice(t.drop(columns="silhouette"))
