"""Putting it together: one scenario -> all tables of the data contract + the truth.

Customers are simulated in chunks of ``scenario.chunk_size``; every chunk has
its own random streams (:func:`~crmlab.simulate._streams.rng_for`), so the
result does not depend on the number of processes or the order chunks run in.
Global identifiers (``order_id``, ``event_id``, ...) are assigned after the
chunks are combined, in time order.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import AC_PEAK_SEASON, CATEGORIES, CHANNELS, EVENT_TYPES, MAIN_CATEGORIES, PAYMENTS
from ..domain import ORDER_STATUSES as STATUS
from . import loyalty as _loy
from ._streams import rng_for
from .calendar import SeasonClock, daily_season
from .catalog import BASKET_RULES, DECOY_SUBCATEGORY, INSTALL_CATEGORIES, simulate_products
from .customers import simulate_customers
from .items import rule_truth, simulate_items
from .pii import load_cities
from .purchases import EVENING_HOURS, simulate_purchases
from .stores import simulate_stores
from .survey import DIMENSIONS, ITEMS, relative_weight_shares, simulate_survey

__all__ = ["simulate_tables", "TABLES"]

#: The tables of the data contract, in the order they are written.
TABLES = (
    "customers",
    "stores",
    "products",
    "orders",
    "order_items",
    "service_events",
    "loyalty",
    "points_ledger",
    "campaigns",
    "survey",
)

Progress = Callable[[int], None]


def _global_context(scenario: Scenario) -> dict[str, Any]:
    cities = load_cities()
    stores = simulate_stores(scenario, rng_for(scenario.seed, "stores"), cities)
    products = simulate_products()
    season = daily_season(scenario.start_date, scenario.n_days)
    launch = _loy.simulate_rollout(scenario, rng_for(scenario.seed, "rollout"), cities)
    return dict(cities=cities, stores=stores, products=products, season=season, launch=launch)


def _campaign_probability(a: np.ndarray, h: np.ndarray) -> np.ndarray:
    """P(at least one order in a window) with expected orders ``a`` and churn exposure ``h``."""
    tot = a + h
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tot > 0, a / tot * (1 - np.exp(-tot)), 0.0)
    return p


def _simulate_chunk(scenario: Scenario, chunk: int, ctx: dict[str, Any]) -> dict[str, Any]:
    seed = scenario.seed
    offset = chunk * scenario.chunk_size
    n = min(scenario.chunk_size, scenario.n_customers - offset)
    clock = SeasonClock(ctx["season"])
    products = ctx["products"]
    cust_df, lt = simulate_customers(
        scenario, rng_for(seed, "customers", chunk), rng_for(seed, "pii", chunk),
        offset=offset, n=n, cities=ctx["cities"], stores=ctx["stores"], clock=clock, launch_day=ctx["launch"],
    )
    od, outcome, cat_prob = simulate_purchases(scenario, rng_for(seed, "orders", chunk), lt, clock, ctx["stores"],
                                               city_tier=ctx["cities"]["tier"].to_numpy()[lt.city_index])

    # items of the process's orders -> order values -> bunching top-ups
    item_rng = rng_for(seed, "items", chunk)
    items = simulate_items(scenario, item_rng, products, od, lt.premium[od["cust"]], ctx["season"])
    value = _order_values(items, len(od["cust"]))
    loy_rng = rng_for(seed, "loyalty", chunk)
    top = _loy.plan_topups(scenario, loy_rng, products, n, lt.enrol_day, outcome.death_day, od, value)
    k = len(top["cust"])
    if k:
        cat_codes = {c: i for i, c in enumerate(MAIN_CATEGORIES)}
        top_cat = pd.Series(products["category"].to_numpy()[top["forced_sku"]]).map(cat_codes).to_numpy(np.int8)
        top_orders = dict(category=top_cat, t=top["t"], coupon=np.zeros(k, bool))
        titems = simulate_items(scenario, item_rng, products, top_orders, lt.premium[top["cust"]], ctx["season"],
                                forced_sku=top["forced_sku"])
        base = len(od["cust"])
        titems["order"] = titems["order"] + base
        items = {key: np.concatenate([items[key], titems[key]]) for key in items}
        hour = np.floor((top["t"] % 1) * 24)
        od = dict(od)
        od["cust"] = np.concatenate([od["cust"], top["cust"]])
        od["t"] = np.concatenate([od["t"], np.floor(top["t"]) + (np.maximum(hour, 9) + 0.5) / 24])
        od["channel"] = np.concatenate([od["channel"], np.full(k, 2, np.int8)])
        od["store"] = np.concatenate([od["store"], np.full(k, -1)])
        od["category"] = np.concatenate([od["category"], top_cat])
        od["status"] = np.concatenate([od["status"], np.zeros(k, np.int8)])
        od["coupon"] = np.concatenate([od["coupon"], np.zeros(k, bool)])
        od["payment"] = np.concatenate([od["payment"], np.zeros(k, np.int8)])
        od["delivered"] = np.concatenate([od["delivered"], np.ones(k, bool)])  # app orders, delivered home
        od["install"] = np.concatenate([od["install"], np.isin(np.array(MAIN_CATEGORIES)[top_cat], INSTALL_CATEGORIES)])
        np.add.at(cat_prob, top_cat.astype(np.int64), 1.0)
        value = _order_values(items, len(od["cust"]))
    is_topup = np.zeros(len(od["cust"]), bool)
    if k:
        is_topup[-k:] = True

    tier, qual, evald = _loy.assign_tiers(scenario, n, lt.enrol_day, od, value)
    ledger, exp_break, pts_total = _loy.simulate_ledger(scenario, loy_rng, lt.enrol_day, lt.redemption_breakage,
                                                        od, value)

    # survey
    unresolved = (od["ev_type"] == EVENT_TYPES.index("complaint")) & (od["ev_resolved"] == 0)
    survey, nps_sum = simulate_survey(
        scenario, rng_for(seed, "survey", chunk), first_order_day=lt.first_order_day,
        satisfaction=lt.satisfaction, ev_cust=od["cust"][od["ev_order"]], ev_type=od["ev_type"],
        ev_t=od["ev_t"], ev_unresolved=unresolved,
    )

    # campaign: eligibility from the orders the business can see
    c = float(scenario.campaign_day)
    before = od["t"] < c
    last_before = np.full(n, -np.inf)
    np.maximum.at(last_before, od["cust"][before], od["t"][before])
    eligible = np.isfinite(last_before) & (c - last_before >= scenario.campaign_min_recency_days)
    in_window = (od["t"] >= c) & (od["t"] < c + scenario.campaign_window_days) & (od["status"] != 1)
    responded = np.zeros(n, bool)
    responded[od["cust"][in_window]] = True
    # true individual uplift (expected, given the latent state at the send date)
    lam = lt.purchase_rate
    d = c - lt.enrol_day
    f = np.where(d < 0, 0.0, np.where(d < scenario.loyalty_full_effect_days, 1.0,
                 np.clip((scenario.loyalty_fade_end_days - d) / (scenario.loyalty_fade_end_days - scenario.loyalty_full_effect_days), 0, 1)))
    loy = 1 + lt.loyalty_effect * np.where(np.isfinite(lt.enrol_day), f, 0.0)
    ds = (clock.forward(np.array([c + scenario.campaign_window_days]))[0] - clock.forward(np.array([c]))[0]) / 365.25
    a0 = lam * loy * ds
    h = lt.churn_hazard * outcome.hazard_at_campaign * scenario.campaign_window_days / 365.25
    p0 = _campaign_probability(a0, h)
    p1 = (1 - lt.sleeping_dog_risk) * _campaign_probability(a0 * lt.campaign_multiplier, h)
    uplift = np.where(outcome.alive_at_campaign & eligible, p1 - p0, 0.0)
    p_treated = np.where(outcome.alive_at_campaign & eligible, p1, 0.0)  # expected offer cost = contact + offer * p1

    # truth bookkeeping per customer
    churned = np.isfinite(outcome.death_day)
    alive_at_enrol = np.isfinite(lt.enrol_day) & (outcome.death_day > lt.enrol_day)
    return dict(
        n=n, offset=offset, customers=cust_df, latent=lt, outcome=outcome, orders=od, items=items, value=value,
        is_topup=is_topup, tier=tier, qual=qual, evald=evald, ledger=ledger, survey=survey,
        eligible=eligible, responded=responded, uplift=uplift, p_treated=p_treated, churned=churned,
        alive_at_enrol=alive_at_enrol,
        sums=dict(cat_prob=cat_prob, nps=nps_sum, n_resp=len(survey["cust"]), break_pts=exp_break,
                  pts=pts_total),
    )


def _order_values(items: dict[str, np.ndarray], n_orders: int) -> np.ndarray:
    v = items["quantity"] * items["unit_price"] - items["discount"]
    return np.bincount(items["order"], weights=v, minlength=n_orders)


def _ts(start: dt.date, days: np.ndarray) -> np.ndarray:
    """Days since start (float) -> datetime64[s]."""
    secs = np.floor(np.asarray(days, float) * 86400).astype(np.int64)
    return np.datetime64(start, "s") + secs.astype("timedelta64[s]")


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    s = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(width)
    return (prefix + s).to_numpy()


def simulate_tables(
    scenario: Scenario,
    *,
    n_jobs: int = 1,
    progress: Progress | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any], pd.DataFrame]:
    """Simulate every table of the data contract.

    Parameters
    ----------
    scenario : Scenario
    n_jobs : int
        Processes for the customer chunks (results are identical for any value).
    progress : callable, optional
        Called with the number of customers finished after each chunk.

    Returns
    -------
    tables : dict of DataFrames (keys :data:`TABLES`)
    truth : dict (the content of ``truth.json``)
    truth_customers : DataFrame (latent traits per customer)
    """
    ctx = _global_context(scenario)
    n_chunks = -(-scenario.n_customers // scenario.chunk_size)
    results: list[dict[str, Any]] = []
    if n_jobs > 1 and n_chunks > 1:
        with ProcessPoolExecutor(max_workers=n_jobs) as ex:
            futs = [ex.submit(_simulate_chunk, scenario, k, ctx) for k in range(n_chunks)]
            for f in futs:
                results.append(f.result())
                if progress:
                    progress(results[-1]["n"])
    else:
        for k in range(n_chunks):
            results.append(_simulate_chunk(scenario, k, ctx))
            if progress:
                progress(results[-1]["n"])
    return _assemble(scenario, ctx, results)


def _assemble(scenario: Scenario, ctx: dict[str, Any], results: list[dict[str, Any]]):
    start = scenario.start_date
    products = ctx["products"]
    stores = ctx["stores"]
    cities = ctx["cities"]

    customers = pd.concat([r["customers"] for r in results], ignore_index=True)
    cust_ids = customers["customer_id"].to_numpy()

    # ---------------------------------------------------------------- orders
    o_off = np.cumsum([0] + [len(r["orders"]["cust"]) for r in results])
    def cat(key, sub="orders"):  # noqa: E306
        return np.concatenate([r[sub][key] for r in results])
    gcust = np.concatenate([r["orders"]["cust"] + r["offset"] for r in results])
    t = cat("t")
    order_key = np.lexsort((np.arange(len(t)), gcust, np.floor(t * 86400)))
    rank = np.empty(len(t), np.int64)
    rank[order_key] = np.arange(len(t))
    order_ids = _ids("O", len(t), 8)[rank]  # id by time order; indexed by concatenated position
    store_idx = cat("store")
    store_ids = np.where(store_idx >= 0, stores["store_id"].to_numpy()[np.maximum(store_idx, 0)], None)
    coupon = cat("coupon")
    status = cat("status")
    value = np.concatenate([r["value"] for r in results])
    orders = pd.DataFrame(
        {
            "order_id": order_ids,
            "customer_id": cust_ids[gcust],
            "order_ts": _ts(start, t),
            "channel": np.array(CHANNELS)[cat("channel")],
            "store_id": store_ids,
            "status": np.array(STATUS)[status],
            "payment": np.array(PAYMENTS)[cat("payment")],
            "coupon_id": np.where(coupon, np.char.replace(order_ids.astype(str), "O", "CP"), None),
            "order_value": np.round(value, 2),
            "home_delivery": cat("delivered"),
            "installation": cat("install"),
        }
    ).iloc[order_key].reset_index(drop=True)

    # ---------------------------------------------------------------- items
    io = np.concatenate([r["items"]["order"] + o_off[i] for i, r in enumerate(results)])
    order_items = pd.DataFrame(
        {
            "order_id": order_ids[io],
            "line_no": cat("line_no", "items").astype(np.int64),
            "sku": products["sku"].to_numpy()[cat("sku_row", "items")],
            "quantity": cat("quantity", "items").astype(np.int64),
            "unit_price": cat("unit_price", "items"),
            "discount": cat("discount", "items"),
        }
    )
    order_items = order_items.iloc[np.lexsort((order_items["line_no"].to_numpy(), rank[io]))].reset_index(drop=True)

    # ---------------------------------------------------------------- events
    eo = np.concatenate([r["orders"]["ev_order"] + o_off[i] for i, r in enumerate(results)])
    ev_t = cat("ev_t")
    ev_type = cat("ev_type")
    resolved = cat("ev_resolved")
    followup = cat("ev_followup")
    ev_value = cat("ev_value")
    ek = np.lexsort((ev_type, rank[eo], np.floor(ev_t * 86400)))
    events = pd.DataFrame(
        {
            "event_id": _ids("E", len(ek), 7),
            "customer_id": cust_ids[gcust[eo[ek]]],
            "order_id": order_ids[eo[ek]],
            "event_ts": _ts(start, ev_t[ek]),
            "event_type": np.array(EVENT_TYPES)[ev_type[ek]],
            "resolved": pd.array(np.where(resolved[ek] < 0, None, resolved[ek] == 1), dtype="boolean"),
            "value_yuan": ev_value[ek],
            "followed_up": pd.array(np.where(followup[ek] < 0, None, followup[ek] == 1), dtype="boolean"),
        }
    )

    # ---------------------------------------------------------------- loyalty
    enrol = np.concatenate([r["latent"].enrol_day for r in results])
    tier = np.concatenate([r["tier"] for r in results])
    qual = np.concatenate([r["qual"] for r in results])
    evald = np.concatenate([r["evald"] for r in results])
    lg = {k: np.concatenate([r["ledger"][k] + (r["offset"] if k == "cust" else (o_off[i] if k == "order" else 0))
                             for i, r in enumerate(results)]) for k in ("cust", "t", "kind", "points", "order")}
    balance = np.bincount(lg["cust"], weights=lg["points"], minlength=len(customers)).astype(np.int64)
    mem = np.flatnonzero(np.isfinite(enrol))
    city_idx = np.concatenate([r["latent"].city_index for r in results])
    loyalty = pd.DataFrame(
        {
            "customer_id": cust_ids[mem],
            "enrol_date": _ts(start, np.floor(enrol[mem])),
            "tier": np.array(_loy.TIERS)[tier[mem]],
            "points_balance": balance[mem],
            "qualifying_spend": qual[mem],
            "tier_date": pd.Series(_ts(start, np.nan_to_num(evald[mem], nan=0))).where(~np.isnan(evald[mem])).to_numpy(),
            "city_launch_date": _ts(start, ctx["launch"][city_idx[mem]]),
        }
    )
    lk = np.lexsort((lg["kind"], np.floor(lg["t"] * 86400), lg["cust"]))
    points_ledger = pd.DataFrame(
        {
            "customer_id": cust_ids[lg["cust"][lk]],
            "ts": _ts(start, lg["t"][lk]),
            "kind": np.array(["earn", "redeem", "expire"])[lg["kind"][lk]],
            "points": lg["points"][lk].astype(np.int64),
            "order_id": order_ids[lg["order"][lk]],
        }
    )

    # ---------------------------------------------------------------- campaigns
    elig = np.concatenate([r["eligible"] for r in results])
    treated = np.concatenate([r["latent"].treated for r in results])
    responded = np.concatenate([r["responded"] for r in results])
    ce = np.flatnonzero(elig)
    sent = start + dt.timedelta(days=scenario.campaign_day)
    campaign_id = f"RET-{sent:%Y-%m}"
    cost = np.where(treated[ce], scenario.campaign_contact_cost + np.where(responded[ce], scenario.campaign_offer_value, 0.0), 0.0)
    campaigns = pd.DataFrame(
        {
            "campaign_id": np.full(len(ce), campaign_id, dtype=object),
            "customer_id": cust_ids[ce],
            "treated": treated[ce],
            "offer_cost": cost,
            "sent_date": np.full(len(ce), np.datetime64(sent, "s")),
            "responded": responded[ce],
        }
    )

    # ---------------------------------------------------------------- survey
    sv = [r["survey"] for r in results]
    scust = np.concatenate([s["cust"] + r["offset"] for s, r in zip(sv, results)])
    st = np.concatenate([s["t"] for s in sv])
    sk = np.lexsort((scust, np.floor(st * 86400)))
    survey = pd.DataFrame({"response_id": _ids("R", len(sk), 6), "customer_id": cust_ids[scust[sk]],
                           "response_date": _ts(start, st[sk])})
    for col in [*ITEMS, "overall_satisfaction", "recommend"]:
        survey[col] = np.concatenate([s[col] for s in sv])[sk].astype(np.int64)
    for col in ("competitor", "competitor_comparison", "survey_channel", "comment"):
        survey[col] = np.concatenate([s[col] for s in sv])[sk]

    tables = dict(
        customers=customers,
        stores=stores,
        products=products.drop(columns=["popularity"]),
        orders=orders,
        order_items=order_items,
        service_events=events,
        loyalty=loyalty,
        points_ledger=points_ledger,
        campaigns=campaigns,
        survey=survey,
    )
    truth, truth_customers = _truth(scenario, ctx, results, cust_ids, elig)
    return tables, truth, truth_customers


def _truth(scenario: Scenario, ctx: dict[str, Any], results: list[dict[str, Any]], cust_ids: np.ndarray,
           elig: np.ndarray) -> tuple[dict[str, Any], pd.DataFrame]:
    start = scenario.start_date
    T = scenario.n_days
    L = lambda attr: np.concatenate([getattr(r["latent"], attr) for r in results])  # noqa: E731
    O = lambda attr: np.concatenate([getattr(r["outcome"], attr) for r in results])  # noqa: E731
    R = lambda key: np.concatenate([r[key] for r in results])  # noqa: E731
    seg = L("segment")
    names = scenario.segment_names
    death = O("death_day")
    first = L("first_order_day")
    enrol = L("enrol_day")
    lam = L("purchase_rate")
    uplift = R("uplift")
    eff = L("loyalty_effect")
    alive_enrol = R("alive_at_enrol")

    def rnd(x, k=6):
        return None if x is None or not np.isfinite(x) else round(float(x), k)

    # churn
    window = scenario.churn_window_days
    base = np.isfinite(first) & (first < T - window)
    churn_rate = float(np.mean(np.isfinite(death[base]))) if base.any() else float("nan")
    hr = dict(
        price_change_cancel=scenario.hr_price_change_cancel,
        failed_delivery=scenario.hr_failed_delivery,
        failed_installation=scenario.hr_failed_installation,
        unresolved_complaint=scenario.hr_unresolved_complaint,
        expired_coupon=scenario.hr_expired_coupon,
        late_delivery=scenario.hr_late_delivery,
    )
    # campaign
    ate = float(uplift[elig].mean()) if elig.any() else float("nan")
    by_seg = {n: rnd(uplift[elig & (seg == k)].mean()) if (elig & (seg == k)).any() else None
              for k, n in enumerate(names)}
    # loyalty ATT: members alive at enrolment, weighted by their purchase rate
    w = np.where(alive_enrol, lam, 0.0)
    att = float((w * eff).sum() / w.sum()) if w.sum() > 0 else float("nan")
    att_seg = {n: rnd(eff[seg == k][0]) if (seg == k).any() else None for k, n in enumerate(names)}
    sums = {k: sum(r["sums"][k] for r in results) for k in results[0]["sums"]}
    launch = ctx["launch"]
    cities = ctx["cities"]
    rollout = {c: str(start + dt.timedelta(days=int(d))) for c, d in zip(cities["city"], launch)}
    segs = {s.name: s for s in scenario.segments}

    truth = {
        "crmlab_truth_version": 1,
        "scenario": scenario.to_dict(),
        "survey": {
            "nps": rnd(sums["nps"] / max(sums["n_resp"], 1), 3),
            "driver_weights": {d: rnd(w_ / sum(scenario.driver_weights), 4)
                               for d, w_ in zip(DIMENSIONS, scenario.driver_weights)},
            "driver_weights_definition": "structural weights of the latent dimensions in overall satisfaction "
                                         "(normalised to sum to 1)",
            "relative_weight_shares": relative_weight_shares(
                scenario, np.concatenate([r["survey"]["latent_satisfaction"] for r in results]),
                np.concatenate([r["survey"]["latent_shift"] for r in results])),
            "relative_weight_shares_definition": "population Johnson relative weights (shares of R^2) of overall "
                                                 "satisfaction (1-5) on the dimension scores (item means), implied by "
                                                 "the survey model: the estimand of a key-driver analysis",
            "driver_ranking": [d for _, d in sorted(zip(scenario.driver_weights, DIMENSIONS), reverse=True)],
            "dimensions": {d: [k for k, v in ITEMS.items() if v[0] == d] for d in DIMENSIONS},
            "loadings": {k: v[1] for k, v in ITEMS.items()},
            "top2box_target": scenario.survey_top2box,
            "n_responses": int(sums["n_resp"]),
            "fielded": [str(start + dt.timedelta(days=scenario.survey_day)),
                        str(start + dt.timedelta(days=scenario.survey_day + scenario.survey_days - 1))],
        },
        "churn": {
            "window_days": window,
            "rate": rnd(churn_rate),
            "rate_definition": "share of customers with a first order at least window_days before the end "
                               "whose latent lifetime ended inside the window",
            "hazard_ratios": hr,
            "satisfaction_log_hazard_per_sd": scenario.satisfaction_churn_effect,
            "base_hazard_per_year": {s.name: s.churn_hazard for s in scenario.segments},
        },
        "campaign": {
            "campaign_id": f"RET-{start + dt.timedelta(days=scenario.campaign_day):%Y-%m}",
            "sent_date": str(start + dt.timedelta(days=scenario.campaign_day)),
            "response_window_days": scenario.campaign_window_days,
            "ate": rnd(ate),
            "ate_definition": "mean over targeted customers of P(order in window | offer) - P(order in window | no offer)",
            "uplift_by_segment": by_seg,
            "sleeping_dog_segments": [s.name for s in scenario.segments if s.sleeping_dog_risk > 0],
            "n_targeted": int(elig.sum()),
        },
        "segments": {
            "n": len(names),
            "names": names,
            "shares": {n: rnd(np.mean(seg == k), 4) for k, n in enumerate(names)},
            "purchase_rate_per_year": {n: segs[n].purchase_rate for n in names},
            "premium": {n: segs[n].premium for n in names},
        },
        "basket": {
            "item_level": "products.subcategory",
            "rules": rule_truth(scenario, sums["cat_prob"]),
            "decoy_sku": str(ctx["products"].loc[ctx["products"]["subcategory"] == DECOY_SUBCATEGORY, "sku"].iloc[0]),
            "decoy_item": DECOY_SUBCATEGORY,
            "decoy_rate": scenario.basket_decoy_rate,
            "time_of_day": {"hours": list(EVENING_HOURS), "channels": ["web", "app"],
                            "boosted_categories": ["phone", "accessory"],
                            "log_odds_boost": scenario.basket_evening_boost},
        },
        "loyalty": {
            "att": rnd(att),
            "att_definition": "relative lift in purchase rate during the full-effect period after enrolment, "
                              "averaged over members alive at enrolment, weighted by their purchase rate",
            "att_by_segment": att_seg,
            "full_effect_days": scenario.loyalty_full_effect_days,
            "fade_end_days": scenario.loyalty_fade_end_days,
            "rollout": rollout,
            "breakage": rnd(sums["break_pts"] / sums["pts"]) if sums["pts"] else None,
            "points_rate": scenario.loyalty_points_rate,
            "points_expiry_days": scenario.loyalty_points_expiry_days,
            "tier_threshold": scenario.loyalty_tier_threshold,
            "bunching_share": scenario.loyalty_bunching_share,
            "n_topup_orders": int(sum(r["is_topup"].sum() for r in results)),
            "selection_log_odds_per_log_rate": scenario.loyalty_selection,
        },
        "service": {
            "delivery_promise_hours": 12,
            "installation_promise_hours": 24,
            "ac_peak_season": [f"{m:02d}-{d:02d}" for m, d in AC_PEAK_SEASON],
            "low_tiers": [4, 5],
            "p_late_delivery": scenario.p_late_delivery,
            "late_delivery_peak_rr": scenario.late_delivery_peak_rr,
            "late_delivery_low_tier_rr": scenario.late_delivery_low_tier_rr,
            "late_delivery_definition": "P(late | home delivery) = p_late_delivery * late_delivery_peak_rr ** "
                                        "(order placed in the AC peak season) * late_delivery_low_tier_rr ** "
                                        "(customer in a city tier 4-5); the channel plays no role",
            "p_failed_installation": scenario.p_failed_installation,
            "installation_peak_rr": scenario.installation_peak_rr,
            "failed_installation_definition": "P(failed | installation due) = p_failed_installation * "
                                              "installation_peak_rr ** (order placed in the AC peak season)",
            "complaint_given_failure": scenario.complaint_given_failure,
            "complaint_given_failure_definition": "P(complaint about an order | the order had at least one "
                                                  "service failure), the same for every customer and failure",
            "complaint_baseline": scenario.complaint_baseline,
            "complaint_resolved": scenario.complaint_resolved,
            "p_followup_given_resolved": scenario.p_followup,
            "hr_unresolved_complaint": scenario.hr_unresolved_complaint,
            "hr_resolved_complaint": 1.0,
            "hr_followup": scenario.hr_followup,
            "hazard_ratio_definition": "multipliers of the latent churn hazard from the event on: an unresolved "
                                       "complaint hr_unresolved_complaint, a resolved one 1.0, a follow-up call "
                                       "after a resolved complaint hr_followup",
        },
        "purchases": {
            "categories": list(CATEGORIES),
            "seasonal_peaks": ["chinese_new_year_run_up", "618", "double11", "double12", "national_day"],
        },
    }
    camp_up = np.where(elig, uplift, np.nan)
    tc = pd.DataFrame(
        {
            "customer_id": cust_ids,
            "segment": np.array(names)[seg],
            "purchase_rate": np.round(lam, 6),
            "churn_hazard": np.round(L("churn_hazard"), 6),
            "satisfaction": np.round(L("satisfaction"), 6),
            "premium": np.round(L("premium"), 6),
            "first_order_date": pd.Series(_ts(start, np.nan_to_num(first, posinf=0))).where(np.isfinite(first)).to_numpy(),
            "churned": np.isfinite(death),
            "churn_date": pd.Series(_ts(start, np.nan_to_num(death, posinf=0))).where(np.isfinite(death)).to_numpy(),
            "sleeping_dog_churned": O("sleeping_dog_churned"),
            "loyalty_effect": np.where(np.isfinite(enrol), eff, 0.0),
            "campaign_uplift": np.round(camp_up, 6),
            "campaign_response_treated": np.round(np.where(elig, R("p_treated"), np.nan), 6),
            "hazard_multiplier": np.round(O("hazard_multiplier"), 6),
        }
    )
    return truth, tc
