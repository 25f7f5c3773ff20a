"""Stylized facts of the classroom preset fall in the ranges real retail data shows.

Ranges from CONTEXT: CDNOW (~60% one-time buyers), Online Retail II and CDNOW
(top 20% of customers -> 60-70% of revenue), 3C baskets (mostly 1-2 lines plus
accessories/services), Likert skew (top-2-box 55-75%), Olist (~8% late deliveries).
"""

from __future__ import annotations

import pandas as pd
import pytest

import crmlab
from crmlab.realism import stylized_facts


@pytest.fixture(scope="module", params=[0, 1, 2])
def facts(request):
    data = crmlab.make_retail_crm("classroom", seed=request.param)
    return data, stylized_facts(data)


def test_one_time_buyers(facts):
    _, f = facts
    assert 0.35 <= f["one_time_buyer_share"] <= 0.75, f["one_time_buyer_share"]


def test_revenue_concentration(facts):
    _, f = facts
    assert 0.55 <= f["top20_revenue_share"] <= 0.80, f["top20_revenue_share"]


def test_double_11_month_is_clearly_above_the_mean(facts):
    data, f = facts
    assert f["november_ratio"] >= 1.2, f["november_ratio"]
    o = data.orders[data.orders["status"] == "completed"]
    daily = o.groupby(o["order_ts"].dt.normalize()).size()
    for year in (2024, 2025):
        autumn = daily[(daily.index >= f"{year}-09-15") & (daily.index < f"{year}-12-31")]
        assert daily[pd.Timestamp(f"{year}-11-11")] > 2 * autumn.median(), (year, daily[pd.Timestamp(f"{year}-11-11")], autumn.median())


def test_basket_sizes_are_3c_like(facts):
    data, f = facts
    assert 1.3 <= f["lines_per_order"] <= 2.5, f["lines_per_order"]
    lines = data.order_items.groupby("order_id").size()
    assert ((lines <= 2).mean()) >= 0.7
    main = data.order_items[data.order_items["line_no"] == 1].merge(data.products, on="sku")
    extra = data.order_items[data.order_items["line_no"] > 1].merge(data.products, on="sku")
    assert main["category"].isin(["accessory", "service"]).mean() < 0.25
    assert extra["category"].isin(["accessory", "service", "small_appliance"]).mean() > 0.95


def test_survey_is_negatively_skewed(facts):
    _, f = facts
    assert 0.55 <= f["survey_top2box"] <= 0.75, f["survey_top2box"]


def test_late_deliveries_and_channel_shift(facts):
    _, f = facts
    assert 0.04 <= f["late_delivery_rate"] <= 0.14
    assert f["app_share_last_year"] > f["app_share_first_year"]


def test_most_customers_buy_once_or_twice(facts):
    data, _ = facts
    per = data.orders[data.orders["status"] == "completed"].groupby("customer_id").size()
    assert (per <= 2).mean() >= 0.6
