"""Tests of crmlab.analysis.survey (reliability, factors, drivers, nps, groups): hand-made inputs with
known answers, then truth recovery."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import crmlab
from crmlab.analysis import survey as S

SEEDS = range(5)


# ----------------------------------------------------------------------------- helpers
def _two_factor(n: int = 2000, load: float = 0.8, seed: int = 0) -> pd.DataFrame:
    """Items adv_1..3 on factor 1 and price_1..3 on factor 2, with the given loading."""
    rng = np.random.default_rng(seed)
    f = rng.standard_normal((n, 2))
    cols = {}
    for k in range(1, 4):
        cols[f"adv_{k}"] = load * f[:, 0] + np.sqrt(1 - load**2) * rng.standard_normal(n)
        cols[f"price_{k}"] = load * f[:, 1] + np.sqrt(1 - load**2) * rng.standard_normal(n)
    return pd.DataFrame(cols)


def _orthogonal(n: int = 200, p: int = 3, seed: int = 0) -> np.ndarray:
    """Centred predictors with sample correlations exactly 0."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, p))
    q, _ = np.linalg.qr(x - x.mean(axis=0))
    return q * np.sqrt(n)


def _ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    X = np.column_stack([np.ones(len(x)), x])
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    return float(1 - resid.var() / y.var())


# ----------------------------------------------------------------------------- doctests
SUBMODULES = ("reliability", "factors", "drivers", "nps", "groups", "_items")


def test_docstring_examples_run():
    attempted = 0
    for name in ("", *SUBMODULES):
        mod = importlib.import_module(f"crmlab.analysis.survey{'.' + name if name else ''}")
        res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.failed == 0, (name, res)
        attempted += res.attempted
    assert attempted > 20


def test_package_reexports_every_public_name():
    for name in SUBMODULES[:-1]:
        mod = importlib.import_module(f"crmlab.analysis.survey.{name}")
        for public in mod.__all__:
            assert getattr(S, public) is getattr(mod, public), (name, public)
            assert public in S.__all__, public


# ----------------------------------------------------------------------------- item_columns
def test_item_columns_maps_prefixes_and_sorts_by_number():
    df = pd.DataFrame(columns=["service_10", "service_2", "adv_1", "quality_1", "recommend", "price_x", "foo_1"])
    assert S.item_columns(df) == {"advertising": ["adv_1"], "service": ["service_2", "service_10"],
                                  "quality": ["quality_1"]}


def test_item_columns_custom_prefixes_and_error():
    df = pd.DataFrame(columns=["ux_1", "ux_2", "adv_1"])
    assert S.item_columns(df, {"ux": "usability"}) == {"usability": ["ux_1", "ux_2"]}
    with pytest.raises(ValueError, match="no item columns"):
        S.item_columns(pd.DataFrame(columns=["recommend", "overall_satisfaction"]))


# ----------------------------------------------------------------------------- alpha
def test_alpha_identical_items_is_one():
    x = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2], "b": [1, 2, 3, 4, 5, 2], "c": [1, 2, 3, 4, 5, 2]})
    assert S.cronbach_alpha(x) == pytest.approx(1.0)


def test_alpha_hand_computed():
    # var(a) = var(b) = 5/3, sum score 3,3,7,7 has variance 16/3: alpha = 2 * (1 - (10/3) / (16/3)) = 0.75
    x = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]})
    assert S.cronbach_alpha(x) == pytest.approx(0.75)


def test_alpha_listwise_deletion_of_missing_rows():
    x = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, None]}, dtype="Int64")
    assert S.cronbach_alpha(x) == pytest.approx(0.75)


def test_alpha_standardised_items_match_spearman_brown():
    # for standardised items alpha = k r / (1 + (k - 1) r) with r the mean inter-item correlation
    f = _two_factor(n=500, load=0.7, seed=3)[["adv_1", "adv_2", "adv_3"]]
    z = (f - f.mean()) / f.std()
    r = np.corrcoef(z.to_numpy(), rowvar=False)
    rbar = (r.sum() - 3) / 6
    assert S.cronbach_alpha(z) == pytest.approx(3 * rbar / (1 + 2 * rbar), rel=1e-10)


