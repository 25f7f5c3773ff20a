"""Tests of crmlab.analysis.rfm: unit tests on hand-made tables, truth recovery on the classroom preset."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

import crmlab
from crmlab.analysis import rfm as R
from crmlab.realism import stylized_facts

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


# ---------------------------------------------------------------------------- rfm_table
def test_rfm_table_exact_values(orders):
    rfm = R.rfm_table(orders, as_of="2025-03-31")
    assert rfm.index.tolist() == ["A", "B", "C"], "customers with a completed order, sorted; no missing id"
    a, b, c = rfm.loc["A"], rfm.loc["B"], rfm.loc["C"]
    # A: 3 orders, last on 2025-03-30 (23:59 counts by calendar day), first 2025-01-01
    assert (a["recency_days"], a["frequency"], a["monetary"], a["avg_spend"]) == (1, 3, 400.0, 400.0 / 3)
    assert a["tenure_days"] == 89 and a["first_order"] == pd.Timestamp("2025-01-01")
    # B: the cancelled order does not count
    assert (b["recency_days"], b["frequency"], b["monetary"]) == (30, 1, 1000.0)
    # C: the duplicated order row counts once
    assert (c["frequency"], c["monetary"], c["recency_days"], c["tenure_days"]) == (1, 40.0, 90, 90)


def test_rfm_table_as_of_cuts_later_orders(orders):
    rfm = R.rfm_table(orders, as_of="2025-02-10")
    assert rfm.loc["A", "frequency"] == 2 and rfm.loc["A", "recency_days"] == 0
    assert "B" not in rfm.index


def test_rfm_table_values_from_items(orders, items):
    o = orders.drop(columns="order_value")
    rfm = R.rfm_table(o, as_of="2025-03-31", order_items=items)
    assert rfm.loc["A", "monetary"] == pytest.approx(100 + 250 + 50)
    o2 = orders.assign(order_value=orders["order_value"].where(orders["order_id"] != "O4"))
    assert R.rfm_table(o2, as_of="2025-03-31", order_items=items).loc["B", "monetary"] == 1000.0


def test_rfm_table_faults(orders):
    with pytest.raises(ValueError, match="order_items"):
        R.rfm_table(orders.drop(columns="order_value"), as_of="2025-03-31")
    with pytest.raises(ValueError, match="'order_ts'"):
        R.rfm_table(orders.drop(columns="order_ts"), as_of="2025-03-31")
    with pytest.raises(ValueError, match="empty"):
        R.rfm_table(orders.iloc[:0], as_of="2025-03-31")
    with pytest.raises(ValueError, match="no completed order"):
        R.rfm_table(orders, as_of="2020-01-01")
    with pytest.raises(ValueError, match="as_of"):
        R.rfm_table(orders, as_of="not a date")
    messy = orders.assign(order_ts=["2025-01-01 10:00", "2025年2月10日", *["2025-03-01"] * 6])
    with pytest.raises(ValueError, match=r"orders.order_ts: 1 value\(s\) are not ISO 8601"):
        R.rfm_table(messy, as_of="2025-03-31")
    text = orders.assign(order_ts=orders["order_ts"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    assert R.rfm_table(text, as_of="2025-03-31").equals(R.rfm_table(orders, as_of="2025-03-31"))


# ---------------------------------------------------------------------------- scores
def test_rfm_scores_known_answer_and_ties():
    rfm = pd.DataFrame(
        {"recency_days": [1, 10, 10, 100, 1000], "frequency": [1, 1, 1, 1, 5],
         "monetary": [10.0, 20.0, 30.0, 40.0, 50.0]},
        index=list("ABCDE"),
    )
    s = R.rfm_scores(rfm, q=5)
    assert s["R"].tolist() == [5, 3, 3, 2, 1], "recency reversed; tied recency shares a score"
    assert s["F"].tolist() == [1, 1, 1, 1, 5], "four tied one-time buyers all score 1"
    assert s["M"].tolist() == [1, 2, 3, 4, 5]
    assert s.loc["A", "rfm_code"] == "511" and s.loc["E", "rfm_sum"] == 11


def test_rfm_scores_quintiles_balanced_without_ties():
    rfm = pd.DataFrame({"recency_days": np.arange(100), "frequency": np.arange(100) + 1,
                        "monetary": np.arange(100.0)})
    s = R.rfm_scores(rfm)
    assert (s["F"].value_counts().sort_index() == 20).all()
    assert s["R"].iloc[0] == 5 and s["R"].iloc[-1] == 1


def test_rfm_scores_faults():
    with pytest.raises(ValueError, match="'monetary'"):
        R.rfm_scores(pd.DataFrame({"recency_days": [1], "frequency": [1]}))
    with pytest.raises(ValueError, match="q must"):
        R.rfm_scores(pd.DataFrame({"recency_days": [1], "frequency": [1], "monetary": [1.0]}), q=1)


# ---------------------------------------------------------------------------- pyramid, Pareto
def test_customer_pyramid_tier_shares():
    values = pd.Series(np.arange(1000, 0, -1, dtype=float), index=[f"C{i:04d}" for i in range(1000)])
    p = R.customer_pyramid(values)
    assert p.summary["n_customers"].tolist() == [10, 40, 150, 800]
    assert p.summary["customer_share"].tolist() == pytest.approx([0.01, 0.04, 0.15, 0.80])
    total = values.sum()
    assert p.summary.loc["top", "value_share"] == pytest.approx(values.iloc[:10].sum() / total)
    assert p.summary["value_share"].sum() == pytest.approx(1.0)
    assert str(p.customers.loc["C0000", "tier"]) == "top" and p.customers.loc["C0000", "rank"] == 1
    assert str(p.customers.loc["C0010", "tier"]) == "big"
    assert list(p.customers["tier"].cat.categories) == ["top", "big", "medium", "small"]


def test_customer_pyramid_from_rfm_and_faults():
    rfm = pd.DataFrame({"monetary": [5.0, 1.0, 3.0, 2.0]}, index=list("abcd"))
    p = R.customer_pyramid(rfm, tiers=(0.25, 0.75), labels=("gold", "rest"))
    assert p.customers["tier"].astype(str).tolist() == ["gold", "rest", "rest", "rest"]
    assert p.summary.loc["gold", "value_share"] == pytest.approx(5 / 11)
    with pytest.raises(ValueError, match="sum"):
        R.customer_pyramid(rfm, tiers=(0.5, 0.4), labels=("a", "b"))
    with pytest.raises(ValueError, match="'clv'"):
        R.customer_pyramid(rfm, value_col="clv")


def test_top_share_and_pareto_known_vector():
    v = [50, 20, 10, 10, 5, 5, 0, 0, 0, 0]
    assert R.top_share(v, 0.2) == pytest.approx(0.7)
    assert R.top_share(v, 0.1) == pytest.approx(0.5)
    assert R.top_share(v, 1.0) == pytest.approx(1.0)
    assert R.top_share(np.ones(30), 0.1) == pytest.approx(0.1), "k = ceil(0.1 * 30) = 3, not 4"
    curve = R.pareto_curve(v)
    assert len(curve) == 11 and curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert curve.loc[2, "value_share"] == pytest.approx(0.7)
    assert (np.diff(curve["value_share"]) >= 0).all()
    with pytest.raises(ValueError, match="negative"):
        R.top_share([1, -1])
    with pytest.raises(ValueError, match="empty"):
        R.pareto_curve([])


# ---------------------------------------------------------------------------- features
def test_behaviour_features_hand_made(orders, items, products, customers):
    f = R.behaviour_features(orders, items, products, customers, as_of="2025-03-31", prior_orders=0.0)
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
    f = R.behaviour_features(orders, items, products, as_of="2025-03-31", prior_orders=2.0)
    # channel counts: A store 1 app 2; B web 1; C store 1 -> overall store 2/5, web 1/5, app 2/5
    assert f.loc["B", "channel_web"] == pytest.approx((1 + 2 * 0.2) / 3)
    assert f.loc["A", "channel_app"] == pytest.approx((2 + 2 * 0.4) / 5)
    assert "age" not in f.columns


def test_behaviour_features_faults(orders, items, products):
    with pytest.raises(ValueError, match="'channel'"):
        R.behaviour_features(orders.drop(columns="channel"), items, products, as_of="2025-03-31")
    with pytest.raises(ValueError, match="'subcategory'"):
        R.behaviour_features(orders, items, products.drop(columns="subcategory"), as_of="2025-03-31")


# ---------------------------------------------------------------------------- clustering
def _blobs(centres, n, sd, seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, sd, size=(m, len(c))) for c, m in zip(centres, n)])


def test_kmeans_segments_recovers_blobs_and_orders_labels_by_size():
    X = _blobs([(0, 0), (10, 0), (0, 10)], [30, 60, 10], 0.5)
    truth = np.repeat([0, 1, 2], [30, 60, 10])
    labels, centers = R.kmeans_segments(pd.DataFrame(X, columns=["a", "b"]), 3)
    assert adjusted_rand_score(truth, labels) == 1.0
    assert np.bincount(labels).tolist() == [60, 30, 10], "label 0 = largest segment"
    assert centers.columns.tolist() == ["a", "b"]
    assert centers.loc[0].to_numpy() == pytest.approx([10, 0], abs=0.3), "centres in original units"


def test_kmeans_segments_fit_mask_assigns_all_rows():
    X = _blobs([(0, 0), (10, 0)], [40, 40], 0.5)
    mask = np.r_[np.ones(20, bool), np.zeros(20, bool), np.ones(20, bool), np.zeros(20, bool)]
    labels, _ = R.kmeans_segments(X, 2, fit_mask=mask)
    assert adjusted_rand_score(np.repeat([0, 1], 40), labels) == 1.0
    with pytest.raises(ValueError, match="fit_mask"):
        R.kmeans_segments(X, 2, fit_mask=mask[:-1])


def test_clustering_faults():
    X = np.array([[0.0, 1.0], [np.nan, 2.0], [1.0, 1.0]])
    with pytest.raises(ValueError, match="missing"):
        R.kmeans_segments(X, 2)
    with pytest.raises(ValueError, match="k must"):
        R.kmeans_segments(np.zeros((5, 2)), 1)
    with pytest.raises(ValueError, match="needs more than k rows"):
        R.choose_k(np.arange(6.0).reshape(3, 2), ks=[3])


def test_choose_k_and_stability_on_blobs():
    X = _blobs([(0, 0), (5, 0), (0, 5), (5, 5)], [40] * 4, 0.4)
    table = R.choose_k(X, ks=range(2, 7))
    assert table.index.tolist() == [2, 3, 4, 5, 6]
    assert int(table["silhouette"].idxmax()) == 4
    assert (np.diff(table["inertia"]) < 0).all(), "inertia falls with k"
    st = R.stability_ari(X, 4, n_resamples=5)
    assert st.shape == (5,) and st.min() == pytest.approx(1.0)
    # no structure: a uniform square split in 4 is far less stable than 4 blobs
    U = np.random.default_rng(1).random((160, 2))
    assert np.median(R.stability_ari(U, 7, n_resamples=5)) < 0.95


def test_segment_profiles_known_means():
    f = pd.DataFrame({"x": [1.0, 3.0, 10.0, 20.0], "s": list("abcd")})
    p = R.segment_profiles(f, np.array([1, 1, 0, 0]))
    assert p.index.tolist() == [0, 1] and p.columns.tolist() == ["n", "share", "x"]
    assert p["x"].tolist() == [15.0, 2.0] and p["share"].tolist() == [0.5, 0.5]
    with pytest.raises(ValueError, match="one entry per row"):
        R.segment_profiles(f, [0, 1])


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
    names = R.name_segments(_archetype_profiles())
    assert names == {"s0": "occasional_shoppers", "s1": "tech_enthusiasts", "s2": "premium_loyalists",
                     "s3": "bargain_hunters", "s4": "family_upgraders"}


def test_name_segments_more_segments_than_names():
    p = _archetype_profiles()
    extra = p.loc[["s1"]].rename(index={"s1": "s5"}).assign(digital_share=0.7, n=100)
    names = R.name_segments(pd.concat([p, extra]))
    assert len(set(names.values())) == 6
    assert sorted(names.values())[-1].startswith("tech_enthusiasts"), names
    with pytest.raises(ValueError, match="'price_tier'"):
        R.name_segments(p.drop(columns="price_tier"))


# ---------------------------------------------------------------------------- CLV
def test_simple_clv_formula():
    rfm = pd.DataFrame({"monetary": [1000.0, 4000.0], "tenure_days": [100, 730], "recency_days": [5, 5]},
                       index=["A", "B"])
    clv = R.simple_clv(rfm, margin=0.1, annual_retention=0.8, discount_rate=0.25, horizon_years=3)
    q = 0.8 / 1.25
    factor = q + q**2 + q**3
    assert clv.tolist() == pytest.approx([0.1 * 1000 * factor, 0.1 * 2000 * factor])
    per = pd.Series({"B": 0.0, "A": 1.0})
    clv2 = R.simple_clv(rfm, margin=1.0, annual_retention=per, discount_rate=0.0, horizon_years=2)
    assert clv2.tolist() == [2000.0, 0.0]
    with pytest.raises(ValueError, match="retention"):
        R.simple_clv(rfm, annual_retention=1.5)
    with pytest.raises(ValueError, match="'tenure_days'"):
        R.simple_clv(rfm.drop(columns="tenure_days"))


def test_estimate_retention_and_clv_by_segment():
    rfm = pd.DataFrame({"recency_days": [10, 400, 100, 20, 500], "tenure_days": [500, 600, 700, 30, 800],
                        "monetary": [365.0] * 5})
    assert R.estimate_retention(rfm) == pytest.approx(0.5)
    clv = R.simple_clv(rfm, margin=1.0, discount_rate=0.0, horizon_years=1)
    assert clv.iloc[3] == pytest.approx(0.5 * 365.0)
    table = R.clv_by_segment(pd.Series([10.0, 30.0, 60.0], index=list("abc")),
                             pd.Series({"c": "y", "a": "x", "b": "x"}))
    assert table.index.tolist() == ["y", "x"]
    assert table["equity"].tolist() == [60.0, 40.0] and table["mean_clv"].tolist() == [60.0, 20.0]
    assert table["equity_share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="tenure_days >= 365"):
        R.estimate_retention(rfm.assign(tenure_days=10))


def test_docstring_examples_run():
    result = doctest.testmod(R, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 20 and result.failed == 0


def test_tiny_dataset_end_to_end(tiny):
    f = R.behaviour_features(tiny.orders, tiny.order_items, tiny.products, tiny.customers,
                             as_of=tiny.scenario.end)
    X = R.segment_matrix(f)
    labels, centers = R.kmeans_segments(X, 4, fit_mask=f["frequency"] >= 2)
    assert len(labels) == len(f) and centers.shape == (4, X.shape[1])
    names = R.name_segments(R.segment_profiles(f, labels))
    assert len(set(names.values())) == 4
    rfm = R.rfm_table(tiny.orders, as_of=tiny.scenario.end)
    assert rfm.index.equals(f.index)
    eq = R.clv_by_segment(R.simple_clv(rfm), pd.Series(labels, index=f.index))
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
        f = R.behaviour_features(d.orders, d.order_items, d.products, d.customers, as_of=d.scenario.end)
        X = R.segment_matrix(f)
        repeat = (f["frequency"] >= 2).to_numpy()
        labels, _ = R.kmeans_segments(X, 5, fit_mask=repeat)
        labels_all, _ = R.kmeans_segments(X, 5)
        seg = d.truth_customers.set_index("customer_id")["segment"].reindex(f.index).to_numpy()
        runs[seed] = dict(data=d, f=f, X=X, repeat=repeat, labels=labels, labels_all=labels_all, seg=seg)
    return runs


@pytest.mark.slow
def test_top20_revenue_share(classroom_runs):
    shares = {}
    for seed, r in classroom_runs.items():
        rfm = R.rfm_table(r["data"].orders, as_of=r["data"].scenario.end)
        shares[seed] = R.top_share(rfm["monetary"], 0.2)
        assert shares[seed] == pytest.approx(stylized_facts(r["data"])["top20_revenue_share"], abs=1e-4)
    assert all(0.55 <= s <= 0.80 for s in shares.values()), f"top-20% revenue share outside 0.55-0.80: {shares}"


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
    med = {s: round(float(np.median(R.stability_ari(r["X"][r["repeat"]], 5, n_resamples=20))), 3)
           for s, r in classroom_runs.items()}
    assert all(m >= 0.7 for m in med.values()), f"median bootstrap ARI (repeat buyers, k=5) per seed: {med}"


@pytest.fixture(scope="module")
def silhouettes(classroom_runs):
    return {s: R.choose_k(r["X"], ks=range(2, 9), n_init=4)["silhouette"] for s, r in classroom_runs.items()}


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
        names = R.name_segments(R.segment_profiles(r["f"], r["seg"]))
        assert names == {n: n for n in r["data"].truth["segments"]["names"]}, f"seed {seed}: {names}"


@pytest.mark.slow
def test_names_of_kmeans_segments_match_majority_truth(classroom_runs):
    hits = {}
    for seed, r in classroom_runs.items():
        names = R.name_segments(R.segment_profiles(r["f"], r["labels"]))
        major = pd.crosstab(r["labels"], r["seg"]).idxmax(axis=1)
        hits[seed] = int(sum(names[k] == major[k] for k in names))
    assert all(h >= 3 for h in hits.values()), f"named segments whose majority truth segment has that name: {hits}"


@pytest.mark.slow
def test_clv_ranks_premium_loyalists_first(classroom_runs):
    for seed, r in classroom_runs.items():
        rfm = R.rfm_table(r["data"].orders, as_of=r["data"].scenario.end)
        table = R.clv_by_segment(R.simple_clv(rfm), pd.Series(r["seg"], index=r["f"].index))
        assert table["mean_clv"].idxmax() == "premium_loyalists", f"seed {seed}:\n{table}"
        assert table["mean_clv"].idxmin() in ("bargain_hunters", "occasional_shoppers"), f"seed {seed}:\n{table}"
