"""The realism scorecard: facts on hand-built data, verdicts, the side-by-side card, the CLI and its plot."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
import pytest

import crmlab
from crmlab.cli import run_command as run
from crmlab.cli.extracts import add_subcommands
from crmlab.extracts import read_cdnow
from crmlab.realism import (
    REFERENCES,
    Reference,
    format_scorecard,
    plot_scorecard,
    realism_facts,
    scorecard,
    scorecard_json,
    seasonality_strength,
    stylized_facts,
    verdict,
)

CDNOW = "\n".join([
    " 00001 19970101  1   11.77", " 00001 19970301  2   20.00", " 00002 19970112  1   12.00",
    " 00002 19970112  5   77.00", " 00003 19970102  2   20.76", " 00003 19971115  5   57.45",
    " 00004 19970101  2   29.33", " 00005 19970105  1    9.99", " 00005 19980628  3   40.47",
]) + "\n"


def cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="crmlab")
    add_subcommands(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(argv))


def orders_frame(rows):
    """rows: (order_id, customer_id, date, status)."""
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_ts", "status"]).assign(
        order_ts=lambda d: pd.to_datetime(d["order_ts"]))


# ----------------------------------------------------------------------------- facts on hand-built data
def test_one_time_buyers_within_39_weeks():
    o = orders_frame([
        ("a1", "A", "2024-01-01", "completed"), ("a2", "A", "2024-03-01", "completed"),   # repeat within 39 w
        ("b1", "B", "2024-01-01", "completed"), ("b2", "B", "2024-12-01", "completed"),   # repeat too late
        ("c1", "C", "2024-01-01", "completed"), ("c2", "C", "2024-01-01", "completed"),   # same day: no repeat
        ("e1", "E", "2024-01-02", "completed"), ("e2", "E", "2024-02-01", "cancelled"),   # cancelled: no repeat
        ("d1", "D", "2024-11-01", "completed"),                                          # < 39 weeks of data left
    ])
    assert realism_facts({"orders": o})["one_time_buyer_share_39w"] == 0.75  # B, C, E of A, B, C, E


def test_interpurchase_basket_and_unit_facts():
    o = orders_frame([("a", "x", "2024-01-01", "completed"), ("b", "x", "2024-01-11", "completed"),
                      ("c", "x", "2024-01-31", "completed"), ("d", "y", "2024-01-05", "completed"),
                      ("e", "y", "2024-02-04", "completed"), ("f", "y", "2024-02-05", "cancelled")])
    items = pd.DataFrame({"order_id": ["a", "a", "a", "b", "c", "d", "e", "f"], "line_no": [1, 2, 3, 1, 1, 1, 1, 1],
                          "sku": ["s1", "s2", "s2", "s1", "s3", "s1", "s2", "s9"],
                          "quantity": [1, 2, 1, 4, 1, 1, 1, 7], "unit_price": 1.0, "discount": 0.0})
    f = realism_facts({"orders": o, "order_items": items})
    # gaps: x 10, 20; y 30 -> mean 20, p25 15, p75 25
    assert (f["mean_interpurchase_days"], f["interpurchase_p25_days"], f["interpurchase_p75_days"]) == (20, 15, 25)
    # completed orders a..e: distinct skus 2,1,1,1,1 -> 1.2; single 4/5; units 4,4,1,1,1 -> 2.2
    assert (f["items_per_basket"], f["single_item_share"], f["units_per_basket"]) == (1.2, 0.8, 2.2)
    assert f["cancelled_line_share"] == 0.125 and f["missing_customer_id_share"] == 0.0


def test_extract_quality_from_tables_and_from_a_cleaning_profile():
    o = orders_frame([("a", "x", "2024-01-01", "completed"), ("b", None, "2024-01-02", "completed"),
                      ("c", "y", "2024-01-03", "cancelled")])
    items = pd.DataFrame({"order_id": ["a", "a", "b", "c"], "line_no": [1, 2, 1, 1], "sku": ["s", "s", "t", "u"],
                          "quantity": 1, "unit_price": 2.0, "discount": 0.0})
    f = realism_facts({"orders": o, "order_items": items})
    assert (f["missing_customer_id_share"], f["duplicate_row_share"], f["cancelled_line_share"]) == (0.25, 0.25, 0.25)
    prof = {"profile": {"missing_customer_id_share": 0.228, "duplicate_row_share": 0.032}}
    g = realism_facts({"orders": o, "order_items": items}, cleaning=prof)
    assert (g["missing_customer_id_share"], g["duplicate_row_share"], g["cancelled_line_share"]) == (0.228, 0.032, 0.25)


def test_which_orders_count_is_one_parameter_and_text_dates_are_read():
    o = orders_frame([("a", "x", "2024-01-01", "completed"), ("b", "x", "2024-01-11", "returned"),
                      ("c", "y", "2024-01-05", "cancelled")]).assign(order_value=[10.0, 20.0, 30.0])
    f = realism_facts({"orders": o})
    assert (f["n_purchasers"], f["mean_interpurchase_days"]) == (1, None)  # only completed orders count
    g = realism_facts({"orders": o}, statuses=("completed", "returned"))
    assert (g["n_purchasers"], g["orders_per_customer"], g["mean_interpurchase_days"]) == (1, 2.0, 10.0)
    h = realism_facts({"orders": o}, statuses=None)
    assert (h["n_purchasers"], h["top20_revenue_share"]) == (2, 0.5)
    assert stylized_facts({"orders": o}, statuses=None)["n_purchasers"] == 2
    assert scorecard({"orders": o}, statuses=None).loc["n_purchasers", "dataset"] == 2
    # a faulty extract: dates still text in mixed formats, one unreadable (NaT, not an error)
    text = o.assign(order_ts=["2024-01-01", "01/11/2024", "not a date"])
    t = realism_facts({"orders": text}, statuses=None)
    assert (t["mean_interpurchase_days"], t["date_min"], t["date_max"]) == (10.0, "2024-01-01", "2024-01-11")


def test_card_names_are_its_columns_not_hidden_metadata(tiny):
    card = scorecard(tiny, names=("tiny",))
    assert card.attrs == {}
    plain = pd.DataFrame(card.to_dict())  # a card rebuilt from its values prints and exports the same
    assert format_scorecard(plain) == format_scorecard(card)
    assert scorecard_json(plain)["datasets"] == ["tiny"]


def test_survey_skew_and_five_star_share():
    survey = pd.DataFrame({"response_id": ["1", "2", "3", "4"], "adv_1": [5, 5, 5, 1], "service_2": [4, 5, 5, 5],
                           "overall_satisfaction": [5, 5, 3, pd.NA]}).astype({"overall_satisfaction": "Int64"})
    f = realism_facts({"orders": orders_frame([("a", "x", "2024-01-01", "completed")]), "survey": survey})
    assert f["five_star_share"] == round(2 / 3, 4)
    assert f["survey_skewness"] < -1  # most answers at the top: left-skewed
    assert realism_facts({"orders": orders_frame([("a", "x", "2024-01-01", "completed")])})["five_star_share"] is None


def test_seasonality_strength():
    m = np.arange(36)
    rng = np.random.default_rng(0)
    seasonal = pd.Series(100 + 30 * np.sin(2 * np.pi * m / 12) + rng.normal(0, 2, 36))
    noise = pd.Series(100 + rng.normal(0, 10, 36))
    assert seasonality_strength(seasonal) > 0.9
    assert seasonality_strength(noise) < 0.6
    assert seasonality_strength(seasonal[:23]) is None  # fewer than two full years
    assert seasonality_strength(pd.Series(np.full(24, 5.0))) == 0.0


def test_verdicts():
    r = Reference("x", "s", "f", 0.5, 0.7)
    assert [verdict(v, r) for v in (0.5, 0.7, 0.49, 0.71, None, float("nan"), "a")] == \
        ["inside", "inside", "outside", "outside", "n/a", "n/a", "n/a"]
    assert verdict(0.6, None) == ""


# ----------------------------------------------------------------------------- the card
def test_scorecard_classroom_next_to_an_imported_cdnow_extract(tmp_path, classroom0):
    (tmp_path / "CDNOW_sample.txt").write_text(CDNOW, encoding="ascii")
    cd = read_cdnow(tmp_path / "CDNOW_sample.txt")
    card = scorecard(classroom0, cd, names=("classroom", "CDNOW"))
    assert list(card.columns) == ["label", "classroom", "CDNOW", "reference", "range", "source",
                                  "verdict classroom", "verdict CDNOW"]
    assert list(card.index[: len(REFERENCES)]) == [r.fact for r in REFERENCES]
    facts = realism_facts(classroom0)
    for k in card.index:
        assert card.loc[k, "classroom"] == facts[k] or (card.loc[k, "classroom"] is None and facts[k] is None), k
    assert card.loc["items_per_basket", "CDNOW"] == 1.0 and card.loc["five_star_share", "verdict CDNOW"] == "n/a"
    # only customer 1 comes back within 39 weeks (2: same day; 3: after 317 days; 5: after 539 days)
    assert card.loc["one_time_buyer_share_39w", "CDNOW"] == 0.8
    allowed = {"inside", "outside", "n/a", ""}
    assert set(card["verdict classroom"]) <= allowed and set(card["verdict CDNOW"]) <= allowed
    text = format_scorecard(card)
    assert "classroom" in text.splitlines()[0] and "CDNOW" in text.splitlines()[0]
    j = scorecard_json(card)
    assert j["datasets"] == ["classroom", "CDNOW"] and json.dumps(j)  # JSON-serialisable
    fig = plot_scorecard(card)
    assert len(fig.axes) == len(REFERENCES)
    with pytest.raises(ValueError, match="distinct"):
        scorecard(classroom0, cd, names=("same", "same"))


def test_cli_scorecard_prints_both_columns_writes_plot_and_json(tmp_path, tiny, capsys):
    syn = tmp_path / "tiny"
    crmlab.save_dataset(tiny.without_truth(), syn)
    (tmp_path / "CDNOW_sample.txt").write_text(CDNOW, encoding="ascii")
    cd = tmp_path / "cdnow"
    assert cli(["import", "cdnow", str(tmp_path / "CDNOW_sample.txt"), "--out", str(cd), "-q"]) == 0
    png = tmp_path / "card.png"
    assert cli(["scorecard", str(syn), "--against", str(cd), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    head = out.splitlines()[0]
    assert "tiny" in head and "cdnow" in head and "verdict tiny" in head and "verdict cdnow" in head
    assert "no repeat purchase within 39 weeks" in out and "inside" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert cli(["scorecard", str(cd), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["datasets"] == ["cdnow"]
    facts = {f["fact"]: f for f in j["facts"]}
    assert facts["duplicate_row_share"]["values"]["cdnow"] == 0.0
    assert facts["items_per_basket"]["reference"]["lo"] == 3.5


def test_cli_scorecard_errors(tmp_path, tiny, capsys):
    assert cli(["scorecard", str(tmp_path / "nothing-here")]) == 1
    assert "no such dataset folder" in capsys.readouterr().err
    syn = tmp_path / "tiny"
    crmlab.save_dataset(tiny.without_truth(), syn)
    assert cli(["scorecard", str(syn), "--plot", str(tmp_path / "card.jpg")]) == 2
    assert ".png" in capsys.readouterr().err and not (tmp_path / "card.jpg").exists()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_classroom_preset_against_the_documented_references(seed):
    """What docs/extracts.md states about the classroom preset holds for several seeds."""
    card = scorecard(crmlab.make_retail_crm("classroom", seed=seed), names=("classroom",))
    v = card["classroom"]
    got = {k: v[k] for k in ("one_time_buyer_share_39w", "top20_revenue_share", "late_delivery_rate",
                             "cancelled_line_share", "orders_per_customer", "items_per_basket")}
    inside = card.loc[["one_time_buyer_share_39w", "top20_revenue_share", "late_delivery_rate",
                       "cancelled_line_share"], "verdict classroom"]
    assert (inside == "inside").all(), f"seed {seed}: {got} (expected inside the reference ranges)"
    assert 1.5 <= v["orders_per_customer"] <= 3.0 and 1.5 <= v["items_per_basket"] <= 2.2, \
        f"seed {seed}: {got} (docs: 3C buyers order less often and buy fewer items than grocery/gift shoppers)"
    assert v["seasonality_strength"] is not None and v["seasonality_strength"] > 0.3, f"seed {seed}: {v.to_dict()}"