def test_alpha_undefined_and_errors():
    assert np.isnan(S.cronbach_alpha(pd.DataFrame({"a": [1, 2, 3], "b": [3, 2, 1]})))  # constant sum score
    with pytest.raises(ValueError, match="at least 2 items"):
        S.cronbach_alpha(pd.DataFrame({"a": [1, 2, 3]}))
    with pytest.raises(ValueError, match="complete rows"):
        S.cronbach_alpha(pd.DataFrame({"a": [1, None], "b": [None, 2]}, dtype="Int64"))
    with pytest.raises(ValueError, match="numeric"):
        S.cronbach_alpha(pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"]}))


# ----------------------------------------------------------------------------- reliability
def test_reliability_table_flags_the_noise_item():
    df = _two_factor(n=800, load=0.8, seed=1)
    df["adv_4"] = np.random.default_rng(9).standard_normal(len(df))  # measures nothing
    rt = S.reliability_table(df)
    assert list(rt.index) == ["advertising", "price"]
    adv = rt.loc["advertising"]
    assert adv["n_items"] == 4 and adv["n"] == 800
    assert adv["weakest_item"] == "adv_4"
    assert adv["alpha_if_deleted_max"] > adv["alpha"]  # deleting the noise item helps
    assert rt.loc["price", "alpha"] > 0.8 and bool(rt.loc["price", "acceptable"])
    low = S.reliability_table(df, threshold=0.99)
    assert not low["acceptable"].any()


def test_reliability_table_two_item_scale_and_explicit_dimensions():
    df = pd.DataFrame({"x": [1, 2, 3, 4], "y": [2, 1, 4, 3]})
    rt = S.reliability_table(df, {"custom": ["x", "y"]})
    assert rt.loc["custom", "alpha"] == pytest.approx(0.75)
    assert rt.loc["custom", "mean_inter_item_r"] == pytest.approx(0.6)
    assert np.isnan(rt.loc["custom", "alpha_if_deleted_min"])
    with pytest.raises(ValueError, match="missing column.*: z"):
        S.reliability_table(df, {"custom": ["x", "z"]})


def test_item_reliability_item_rest_correlation():
    df = _two_factor(n=800, load=0.8, seed=1)
    df["adv_4"] = np.random.default_rng(9).standard_normal(len(df))
    ir = S.item_reliability(df)
    assert ir.loc["adv_4", "item_rest_r"] < 0.1 < 0.5 < ir.loc[["adv_1", "adv_2", "adv_3"], "item_rest_r"].min()
    rest = df[["adv_2", "adv_3", "adv_4"]].sum(axis=1)
    assert ir.loc["adv_1", "item_rest_r"] == pytest.approx(np.corrcoef(df["adv_1"], rest)[0, 1])
    assert ir["dimension"].tolist() == ["advertising"] * 4 + ["price"] * 3
    assert ir.index.tolist() == ["adv_1", "adv_2", "adv_3", "adv_4", "price_1", "price_2", "price_3"]


# ----------------------------------------------------------------------------- factor analysis
def test_factorability_bartlett_two_items_by_hand():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(300)
    df = pd.DataFrame({"adv_1": a, "adv_2": a + rng.standard_normal(300)})
    r = np.corrcoef(df["adv_1"], df["adv_2"])[0, 1]
    chi2 = -(300 - 1 - (2 * 2 + 5) / 6) * np.log(1 - r**2)
    out = S.factorability(df)
    assert isinstance(out, S.Factorability)
    assert out.bartlett_chi2 == pytest.approx(chi2)
    assert out.bartlett_df == 1
    assert out.kmo == pytest.approx(0.5)  # two variables: partial = simple correlation
    assert out.eigenvalues == pytest.approx([1 + abs(r), 1 - abs(r)])
    assert out.kmo_items == pytest.approx({"adv_1": 0.5, "adv_2": 0.5})
    assert out.n == 300 and out.to_dict()["n_factors_kaiser"] == 1


def test_factorability_independent_vs_structured():
    rng = np.random.default_rng(1)
    noise = pd.DataFrame(rng.standard_normal((400, 6)), columns=[f"adv_{k}" for k in range(1, 7)])
    assert S.factorability(noise).bartlett_p > 0.001
    out = S.factorability(_two_factor(n=400))
    assert out.bartlett_p < 1e-10 and out.n_factors_kaiser == 2 and out.kmo > 0.6
    with pytest.raises(ValueError, match="more complete responses"):
        S.factorability(_two_factor(n=5))


def test_factor_loadings_recover_planted_structure():
    fa = S.factor_loadings(_two_factor(n=3000, load=0.8, seed=2), n_factors=2, random_state=0)
    L = fa.loadings
    assert list(L.columns) == ["advertising", "price", "communality"]
    assert S.primary_factor(L).to_dict() == {f"{p}_{k}": d for p, d in [("adv", "advertising"), ("price", "price")]
                                              for k in range(1, 4)}
    main = np.r_[L.loc[["adv_1", "adv_2", "adv_3"], "advertising"], L.loc[["price_1", "price_2", "price_3"], "price"]]
    assert np.allclose(main, 0.8, atol=0.05), main
    assert np.allclose(L["communality"], 0.64, atol=0.07)
    assert fa.n == 3000 and not L.attrs
    assert fa.primary_factor().equals(S.primary_factor(L))


def test_factor_loadings_deterministic_and_validates():
    df = _two_factor(n=300, seed=4)
    a = S.factor_loadings(df, n_factors=2, svd_method="randomized", random_state=5).loadings
    b = S.factor_loadings(df, n_factors=2, svd_method="randomized", random_state=5).loadings
    pd.testing.assert_frame_equal(a, b)
    exact = S.factor_loadings(df, n_factors=2).loadings
    assert np.allclose(exact.to_numpy(), a.to_numpy(), atol=1e-3)
    with pytest.raises(ValueError, match="n_factors"):
        S.factor_loadings(df, n_factors=6)
    with pytest.raises(ValueError, match="missing column.*nope"):
        S.factor_loadings(df, items=["adv_1", "nope"])
    extra = S.factor_loadings(df, n_factors=3).loadings  # one factor more than dimensions: unnamed leftover
    assert sum(c.startswith("factor_") for c in extra.columns) == 1


def test_primary_factor_uses_absolute_loadings():
    L = pd.DataFrame({"a": [0.2, 0.1], "b": [-0.9, 0.3], "communality": [0.9, 0.1]}, index=["x", "y"])
    assert S.primary_factor(L).to_dict() == {"x": "b", "y": "b"}
    with pytest.raises(ValueError, match="no factor columns"):
        S.primary_factor(L[["communality"]])


# ----------------------------------------------------------------------------- scores
def test_dimension_scores_mean_of_answered_items():
    df = pd.DataFrame({"adv_1": [4, 2, None], "adv_2": [5, None, None], "adv_3": [3, 3, 1],
                       "price_1": [1, None, 2]}, dtype="Int64")
    sc = S.dimension_scores(df)
    assert sc["advertising"].tolist()[:2] == [4.0, 2.5]
    assert np.isnan(sc.loc[2, "advertising"])  # 1 of 3 answered < half
    assert np.isnan(sc.loc[1, "price"]) and sc.loc[2, "price"] == 2.0
    strict = S.dimension_scores(df, min_share=1.0)
    assert np.isnan(strict.loc[1, "advertising"]) and strict.loc[0, "advertising"] == 4.0
    with pytest.raises(ValueError, match="min_share"):
        S.dimension_scores(df, min_share=0)


def test_top2box_items_and_dimensions():
    df = pd.DataFrame({"adv_1": [5, 4, 3, None], "adv_2": [1, 2, 5, 5], "overall_satisfaction": [4, 4, 4, 1]},
                      dtype="Int64")
    t = S.top2box(df)
    assert t.to_dict() == pytest.approx({"adv_1": 2 / 3, "adv_2": 0.5, "overall_satisfaction": 0.75})
    d = S.top2box(df, level="dimension")
    assert d.to_dict() == pytest.approx({"advertising": 4 / 7, "all_items": 4 / 7, "overall_satisfaction": 0.75})
    assert S.top2box(df, ["adv_2"], scale_max=3).iloc[0] == 0.75  # 2..3 on a 3-point scale: 2, 5, 5 of 4
    with pytest.raises(ValueError, match="level"):
        S.top2box(df, level="respondent")


# ----------------------------------------------------------------------------- key drivers
def test_relative_weights_and_shapley_sum_to_r2():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((500, 4)) @ np.array([[1, .5, .3, 0], [0, 1, .4, .2], [0, 0, 1, .6], [0, 0, 0, 1]])
    y = x @ np.array([0.1, 0.5, -0.3, 0.8]) + rng.standard_normal(500)
    r2 = _ols_r2(x, y)
    rw, sh = S.relative_weights(x, y), S.shapley_r2(x, y)
    assert rw.sum() == pytest.approx(r2, rel=1e-9)
    assert sh.sum() == pytest.approx(r2, rel=1e-9)
    assert (rw >= 0).all() and (sh >= -1e-12).all()


def test_relative_weights_orthogonal_predictors_equal_squared_correlations():
    x = _orthogonal(p=3)
    y = x @ np.array([0.2, 1.0, 0.5]) + np.random.default_rng(1).standard_normal(len(x))
    r = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(3)])
    assert S.relative_weights(x, y) == pytest.approx(r**2)
    assert S.shapley_r2(x, y) == pytest.approx(r**2)


