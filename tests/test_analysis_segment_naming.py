"""Tests of crmlab.analysis.segment_naming: names from a segment's profile relative to all customers,
for any clustering (any k, ties, both languages, a real-extract-like table without habits)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from crmlab.analysis import segment_naming as N
from crmlab.analysis import segmentation as G


def _population(n=600, seed=0):
    """A retail-like customer table: most customers buy once, spend is skewed, recency spread out."""
    rng = np.random.default_rng(seed)
    freq = np.where(rng.random(n) < 0.6, 1, 1 + rng.poisson(2.0, n))
    spend = np.round(rng.lognormal(7, 1, n) * freq, 2)
    return pd.DataFrame({"recency_days": rng.integers(0, 700, n), "frequency": freq, "monetary": spend,
                         "digital_share": rng.random(n), "price_tier": rng.normal(0, 1, n)},
                        index=pd.Index([f"C{i:04d}" for i in range(n)], name="customer_id"))


def test_percentile_ranks_use_mid_ranks_for_ties():
    r = N.percentile_ranks([1, 1, 1, 1, 1, 1, 2, 2, 3, 10])
    assert r.iloc[:6].nunique() == 1 and r.iloc[0] == pytest.approx(0.3)
    assert r.mean() == pytest.approx(0.5)
    with pytest.raises(ValueError, match="missing"):
        N.percentile_ranks([1.0, np.nan])


@pytest.mark.parametrize("k", [2, 3, 4, 6, 9])
def test_any_k_gets_unique_names_and_a_rule_each(k):
    f = _population()
    labels = np.arange(len(f)) % k  # groups unrelated to the data: all in the middle
    t = N.describe_segments(f, labels)
    assert list(t.index) == list(range(k)) and t["n"].sum() == len(f)
    assert t["name"].is_unique
    assert t["rule"].str.contains("R ").all() and t["rule"].str.contains("M ").all()
    assert (t[["recency_pct", "frequency_pct", "monetary_pct"]].sub(0.5).abs() < 0.1).all().all()


def test_levels_follow_the_stated_cutoffs():
    f = _population()
    by_value = pd.qcut(f["monetary"].rank(method="first"), 3, labels=["low", "mid", "high"]).astype(str)
    t = N.describe_segments(f, by_value.to_numpy())
    assert t.loc["high", "monetary_level"] == "high" and t.loc["high", "monetary_pct"] >= N.LEVEL_CUTOFFS[1]
    assert t.loc["low", "monetary_level"] == "low" and t.loc["low", "monetary_pct"] <= N.LEVEL_CUTOFFS[0]
    assert t.loc["mid", "monetary_level"] == "middle"
    assert "high-value" in t.loc["high", "name"] and "low-value" in t.loc["low", "name"]
    assert ">= 0.60: high-value" in t.loc["high", "rule"]
    # tighter cut-offs: the middle third is still middle, wider ones make fewer words
    wide = N.describe_segments(f, by_value.to_numpy(), cutoffs=(0.1, 0.9))
    assert (wide["monetary_level"] == "middle").all()
    with pytest.raises(ValueError, match="cutoffs"):
        N.describe_segments(f, by_value.to_numpy(), cutoffs=(0.6, 0.4))


def test_recency_reads_recent_and_lapsed_and_one_time_needs_median_one():
    f = _population()
    lapsed = f["recency_days"] > 500
    t = N.describe_segments(f, np.where(lapsed, "old", "rest"))
    assert t.loc["old", "name"].startswith("lapsed") and t.loc["old", "recency_level"] == "high"
    once = f["frequency"] == 1
    t = N.describe_segments(f, np.where(once, "once", "more"))
    assert "one-time" in t.loc["once", "name"] and "frequent" in t.loc["more", "name"]
    assert "median 1 order" in t.loc["once", "rule"]
    # a low-frequency segment whose median customer bought twice is "infrequent", not "one-time"
    g = pd.DataFrame({"recency_days": [5] * 8, "frequency": [2, 2, 2, 9, 9, 9, 9, 9],
                      "monetary": [1.0] * 8})
    t = N.describe_segments(g, ["a", "a", "a", "b", "b", "b", "b", "b"])
    assert t.loc["a", "name"] == "infrequent buyers" and t.loc["b", "name"] == "frequent buyers"


def test_ties_identical_segments_are_numbered_and_habit_ties_follow_the_order():
    f = pd.DataFrame({"recency_days": [10, 10, 10, 10], "frequency": [1, 1, 1, 1], "monetary": [5.0] * 4})
    t = N.describe_segments(f, ["x", "x", "y", "y"])
    assert t["name"].tolist() == ["typical buyers", "typical buyers #2"]
    assert (t["rule"].str.contains("no habit")).all()
    # two habits equally far from the middle: the first in HABITS wins
    h = pd.DataFrame({"recency_days": [1, 2, 3, 4], "frequency": [1, 1, 1, 1], "monetary": [5.0] * 4,
                      "price_tier": [0.0, 0.0, 1.0, 1.0], "digital_share": [0.0, 0.0, 1.0, 1.0]})
    t = N.describe_segments(h, [0, 0, 1, 1])
    assert t.loc[1, "habit"] == "digital_share" and t.loc[1, "name"].endswith("(digital)")
    assert t.loc[0, "habit"] == "price_tier" and t.loc[0, "name"].endswith("(budget models)")


def test_shared_rfm_names_are_told_apart_by_more_habits():
    f = pd.DataFrame({"recency_days": [5] * 10, "frequency": [1] * 10, "monetary": [1.0] * 10,
                      "digital_share": [1.0] * 4 + [0.0] * 6,
                      "channel_app": [0.5, 0.5, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 0.9, 0.9]})
    t = N.describe_segments(f, ["a"] * 2 + ["b"] * 2 + ["c"] * 6)
    assert t["name"].tolist() == ["typical buyers (digital, app)", "typical buyers (digital)", "typical buyers"]
    assert "channel_app 0.70 >= 0.60: app" in t.loc["a", "rule"]


def test_bilingual_names_share_levels():
    f = _population()
    labels = np.where(f["frequency"] == 1, np.where(f["recency_days"] > 350, 0, 1), 2)
    en, zh = N.describe_segments(f, labels), N.describe_segments(f, labels, lang="zh")
    cols = ["recency_level", "frequency_level", "monetary_level", "habit"]
    assert en[cols].equals(zh[cols])
    assert zh["name"].str.endswith(("客户", "）")).all() and zh["name"].is_unique
    assert en.loc[0, "name"].startswith("lapsed one-time") and zh.loc[0, "name"].startswith("沉睡的一次性")
    assert "≥" in "".join(zh["rule"]) or "≤" in "".join(zh["rule"])
    with pytest.raises(ValueError, match="lang"):
        N.describe_segments(f, labels, lang="fr")


def test_real_extract_like_table_without_habits():
    """A CDNOW-like extract: only an RFM table (string ids, no order mix, no demographics)."""
    orders = pd.DataFrame({"customer_id": ["00001", "00001", "00002", "00003", "00003", "00003", "00004"],
                           "order_ts": pd.to_datetime(["1997-01-01", "1997-03-01", "1997-01-02", "1997-02-01",
                                                       "1997-05-01", "1998-06-01", "1997-01-03"]),
                           "order_value": [20.0, 30.0, 12.0, 80.0, 40.0, 60.0, 9.0]})
    from crmlab.analysis.rfm import rfm_table

    table = rfm_table(orders, as_of="1998-06-30")
    t = N.describe_segments(table[["recency_days", "frequency", "monetary"]], ["s1", "s2", "s1", "s2"])
    assert set(t.columns) >= {"name", "rule", "habit"} and (t["habit"] == "").all()
    assert t["name"].is_unique
    # the RFM table's average order value qualifies names ("large orders") when it passes the cut-offs
    t2 = N.describe_segments(table, [0, 1, 1, 0])
    assert t2["name"].is_unique and set(t2["habit"]) <= {"avg_spend", ""}
    with pytest.raises(ValueError, match="missing column.*recency_days"):
        N.describe_segments(table.drop(columns="recency_days"), [0, 1, 1, 0])
    with pytest.raises(ValueError, match="one entry per row"):
        N.describe_segments(table, [0, 1])


def test_reexported_from_segmentation():
    assert G.describe_segments is N.describe_segments and G.name_segments is N.name_segments


def test_docstring_examples_run():
    result = doctest.testmod(N, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 8 and result.failed == 0, result


def test_two_columns_with_the_same_word_count_once():
    """The fallback features hold avg_spend and log_avg_spend: one habit, said once."""
    f = pd.DataFrame({"recency_days": [5] * 6, "frequency": [1] * 6, "monetary": [1.0] * 6,
                      "avg_spend": [9.0, 9.0, 1.0, 1.0, 1.0, 1.0], "log_avg_spend": np.log1p([9.0, 9.0, 1, 1, 1, 1]),
                      "channel_app": [0.0] * 6})
    t = N.describe_segments(f, ["a", "a", "b", "b", "c", "c"])
    assert t.loc["a", "name"] == "typical buyers (large orders)"
    assert t.loc["a", "rule"].count("large orders") == 1