def test_shapley_two_predictors_by_hand():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((300, 2))
    x[:, 1] += 0.7 * x[:, 0]
    y = x[:, 0] + 0.5 * x[:, 1] + rng.standard_normal(300)
    r2_1, r2_2, r2_12 = _ols_r2(x[:, :1], y), _ols_r2(x[:, 1:], y), _ols_r2(x, y)
    expected = [(r2_1 + r2_12 - r2_2) / 2, (r2_2 + r2_12 - r2_1) / 2]
    assert S.shapley_r2(x, y) == pytest.approx(expected)


def test_relative_weights_collinear_raises():
    x = np.column_stack([np.arange(10.0), 2 * np.arange(10.0)])
    with pytest.raises(ValueError, match="collinear"):
        S.relative_weights(x, np.arange(10.0) ** 2)


def test_key_drivers_recovers_planted_order():
    rng = np.random.default_rng(3)
    n = 1500
    eta = rng.standard_normal((n, 3))
    df = pd.DataFrame({f"{p}_{k}": eta[:, j] + 0.5 * rng.standard_normal(n)
                       for j, p in enumerate(["adv", "price", "quality"]) for k in (1, 2)})
    df["overall_satisfaction"] = eta @ np.array([0.2, 0.5, 1.0]) + rng.standard_normal(n)
    df.loc[0, "overall_satisfaction"] = np.nan  # listwise deletion
    res = S.key_drivers(df)
    kd = res.table
    assert kd.index.tolist() == ["quality", "price", "advertising"] == res.ranking
    assert kd["rank"].tolist() == [1, 2, 3]
    assert res.n == n - 1 and res.target == "overall_satisfaction" and not kd.attrs
    assert kd["relative_weight"].sum() == pytest.approx(res.r2)
    assert kd["shapley"].sum() == pytest.approx(res.r2)
    assert kd["rw_share"].sum() == pytest.approx(1.0)
    assert res.adj_r2 < res.r2
    sc = S.dimension_scores(df).assign(y=df["overall_satisfaction"]).dropna()
    assert res.r2 == pytest.approx(_ols_r2(sc[["advertising", "price", "quality"]].to_numpy(), sc["y"].to_numpy()))
    # standardised beta = unstandardised slope * sd(x) / sd(y)
    X = np.column_stack([np.ones(len(sc)), sc[["advertising", "price", "quality"]]])
    b = np.linalg.lstsq(X, sc["y"].to_numpy(), rcond=None)[0][1:]
    std_b = b * sc[["advertising", "price", "quality"]].std().to_numpy() / sc["y"].std()
    assert kd.loc[["advertising", "price", "quality"], "beta"].to_numpy() == pytest.approx(std_b)
    with pytest.raises(ValueError, match="missing column.*overall_satisfaction"):
        S.key_drivers(df.drop(columns="overall_satisfaction"))
    with pytest.raises(ValueError, match="complete responses"):
        S.key_drivers(df.head(4))


def test_importance_performance_quadrants():
    drv = pd.DataFrame({"rw_share": [0.4, 0.1, 0.3, 0.2]}, index=["service", "advertising", "quality", "price"])
    sc = pd.DataFrame({"service": [3.0, 3.2], "advertising": [4.0, 4.0], "quality": [4.5, 4.1], "price": [3.0, 3.4]})
    ipa = S.importance_performance(drv, sc)
    assert ipa.table["quadrant"].to_dict() == {"service": "concentrate here", "advertising": "possible overkill",
                                               "quality": "keep up the good work", "price": "low priority"}
    assert ipa.importance_cut == pytest.approx(0.25)
    assert ipa.performance_cut == pytest.approx(3.65)
    assert ipa.center == "mean"
    assert ipa.table.loc["quality", "performance"] == pytest.approx(4.3)
    med = S.importance_performance(drv, sc, center="median")
    assert med.performance_cut == pytest.approx(3.6)  # median of 3.1, 3.2, 4.0, 4.3
    assert med.importance_cut == pytest.approx(0.25)
    with pytest.raises(ValueError, match="price"):
        S.importance_performance(drv, sc.drop(columns="price"))
    with pytest.raises(ValueError, match="missing column.*weight"):
        S.importance_performance(drv, sc, importance="weight")


# ----------------------------------------------------------------------------- NPS
def test_nps_hand_made():
    assert S.nps([10, 9, 9, 8, 7, 6, 0, 10]) == pytest.approx(25.0)  # 4 promoters, 2 detractors of 8
    assert S.nps(pd.Series([10, None, 0, 7], dtype="Int64")) == pytest.approx(0.0)
    assert S.nps([10] * 3) == 100.0 and S.nps([6, 0]) == -100.0


def test_nps_rejects_bad_input():
    with pytest.raises(ValueError, match="0-10"):
        S.nps([3, 11])
    with pytest.raises(ValueError, match="no answers"):
        S.nps(pd.Series([None, None], dtype="Int64"))
    with pytest.raises(ValueError, match="numeric"):
        S.nps(["ten", "nine"])


def test_nps_bootstrap_deterministic_under_random_state():
    r = np.random.default_rng(0).integers(0, 11, 400)
    a = S.nps_bootstrap(r, random_state=7)
    assert a == S.nps_bootstrap(r, random_state=7)
    b = S.nps_bootstrap(r, random_state=8)
    assert (a.ci_low, a.ci_high) != (b.ci_low, b.ci_high)
    assert a.nps == b.nps == S.nps(r)
    assert a.confidence_level == 0.95


def test_nps_bootstrap_matches_analytic_standard_error():
    r = np.array([10] * 45 + [8] * 40 + [5] * 15)
    out = S.nps_bootstrap(r, n_boot=4000, random_state=0)
    p_plus, p_minus = 0.45, 0.15
    se = 100 * np.sqrt((p_plus + p_minus - (p_plus - p_minus) ** 2) / len(r))
    assert out.se == pytest.approx(se, rel=0.08)
    assert out.ci_low < out.nps < out.ci_high
    assert out.ci_high - out.ci_low == pytest.approx(2 * 1.96 * se, rel=0.12)
    assert (out.promoters, out.passives, out.detractors) == pytest.approx((0.45, 0.40, 0.15))
    narrow = S.nps_bootstrap(r, n_boot=4000, random_state=0, confidence_level=0.5)
    assert narrow.ci_high - narrow.ci_low == pytest.approx(2 * 0.6745 * se, rel=0.12)
    assert narrow.confidence_level == 0.5
    with pytest.raises(ValueError, match="n_boot"):
        S.nps_bootstrap(r, n_boot=0)
    with pytest.raises(ValueError, match="confidence_level"):
        S.nps_bootstrap(r, confidence_level=95)


# ----------------------------------------------------------------------------- groups
def test_compare_groups_means_and_tests():
    df = pd.DataFrame({"competitor": ["jd"] * 4 + ["gome"] * 4 + [None],
                       "overall_satisfaction": pd.array([1, 2, 2, 3, 4, 5, 5, 4, 5], dtype="Int64")})
    res = S.compare_groups(df, "competitor")
    out = res.table
    assert out["n"].to_dict() == {"gome": 4, "jd": 4}
    assert out["mean"].to_dict() == {"gome": 4.5, "jd": 2.0}
    assert res.test == "kruskal"
    assert res.p_value == pytest.approx(stats.kruskal([1, 2, 2, 3], [4, 5, 5, 4]).pvalue)
    assert out.loc["jd", "ci_low"] < 2.0 < out.loc["jd", "ci_high"]
    half = stats.t.ppf(0.975, 3) * out.loc["jd", "sd"] / 2
    assert out.loc["jd", "ci_high"] - out.loc["jd", "mean"] == pytest.approx(half)
    wide = S.compare_groups(df, "competitor", confidence_level=0.99).table
    assert wide.loc["jd", "ci_high"] - wide.loc["jd", "mean"] == pytest.approx(half * stats.t.ppf(0.995, 3)
                                                                               / stats.t.ppf(0.975, 3))
    an = S.compare_groups(df, "competitor", test="anova")
    assert an.statistic == pytest.approx(stats.f_oneway([1, 2, 2, 3], [4, 5, 5, 4]).statistic)
    with pytest.raises(ValueError, match="missing column.*city_tier"):
        S.compare_groups(df, "city_tier")
    with pytest.raises(ValueError, match="at least 2 groups"):
        S.compare_groups(df[df["competitor"] == "jd"], "competitor")


# ----------------------------------------------------------------------------- churn link
def _churn_fixture():
    sv = pd.DataFrame({
        "customer_id": ["a", "b", "c", "d", None, "f"],
        "response_date": pd.to_datetime(["2024-01-01"] * 5 + ["2024-12-01"]),
        "overall_satisfaction": pd.array([5, 5, 1, 1, 1, 5], dtype="Int64"),
    })
    od = pd.DataFrame({
        "customer_id": ["a", "a", "b", "c", "d", "d", "f", None],
        "order_ts": pd.to_datetime(["2024-03-01", "2024-04-01", "2023-12-01", "2024-06-01", "2024-02-01",
                                    "2024-07-02", "2024-12-15", "2024-12-31"]),
        "status": ["completed", "completed", "completed", "cancelled", "completed", "completed", "completed",
                   "completed"],
    })
    return sv, od


def test_satisfaction_and_churn_hand_made():
    sv, od = _churn_fixture()
    res = S.satisfaction_and_churn(sv, od, window_days=180)
    out = res.table
    # a: 2 orders inside; b: only before the survey; c: only a cancelled order; d: one inside (Feb), one after
    # the window (2024-07-02 > 2024-06-29); anonymous response dropped; f: window ends after the last order
    assert out["n"].to_dict() == {1: 2, 5: 2}
    assert out["n_inactive"].to_dict() == {1: 1, 5: 1}
    assert out["mean_orders"].to_dict() == {1: 0.5, 5: 1.0}
    assert res.n_excluded_anonymous == 1 and res.n_excluded_window == 1
    assert res.window_days == 180 and res.as_of == pd.Timestamp("2024-12-31")
    assert (out["ci_low"] <= out["share_inactive"]).all() and (out["share_inactive"] <= out["ci_high"]).all()
    # Wilson interval of 1 inactive out of 2 at 95%: 0.5 -+ 1.96 * sqrt(0.25/2 + 1.96^2/16) / (1 + 1.96^2/2)
    z = stats.norm.ppf(0.975)
    half = z * np.sqrt(0.25 / 2 + z**2 / 16) / (1 + z**2 / 2)
    assert out.loc[1, "ci_high"] - out.loc[1, "ci_low"] == pytest.approx(2 * half)
    later = S.satisfaction_and_churn(sv, od, window_days=180, as_of="2025-06-01").table
    assert later["n"].to_dict() == {1: 2, 5: 3}  # f now has a full window, with an order in it
    # which orders count: with every status counting, c's cancelled order (2024-06-01) is activity
    every = S.satisfaction_and_churn(sv, od, window_days=180, statuses=None).table
    assert every["n_inactive"].to_dict() == {1: 0, 5: 1}
    no_status = S.satisfaction_and_churn(sv, od.drop(columns="status"), window_days=180).table
    pd.testing.assert_frame_equal(no_status, every)


def test_satisfaction_and_churn_parses_iso_text_and_validates():
    sv, od = _churn_fixture()
    text = od.assign(order_ts=od["order_ts"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    pd.testing.assert_frame_equal(S.satisfaction_and_churn(sv, text, 180).table,
                                  S.satisfaction_and_churn(sv, od, 180).table)
    with pytest.raises(ValueError, match="orders.order_ts: .* not ISO 8601"):
        S.satisfaction_and_churn(sv, od.assign(order_ts="31/12/2024 10:00"), 180)
    with pytest.raises(ValueError, match="orders is missing column"):
        S.satisfaction_and_churn(sv, od.drop(columns="customer_id"))
    with pytest.raises(ValueError, match="window_days"):
        S.satisfaction_and_churn(sv, od, window_days=0)
    with pytest.raises(ValueError, match="full 3650-day window"):
        S.satisfaction_and_churn(sv, od, window_days=3650)
    with pytest.raises(ValueError, match="empty"):
        S.satisfaction_and_churn(sv, od.iloc[:0])


# ----------------------------------------------------------------------------- truth recovery
@pytest.fixture(scope="module")
def classroom_surveys():
    """Survey, orders and survey truth of the classroom preset for seeds 0-4."""
    out = {}
    for seed in SEEDS:
        d = crmlab.make_retail_crm("classroom", seed=seed)
        out[seed] = (d.survey, d.orders[["customer_id", "order_ts", "status"]], d.truth["survey"])
    return out


@pytest.mark.slow
def test_truth_nps_and_bootstrap_coverage(classroom_surveys):
    covered, report = 0, []
    for seed, (sv, _, truth) in classroom_surveys.items():
        b = S.nps_bootstrap(sv["recommend"], random_state=seed)
        report.append(f"seed {seed}: {b.nps:.1f} [{b.ci_low:.1f}, {b.ci_high:.1f}] vs {truth['nps']:.1f}")
        assert abs(b.nps - truth["nps"]) <= 8, f"NPS off by more than 8 points: {report[-1]}"
        covered += b.ci_low <= truth["nps"] <= b.ci_high
    assert covered >= 4, f"95% CI covered the true NPS in {covered}/5 seeds (need >= 4): {report}"


@pytest.mark.slow
def test_truth_driver_ranking(classroom_surveys):
    full = 0
    for seed, (sv, _, truth) in classroom_surveys.items():
        kd = S.key_drivers(sv).table
        ranking = kd.index.tolist()
        assert ranking[0] == truth["driver_ranking"][0], \
            f"seed {seed}: top driver {ranking} vs truth {truth['driver_ranking']}; shares {kd['rw_share'].round(3).to_dict()}"
        full += ranking == truth["driver_ranking"]
        assert kd["shapley"].sort_values(ascending=False).index[0] == truth["driver_ranking"][0]
    assert full >= 3, f"full driver ranking matched in {full}/5 seeds (need a majority)"


@pytest.mark.slow
def test_truth_reliability_and_factor_structure(classroom_surveys):
    for seed, (sv, _, truth) in classroom_surveys.items():
        rt = S.reliability_table(sv)
        assert (rt["alpha"] >= 0.70).all(), f"seed {seed}: alpha below 0.70: {rt['alpha'].round(3).to_dict()}"
        true_dim = {item: d for d, items in truth["dimensions"].items() for item in items}
        pf = S.primary_factor(S.factor_loadings(sv, n_factors=4, random_state=seed))
        wrong = {i: (pf[i], true_dim[i]) for i in true_dim if pf.get(i) != true_dim[i]}
        assert not wrong, f"seed {seed}: items assigned to the wrong factor (found, true): {wrong}"
        assert S.item_columns(sv) == truth["dimensions"]


@pytest.mark.slow
def test_truth_top2box(classroom_surveys):
    for seed, (sv, _, truth) in classroom_surveys.items():
        t = S.top2box(sv, level="dimension")
        for key in ("overall_satisfaction", "all_items"):
            assert 0.55 <= t[key] <= 0.75, \
                f"seed {seed}: {key} top-2-box {t[key]:.3f} outside 0.55..0.75 (target {truth['top2box_target']})"


@pytest.mark.slow
def test_truth_low_satisfaction_means_more_later_inactivity(classroom_surveys):
    band = {1: "low", 2: "low", 3: "mid", 4: "high", 5: "high"}
    k = {"low": 0, "high": 0}
    n = {"low": 0, "high": 0}
    for sv, orders, _ in classroom_surveys.values():
        out = S.satisfaction_and_churn(sv, orders, window_days=365).table
        for level, row in out.iterrows():
            b = band[int(level)]
            if b in k:
                k[b] += int(row["n_inactive"])
                n[b] += int(row["n"])
    p_low, p_high = k["low"] / n["low"], k["high"] / n["high"]
    pooled = (k["low"] + k["high"]) / (n["low"] + n["high"])
    z = (p_low - p_high) / np.sqrt(pooled * (1 - pooled) * (1 / n["low"] + 1 / n["high"]))
    assert p_low > p_high and stats.norm.sf(z) < 0.05, (
        f"inactive within 365 days: satisfaction 1-2 {p_low:.3f} (n={n['low']}) vs 4-5 {p_high:.3f} "
        f"(n={n['high']}), one-sided z = {z:.2f}; expected low > high with p < 0.05")


# ----------------------------------------------------------------------------- intervals of the findings (issue 10)
def _survey_like(n: int = 800, weights=(0.1, 0.15, 0.4, 0.35), seed: int = 0) -> pd.DataFrame:
    """Four dimensions of three items each and an overall score built from the dimensions."""
    rng = np.random.default_rng(seed)
    g = rng.standard_normal(n)
    eta = 0.5 * g[:, None] + np.sqrt(0.75) * rng.standard_normal((n, 4))
    cols = {}
    for j, p in enumerate(("adv", "price", "service", "quality")):
        for k in range(1, 4):
            cols[f"{p}_{k}"] = 0.8 * eta[:, j] + 0.6 * rng.standard_normal(n)
    cols["overall_satisfaction"] = eta @ np.asarray(weights) + 0.5 * rng.standard_normal(n)
    return pd.DataFrame(cols)


def test_relative_weight_shares_match_key_drivers_and_carry_intervals():
    df = _survey_like()
    out = S.relative_weight_shares(df, n_boot=400, random_state=1)
    kd = S.key_drivers(df).table
    assert np.allclose(out.table["share"], kd.loc[out.table.index, "rw_share"])
    assert out.table.index.tolist() == kd.index.tolist()
    assert (out.table["ci_low"] < out.table["share"]).all() and (out.table["share"] < out.table["ci_high"]).all()
    assert out.leader == "service" and out.runner_up == "quality"
    assert np.isclose(out.lead.estimate, out.table["share"].iloc[0] - out.table["share"].iloc[1])
    assert out.lead.ci_low < out.lead.estimate < out.lead.ci_high
    assert set(out.estimates()) == set(kd.index) and out.n == len(df) and out.n_boot == 400
    # a clear lead is supported, two equal drivers are not told apart
    clear = S.relative_weight_shares(_survey_like(weights=(0.1, 0.1, 0.7, 0.1)), n_boot=300)
    assert clear.leader == "service" and clear.lead.ci_low > 0
    tie = S.relative_weight_shares(_survey_like(weights=(0.1, 0.1, 0.4, 0.4), seed=3), n_boot=300)
    assert tie.lead.ci_low <= 0 <= tie.lead.ci_high
    with pytest.raises(ValueError, match="n_boot"):
        S.relative_weight_shares(df, n_boot=0)


def test_relative_weight_share_intervals_cover_the_population_shares():
    """Percentile-bootstrap intervals of the shares cover the population shares about 95% of the time."""
    pop = S.relative_weight_shares(_survey_like(n=200_000, seed=99), n_boot=1).table["share"]
    hits = []
    for seed in range(40):
        t = S.relative_weight_shares(_survey_like(n=500, seed=seed), n_boot=300, random_state=seed).table
        hits.append(((t["ci_low"] <= pop[t.index]) & (pop[t.index] <= t["ci_high"])).to_numpy())
    assert np.mean(hits) >= 0.88, np.mean(hits, axis=0)


def test_inactivity_gap_newcombe_interval_and_test():
    """Newcombe (1998) table II, example (a): 56/70 vs 48/80, method 10 gives 0.0524 to 0.3339."""
    link = S.SatisfactionChurn(table=pd.DataFrame({"n": [70, 5, 80], "n_inactive": [56, 3, 48]}, index=[1, 3, 5]),
                               chi2=0.0, p_value=0.0, n_excluded_window=0, n_excluded_anonymous=0,
                               as_of=pd.Timestamp("2025-01-01"), window_days=365)
    gap = S.inactivity_gap(link, low=(1, 2), high=(4, 5))
    assert (gap.n_low, gap.n_high) == (70, 80) and np.isclose(gap.estimate, 0.2)
    assert round(gap.ci_low, 4) == 0.0524 and round(gap.ci_high, 4) == 0.3339
    assert np.isclose(gap.p_value, stats.chi2_contingency([[56, 14], [48, 32]], correction=False).pvalue)
    empty = S.inactivity_gap(link, low=(2,), high=(5,))
    assert empty.n_low == 0 and np.isnan(empty.estimate) and np.isnan(empty.ci_low)


def test_alpha_interval_covers_and_is_in_the_reliability_table():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(200):
        x = rng.standard_normal((200, 1)) + rng.standard_normal((200, 4))  # true alpha 0.8
        lo, hi = S.alpha_interval(S.cronbach_alpha(pd.DataFrame(x)), 200, 4)
        hits += lo <= 0.8 <= hi
    assert 0.90 <= hits / 200 <= 0.99
    rt = S.reliability_table(_two_factor(n=300))
    assert ((rt["ci_low"] < rt["alpha"]) & (rt["alpha"] < rt["ci_high"])).all()
    assert np.isnan(S.alpha_interval(float("nan"), 100, 3)).all()


def test_top2box_share_pools_items_and_clusters_by_respondent():
    rng = np.random.default_rng(0)
    person = rng.integers(1, 6, size=(400, 1))  # respondents answer all items alike: strong clustering
    df = pd.DataFrame(np.repeat(person, 4, axis=1), columns=[f"adv_{k}" for k in range(1, 5)])
    e = S.top2box_share(df)
    assert np.isclose(e.estimate, S.top2box(df, level="dimension")["all_items"])
    naive = 1.96 * np.sqrt(e.estimate * (1 - e.estimate) / df.size)
    assert (e.ci_high - e.ci_low) / 2 > 1.8 * naive  # clusters of 4 identical answers: about twice as wide


def test_simulator_relative_weights_are_the_analysis_formula():
    from crmlab.simulate.survey import _johnson_shares

    rng = np.random.default_rng(5)
    x = rng.standard_normal((300, 4)) + rng.standard_normal((300, 1))
    y = x @ [0.1, 0.2, 0.3, 0.4] + rng.standard_normal(300)
    w = S.relative_weights(x, y)
    assert np.allclose(_johnson_shares(x, y), w / w.sum())


def test_truth_records_the_population_relative_weight_shares(tiny):
    from crmlab.config import get_scenario
    from crmlab.simulate.survey import relative_weight_shares

    t = tiny.truth["survey"]
    shares = t["relative_weight_shares"]
    assert set(shares) == set(t["driver_weights"]) and abs(sum(shares.values()) - 1) < 1e-3
    assert sorted(shares, key=shares.get, reverse=True) == t["driver_ranking"]
    assert "structural" in t["driver_weights_definition"] and "estimand" in t["relative_weight_shares_definition"]
    # deterministic and independent of the order of the respondents
    rng = np.random.default_rng(0)
    u, shift = rng.standard_normal(300), rng.exponential(0.1, (300, 4))
    sc = get_scenario("tiny")
    a = relative_weight_shares(sc, u, shift, n=20_000)
    perm = rng.permutation(300)
    assert a == relative_weight_shares(sc, u[perm], shift[perm], n=20_000)
    assert relative_weight_shares(sc, np.array([]), np.zeros((0, 4))) is None


@pytest.mark.slow
def test_truth_relative_weight_shares_are_what_the_analysis_estimates(classroom_surveys):
    """The estimand of the key-driver analysis: bootstrap intervals cover truth.survey.relative_weight_shares."""
    hits, report = [], []
    for seed, (sv, _, truth) in classroom_surveys.items():
        out = S.relative_weight_shares(sv, n_boot=1000, random_state=seed)
        true = pd.Series(truth["relative_weight_shares"])[out.table.index]
        hits.extend((out.table["ci_low"] <= true) & (true <= out.table["ci_high"]))
        report.append(f"seed {seed}: {out.table['share'].round(3).to_dict()} vs {true.to_dict()}")
    assert np.mean(hits) >= 0.85, report


# ----------------------------------------------------------------------------- instrument, sampling, groups
def test_instrument_covers_the_contract_and_is_bilingual():
    from crmlab.schema import CONTRACT
    from crmlab.simulate.survey import ITEMS

    q = S.instrument()
    survey_cols = [c for c in CONTRACT["survey"].names if c not in ("response_id", "customer_id", "response_date")]
    assert list(q.index) == survey_cols  # every answer column, in questionnaire order
    likert = q[q["scale"] == "1-5"]
    assert set(likert.index) == set(ITEMS)
    assert all(likert.loc[i, "construct"] == ITEMS[i][0] for i in ITEMS)  # the simulator's dimensions
    assert set(S.item_columns(pd.DataFrame(columns=list(ITEMS)))) == set(likert["construct"])
    assert q[["wording_en", "wording_zh", "answers_en", "answers_zh"]].notna().all().all()
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in w) for w in q["wording_zh"])
    for lang in ("en", "zh"):
        one = S.instrument(lang)
        assert list(one.columns) == ["construct", "wording", "scale", "answers"]
        assert one["wording"].equals(q[f"wording_{lang}"].rename("wording"))
    with pytest.raises(ValueError):
        S.instrument("fr")


def _frame_data(n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    ids = [f"c{i:04d}" for i in range(n)]
    customers = pd.DataFrame({"customer_id": ids, "city_tier": rng.integers(1, 6, n)})
    store_lover = rng.random(n) < 0.4
    rows = []
    for i, cid in enumerate(ids):
        for _ in range(1 + rng.poisson(1.0)):
            ch = "store" if (store_lover[i] and rng.random() < 0.9) else rng.choice(["web", "app"])
            rows.append((cid, ch, pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 300)))))
    orders = pd.DataFrame(rows, columns=["customer_id", "channel", "order_ts"])
    return customers, orders


def test_sampling_frame_main_channel_and_repeat_buyers():
    customers, orders = _frame_data()
    frame = S.sampling_frame(customers, orders, "2024-06-01")
    before = orders[orders["order_ts"] < "2024-06-01"]
    assert set(frame.index) == set(before["customer_id"])
    assert (frame["n_orders"] == before.groupby("customer_id").size().reindex(frame.index)).all()
    assert (frame["repeat_buyer"] == (frame["n_orders"] >= 2)).all()
    mode = before.groupby("customer_id")["channel"].agg(lambda s: s.value_counts().max())
    top = before.groupby(["customer_id", "channel"]).size()
    chosen = [top.loc[(c, frame.loc[c, "main_channel"])] for c in frame.index]
    assert (np.array(chosen) == mode.reindex(frame.index).to_numpy()).all()  # the most frequent channel
    assert frame["city_tier"].notna().all()
    with pytest.raises(ValueError, match="empty"):
        S.sampling_frame(customers, orders, "2023-01-01")


def test_representativeness_detects_a_biased_sample_and_not_a_random_one():
    customers, orders = _frame_data(n=2000, seed=1)
    frame = S.sampling_frame(customers, orders, "2024-12-31")
    rng = np.random.default_rng(2)
    store = frame["main_channel"] == "store"
    # in-store intercept: store shoppers answer three times as often
    p = np.where(store, 0.6, 0.2)
    biased = frame.index[rng.random(len(frame)) < p]
    sv = pd.DataFrame({"customer_id": biased, "survey_channel": np.where(store[biased], "store", "app")})
    rep = S.representativeness(sv, frame)
    row = rep.table.loc[("main_channel", "store")]
    assert row["ci_low"] > 0 and np.isclose(row["difference"], row["respondents"] - row["base"])
    assert rep.n_respondents == len(biased) and rep.n_frame == len(frame) and rep.n_outside == 0
    assert rep.by_channel.loc[("main_channel", "store", "store"), "share"] == 1.0
    # random response: intervals cover 0 (the truth) in most of 40 draws
    cover = []
    for s in range(40):
        pick = frame.index[np.random.default_rng(100 + s).random(len(frame)) < 0.3]
        r = S.representativeness(pd.DataFrame({"customer_id": pick}), frame, features=["main_channel"]).table
        cover.extend((r["ci_low"] <= 0) & (0 <= r["ci_high"]))
    assert np.mean(cover) >= 0.9
    # anonymous and unknown respondents are counted outside the frame
    extra = pd.concat([sv, pd.DataFrame({"customer_id": [None, "nobody"], "survey_channel": ["app", "app"]})])
    assert S.representativeness(extra, frame).n_outside == 2
    with pytest.raises(ValueError, match="no column"):
        S.representativeness(sv, frame, features=["income"])


def test_nps_by_group_and_difference():
    r = pd.Series([10] * 30 + [8] * 10 + [2] * 10 + [10] * 10 + [8] * 10 + [2] * 30)
    g = pd.Series(["a"] * 50 + ["b"] * 50, name="tier")
    tab = S.nps_by_group(r, g, n_boot=500)
    assert tab["nps"].to_dict() == {"a": 40.0, "b": -40.0} and tab.index.name == "tier"
    assert (tab["ci_low"] < tab["nps"]).all() and (tab["nps"] < tab["ci_high"]).all()
    d = S.nps_difference(r[:50], r[50:], n_boot=2000, random_state=3)
    assert np.isclose(d.estimate, 80.0) and d.ci_low > 0 and (d.n_a, d.n_b) == (50, 50)
    # coverage of the difference: two groups with the same NPS
    rng = np.random.default_rng(0)
    hits = []
    for s in range(200):
        a, b = rng.integers(0, 11, 150), rng.integers(0, 11, 250)
        e = S.nps_difference(a, b, n_boot=400, random_state=s)
        hits.append(e.ci_low <= 0 <= e.ci_high)
    assert 0.9 <= np.mean(hits) <= 0.99
    with pytest.raises(ValueError):
        S.nps_difference([], [1, 2])


def test_competitor_comparison_net_and_wald_interval():
    sv = pd.DataFrame({"competitor": ["jd"] * 200 + ["gome"] * 100,
                       "competitor_comparison": ["better"] * 50 + ["same"] * 50 + ["worse"] * 100
                                                + ["better"] * 60 + ["same"] * 30 + ["worse"] * 10})
    out = S.competitor_comparison(sv)
    assert out.loc["jd", ["better", "same", "worse"]].tolist() == [0.25, 0.25, 0.5]
    assert np.isclose(out.loc["jd", "net"], -0.25) and np.isclose(out.loc["gome", "net"], 0.5)
    se = np.sqrt((0.25 + 0.5 - 0.25**2) / 200)
    assert np.isclose(out.loc["jd", "ci_high"] - out.loc["jd", "net"], stats.norm.ppf(0.975) * se)
    # coverage by simulation
    rng = np.random.default_rng(1)
    p = [0.3, 0.3, 0.4]
    hits = []
    for _ in range(300):
        ans = rng.choice(["better", "same", "worse"], 250, p=p)
        o = S.competitor_comparison(pd.DataFrame({"competitor": "x", "competitor_comparison": ans})).loc["x"]
        hits.append(o["ci_low"] <= -0.1 <= o["ci_high"])
    assert 0.91 <= np.mean(hits) <= 0.98
    with pytest.raises(ValueError, match="better"):
        S.competitor_comparison(pd.DataFrame({"competitor": ["jd"], "competitor_comparison": ["much better"]}))


def test_expected_answers_match_the_simulated_answers():
    """The truth helper integrates out the answer noise of the survey model: its mean matches simulated answers."""
    from crmlab.config import get_scenario
    from crmlab.simulate import survey as sim

    sc = get_scenario("classroom")
    rng = np.random.default_rng(7)
    m = 200_000
    u = rng.standard_normal(m)
    counts = rng.poisson(0.15, (m, 6)).astype(float)
    unresolved = rng.binomial(1, 0.05, m).astype(float)
    shift = sim.failure_shift(counts, unresolved)
    # draw answers with the simulator's own model for these respondents
    eta = 0.55 * u[:, None] + np.sqrt(1 - 0.55**2) * rng.standard_normal((m, 4)) + sim._OFFSET - shift
    answers, overall, _, _ = sim._answers(sc, eta, rng)
    r = 0.85 * overall + np.sqrt(1 - 0.85**2) * rng.standard_normal(m)
    rec = np.searchsorted(sim._nps_cuts(sc.survey_nps_target), r)
    exp = sim.expected_answers(sc, u, shift)
    assert abs(100 * ((rec >= 9).mean() - (rec <= 6).mean()) - exp["nps"].mean()) < 0.6
    for k, c in enumerate(sim.COMPETITORS):
        cmp = 0.5 * eta[:, 1] + 0.5 * eta[:, 2] + rng.normal(0, 0.8, m) + sim._COMPETITOR_EDGE[k]
        net = (cmp > 0.45).mean() - (cmp < -0.55).mean()
        assert abs(net - exp[f"net_{c}"].mean()) < 0.006
    low = u < 0  # and by group (what the lesson's tier and channel truths use)
    assert abs(100 * ((rec[low] >= 9).mean() - (rec[low] <= 6).mean()) - exp["nps"][low].mean()) < 0.9


def test_failure_counts_rebuild_the_simulator_shift(tiny):
    """Counting the service events before each answer gives the shifts the simulator applied."""
    from crmlab.simulate.survey import failure_counts, failure_shift

    sv = tiny.survey
    counts, unresolved = failure_counts(tiny.service_events, sv["customer_id"], sv["response_date"])
    ev = tiny.service_events.merge(sv[["customer_id", "response_date"]], on="customer_id")
    before = ev[ev["event_ts"] < ev["response_date"]]
    assert counts.sum() == len(before)
    assert unresolved.sum() == ((before["event_type"] == "complaint") & (before["resolved"] == False)).sum()  # noqa: E712
    shift = failure_shift(counts, unresolved)
    assert shift.shape == (len(sv), 4) and (shift >= 0).all() and (shift[:, 3] == 0).all()


def test_comment_themes_code_keywords_in_both_languages_by_band():
    sv = pd.DataFrame({"comment": ["送货太慢了", "Delivery was LATE", "价格还可以", "", None, "JD is cheaper", "很好，满意"],
                       "overall_satisfaction": [1, 2, 3, 3, 5, 2, 5]})
    out = S.comment_themes(sv)
    assert out.loc["delivery", "n"] == 2 and np.isclose(out.loc["delivery", "share"], 2 / 5)  # 5 non-empty comments
    assert out.loc["delivery", "dissatisfied"] == 2 / 3 and out.loc["delivery", "satisfied"] == 0
    assert out.loc["competitor", "n"] == 1 and out.loc["price", "n"] == 2  # "cheaper" and "价格"
    assert out.loc["praise", "satisfied"] == 1.0
    assert (out["ci_low"] <= out["share"]).all() and (out["share"] <= out["ci_high"]).all()
    custom = S.comment_themes(sv, {"speed": ["慢", "late"]}, bands={"low": [1, 2]})
    assert list(custom.columns) == ["n", "share", "ci_low", "ci_high", "low"] and custom.loc["speed", "low"] == 2 / 3
    with pytest.raises(ValueError, match="no response"):
        S.comment_themes(sv.assign(comment=None))
