"""The planted truth: per-chunk partial results, merged into ``truth.json``.

Every number of the truth that depends on the customers is a ratio of sums
(a rate, a mean, a weighted mean) or a count. Each chunk contributes its
sums and counts (:func:`truth_partial`, small and picklable); the truth is
merged from them in chunk order (:func:`merge_truth`). One process and a
cluster do exactly the same arithmetic, so the truth is identical for the same
seed and chunk size however the chunks ran. :func:`truth_customers_frame`
gives the latent traits of one chunk's customers (``truth_customers``).

Examples
--------
>>> from crmlab.config import get_scenario
>>> from crmlab.simulate.engine import global_context, simulate_chunk
>>> sc = get_scenario("tiny", seed=1, n_customers=300, chunk_size=150)
>>> ctx = global_context(sc)
>>> parts = [truth_partial(sc, simulate_chunk(sc, k, ctx)) for k in range(2)]
>>> truth = merge_truth(sc, ctx, parts)
>>> truth["campaign"]["n_targeted"] == sum(p["elig_n"] for p in parts)
True
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import AC_PEAK_SEASON, CATEGORIES, COUNTED_STATUSES, ORDER_STATUSES
from ._text import decode, format_ids
from .assemble import timestamps
from .catalog import DECOY_SUBCATEGORY
from .items import rule_truth
from . import loyalty as _loy
from .purchases import EVENING_HOURS
from .survey import DIMENSIONS, ITEMS, relative_weight_shares

__all__ = ["truth_partial", "merge_truth", "truth_customers_frame", "LAPSE_DAYS", "lapsed_alive"]

#: A customer is "lapsed" when the last counted order is at least this many days before ``as_of``.
LAPSE_DAYS = 365


def lapsed_alive(scenario: Scenario, order_cust: np.ndarray, order_t: np.ndarray, order_status: np.ndarray,
                 death_day: np.ndarray, n: int) -> tuple[int, int]:
    """Lapsed customers of one chunk and how many of them are still latently alive at ``as_of``.

    ``as_of`` is the scenario's ``end`` date (day ``n_days - 1``). A customer is
    lapsed when they have at least one counted order
    (:data:`crmlab.domain.COUNTED_STATUSES`, the rule of
    :func:`crmlab.domain.counted_orders`) and the calendar date of the last one
    is at least :data:`LAPSE_DAYS` days before ``as_of``; alive means the latent
    lifetime has not ended by the end of the window.

    Returns
    -------
    (lapsed, lapsed_alive) : tuple of int

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> sc = get_scenario("tiny")  # 2024-01-01 .. 2025-06-30: as_of is day 546
    >>> lapsed_alive(sc, np.array([0, 1, 1, 2]), np.array([10.2, 50.0, 400.0, 181.9]), np.array([0, 0, 0, 0]),
    ...              np.array([np.inf, np.inf, 30.0]), 3)
    (2, 1)
    """
    counted = np.isin(order_status, [ORDER_STATUSES.index(s) for s in COUNTED_STATUSES])
    last = np.full(n, -np.inf)
    np.maximum.at(last, np.asarray(order_cust, np.int64)[counted], np.floor(np.asarray(order_t, float)[counted]))
    as_of = scenario.n_days - 1
    lapsed = np.isfinite(last) & (as_of - last >= LAPSE_DAYS)
    alive = ~np.isfinite(death_day)
    return int(lapsed.sum()), int((lapsed & alive).sum())


def truth_partial(scenario: Scenario, result: Mapping[str, Any]) -> dict[str, Any]:
    """Sums and counts of one chunk from which :func:`merge_truth` builds the truth."""
    lt, oc = result["latent"], result["outcome"]
    seg = lt.segment
    n_seg = len(scenario.segments)
    first, death = lt.first_order_day, oc.death_day
    base = np.isfinite(first) & (first < scenario.n_days - scenario.churn_window_days)
    elig, uplift = result["eligible"], result["uplift"]
    od = result["orders"]
    lapsed_n, lapsed_alive_n = lapsed_alive(scenario, od["cust"], od["t"], od["status"], death, int(result["n"]))
    eff = lt.loyalty_effect
    first_eff = []
    for k in range(n_seg):
        hit = np.flatnonzero(seg == k)
        first_eff.append(float(eff[hit[0]]) if len(hit) else None)
    return dict(
        n=int(result["n"]),
        seg_n=[int((seg == k).sum()) for k in range(n_seg)],
        churn_base=int(base.sum()),
        churn_churned=int(np.isfinite(death[base]).sum()),
        elig_n=int(elig.sum()),
        uplift_sum=float(uplift[elig].sum()),
        seg_elig_n=[int((elig & (seg == k)).sum()) for k in range(n_seg)],
        seg_uplift_sum=[float(uplift[elig & (seg == k)].sum()) for k in range(n_seg)],
        seg_first_effect=first_eff,
        n_topup=int(result["is_topup"].sum()),
        lapsed_n=lapsed_n,
        lapsed_alive_n=lapsed_alive_n,
        survey_latent=(np.asarray(result["survey"]["latent_satisfaction"]),
                       np.asarray(result["survey"]["latent_shift"])),
        sums=dict(result["sums"]),
    )


def _rnd(x: float | None, k: int = 6) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), k)


def _ratio(num: float, den: float) -> float:
    return num / den if den else float("nan")


def merge_truth(scenario: Scenario, ctx: Mapping[str, Any], partials: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The content of ``truth.json`` from the partial results of every chunk, in chunk order."""
    start = scenario.start_date
    names = scenario.segment_names
    segs = {s.name: s for s in scenario.segments}

    def total(key: str):
        return sum(p[key] for p in partials)

    def per_seg(key: str) -> list:
        return [sum(p[key][k] for p in partials) for k in range(len(names))]

    n = total("n")
    sums = {k: sum(p["sums"][k] for p in partials) for k in partials[0]["sums"]}
    churn_base = total("churn_base")
    churn_rate = total("churn_churned") / churn_base if churn_base else float("nan")
    elig_n = total("elig_n")
    ate = _ratio(total("uplift_sum"), elig_n)
    seg_elig, seg_up = per_seg("seg_elig_n"), per_seg("seg_uplift_sum")
    by_seg = {nm: _rnd(seg_up[k] / seg_elig[k]) if seg_elig[k] else None for k, nm in enumerate(names)}
    # loyalty: the estimands of the lesson's estimators (sums from simulate.loyalty.effect_truth)
    att = _ratio(sums["loy_did_num"], sums["loy_did_den"])
    by_month = dict(zip(range(_loy.EVENT_MONTHS[0], _loy.EVENT_MONTHS[1] + 1),
                        (_ratio(a, b) for a, b in zip(sums["loy_es_num"], sums["loy_es_den"]))))
    (e0, e1), (l0, l1) = _loy.FADE_MONTHS
    fade = float(np.mean([by_month[k] for k in range(e0, e1 + 1)]) - np.mean([by_month[k] for k in range(l0, l1 + 1)]))
    itt = _ratio(sums["loy_itt_num"], sums["loy_itt_den"])
    per_member = _ratio(sums["loy_itt_num"], sums["loy_itt_den_member"])
    first_eff = [next((p["seg_first_effect"][k] for p in partials if p["seg_first_effect"][k] is not None), None)
                 for k in range(len(names))]
    att_seg = {nm: _rnd(first_eff[k]) for k, nm in enumerate(names)}
    seg_n = per_seg("seg_n")
    launch, cities = ctx["launch"], ctx["cities"]
    rollout = {c: str(start + dt.timedelta(days=int(d))) for c, d in zip(cities["city"], launch)}
    products = ctx["products"]
    sent = start + dt.timedelta(days=scenario.campaign_day)
    hr = dict(
        price_change_cancel=scenario.hr_price_change_cancel,
        failed_delivery=scenario.hr_failed_delivery,
        failed_installation=scenario.hr_failed_installation,
        unresolved_complaint=scenario.hr_unresolved_complaint,
        expired_coupon=scenario.hr_expired_coupon,
        late_delivery=scenario.hr_late_delivery,
    )
    return {
        "crmlab_truth_version": 1,
        "scenario": scenario.to_dict(),
        "survey": {
            "nps": _rnd(sums["nps"] / max(sums["n_resp"], 1), 3),
            "driver_weights": {d: _rnd(w_ / sum(scenario.driver_weights), 4)
                               for d, w_ in zip(DIMENSIONS, scenario.driver_weights)},
            "driver_weights_definition": "structural weights of the latent dimensions in overall satisfaction "
                                         "(normalised to sum to 1)",
            "relative_weight_shares": relative_weight_shares(
                scenario, np.concatenate([p["survey_latent"][0] for p in partials]),
                np.concatenate([p["survey_latent"][1] for p in partials])),
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
            "window_days": scenario.churn_window_days,
            "rate": _rnd(churn_rate),
            "rate_definition": "share of customers with a first order at least window_days before the end "
                               "whose latent lifetime ended inside the window",
            "hazard_ratios": hr,
            "satisfaction_log_hazard_per_sd": scenario.satisfaction_churn_effect,
            "base_hazard_per_year": {s.name: s.churn_hazard for s in scenario.segments},
        },
        "campaign": {
            "campaign_id": f"RET-{sent:%Y-%m}",
            "sent_date": str(sent),
            "response_window_days": scenario.campaign_window_days,
            "ate": _rnd(ate),
            "ate_definition": "mean over targeted customers of P(order in window | offer) - P(order in window | no offer)",
            "uplift_by_segment": by_seg,
            "sleeping_dog_segments": [s.name for s in scenario.segments if s.sleeping_dog_risk > 0],
            "n_targeted": int(elig_n),
        },
        "segments": {
            "n": len(names),
            "names": names,
            "shares": {nm: _rnd(seg_n[k] / n, 4) for k, nm in enumerate(names)},
            "purchase_rate_per_year": {nm: segs[nm].purchase_rate for nm in names},
            "premium": {nm: segs[nm].premium for nm in names},
        },
        "basket": {
            "item_level": "products.subcategory",
            "rules": rule_truth(scenario, sums["cat_prob"]),
            "decoy_sku": str(products.loc[products["subcategory"] == DECOY_SUBCATEGORY, "sku"].iloc[0]),
            "decoy_item": DECOY_SUBCATEGORY,
            "decoy_rate": scenario.basket_decoy_rate,
            "time_of_day": {"hours": list(EVENING_HOURS), "channels": ["web", "app"],
                            "boosted_categories": ["phone", "accessory"],
                            "log_odds_boost": scenario.basket_evening_boost},
        },
        "loyalty": {
            "att": _rnd(att),
            "att_definition": "relative lift in expected orders of members in months 1-5 after their enrolment "
                              "month (members with a panel month before enrolment), weighted by expected "
                              "untreated orders on the days they are alive: the imputation DiD's estimand",
            "att_months": list(_loy.DID_MONTHS),
            "att_by_event_month": [_rnd(v) for v in by_month.values()],
            "att_event_months": list(_loy.EVENT_MONTHS),
            "fade_early_minus_late": _rnd(fade),
            "fade_months": [list(_loy.FADE_MONTHS[0]), list(_loy.FADE_MONTHS[1])],
            "fade_definition": "mean of att_by_event_month over months 1-5 (full effect) minus its mean over "
                               "months 6-9 (fading)",
            "launch_itt": _rnd(itt),
            "launch_effect_per_member": _rnd(per_member),
            "launch_months": list(_loy.LAUNCH_MONTHS),
            "launch_definition": "launch_itt: relative lift in expected orders of the customers who bought before "
                                 "their city's launch month, in months 0-6 after it and before the last city's "
                                 "launch month; launch_effect_per_member: the same extra orders divided by the "
                                 "expected untreated orders of the months in which they are enrolled",
            "bunching_excess": _rnd(float(sums["loy_bunch"]), 1),
            "bunching_definition": "members in [1, 1.1) x the gold threshold at the last tier evaluation minus "
                                   "those who would be there without their top-up orders: the bunching "
                                   "estimator's excess mass above the threshold",
            "att_by_segment": att_seg,
            "full_effect_days": scenario.loyalty_full_effect_days,
            "fade_end_days": scenario.loyalty_fade_end_days,
            "rollout": rollout,
            "breakage": _rnd(sums["break_pts"] / sums["pts"]) if sums["pts"] else None,
            "points_rate": scenario.loyalty_points_rate,
            "points_expiry_days": scenario.loyalty_points_expiry_days,
            "tier_threshold": scenario.loyalty_tier_threshold,
            "bunching_share": scenario.loyalty_bunching_share,
            "n_topup_orders": int(total("n_topup")),
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
        "lifecycle": _lifecycle_truth(scenario, partials, sums),
        "purchases": {
            "categories": list(CATEGORIES),
            "seasonal_peaks": ["chinese_new_year_run_up", "618", "double11", "double12", "national_day"],
        },
    }


def _lifecycle_truth(scenario: Scenario, partials: Sequence[Mapping[str, Any]],
                     sums: Mapping[str, Any]) -> dict[str, Any]:
    """``truth["lifecycle"]``: win-back (lapsed customers still alive), up-sell, share of wallet."""
    pairs, up, same, down = (float(x) for x in sums["upsell"])
    lapsed = sum(p["lapsed_n"] for p in partials)
    alive = sum(p["lapsed_alive_n"] for p in partials)
    return {
        "lapse_days": LAPSE_DAYS,
        "lapsed_n": int(lapsed),
        "lapsed_alive_share": _rnd(_ratio(alive, lapsed)),
        "lapsed_definition": f"customers with at least one counted order whose last counted order is at least "
                             f"{LAPSE_DAYS} days before as_of (the end date {scenario.end}); lapsed_alive_share: "
                             f"the share of them whose latent lifetime has not ended at as_of (still alive, so "
                             f"a win-back offer can reach them)",
        "upsell_log_odds_per_year": scenario.upsell_log_odds_per_year,
        "upsell_definition": "structural: per year since signup, the log-odds of each next price tier (1-3 of "
                             "crmlab.domain.price_tiers, tiered categories) of an order's main item rise by this much "
                             "(adjacent-category logit shift on top of the customer's price preference). It is also "
                             "the estimand of the conditional (pairwise) logit of upsell_drift: for two purchases of "
                             "one customer in one category dt years apart in different tiers, P(the later one is "
                             "higher) = logistic(upsell_log_odds_per_year * dt * |tier difference|)",
        "tier_pairs_n": int(pairs),
        "tier_move_shares": {"up": _rnd(_ratio(up, pairs)), "same": _rnd(_ratio(same, pairs)),
                             "down": _rnd(_ratio(down, pairs))},
        "tier_move_definition": "pairs of consecutive counted orders of one customer whose main items are in the "
                                "same tiered category; expected share of pairs moving up / staying / moving down a "
                                "price tier, from the latent tier-choice probabilities (the estimand of tier_moves)",
        **_wallet_truth(scenario, sums),
    }


def _wallet_truth(scenario: Scenario, sums: Mapping[str, Any]) -> dict[str, Any]:
    """Share-of-wallet keys of ``truth["lifecycle"]`` from the chunks' sums (simulate.wallet.wallet_sums)."""
    pop, resp = sums["wallet_pop"], sums["wallet_resp"]
    nps, sat = sums["wallet_nps"], sums["wallet_sat"]
    n, sy, p3, sx, sxx, sxy = (float(v) for v in resp)
    var_x = sxx / n - (sx / n) ** 2 if n else float("nan")
    slope = (sxy / n - sx / n * sy / n) / var_x if n and var_x > 0 else float("nan")
    mean_of = lambda g: _ratio(float(g[1]), float(g[0]))  # noqa: E731
    return {
        "wallet_share_mean": {"population": _rnd(_ratio(pop[1], pop[0]), 4),
                              "respondents": _rnd(_ratio(sy, n), 4)},
        "wallet_share_definition": "expected stated share of wallet (0-100, answers rounded to tens) given each "
                                   "customer's latent mean share, averaged over the customers with an order "
                                   "(population) or the survey respondents (the estimand of the mean stated share)",
        "wallet_share_log_odds_per_sat_sd": scenario.wallet_share_log_odds_per_sat_sd,
        "wallet_share_log_odds_per_log_rate": scenario.wallet_share_log_odds_per_log_rate,
        "wallet_share_base_log_odds": scenario.wallet_share_base_log_odds,
        "wallet_share_precision": scenario.wallet_share_precision,
        "wallet_share_structural_definition": "latent share ~ Beta(m * precision, (1 - m) * precision), logit(m) = "
                                              "base + per_log_rate * log(segment purchase_rate / 1.5) + "
                                              "per_sat_sd * latent satisfaction (sd 1); stated = 10 * round(10 * "
                                              "share)",
        "wallet_share_slope_per_satisfaction_point": _rnd(slope, 4),
        "wallet_share_slope_definition": "least-squares slope of the expected stated share on the answered overall "
                                         "satisfaction (1-5) over the respondents: the estimand of the regression "
                                         "of the stated share on overall satisfaction",
        "wallet_share_by_nps_group": {g: _rnd(mean_of(nps[k]), 4)
                                      for k, g in enumerate(("detractor", "passive", "promoter"))},
        "wallet_share_promoter_minus_detractor": _rnd(mean_of(nps[2]) - mean_of(nps[0]), 4),
        "wallet_share_by_satisfaction": {"1-3": _rnd(mean_of(sat[0]), 4), "4-5": _rnd(mean_of(sat[1]), 4)},
        "wallet_share_satisfied_minus_not": _rnd(mean_of(sat[1]) - mean_of(sat[0]), 4),
        "wallet_share_group_definition": "mean expected stated share of the respondents in each group of their "
                                         "answers (recommend 0-6 / 7-8 / 9-10; overall satisfaction 1-3 / 4-5)",
        "stores_visited_rate": scenario.stores_visited_rate,
        "stores_3plus_share": {"population": _rnd(_ratio(pop[2], pop[0]), 4), "respondents": _rnd(_ratio(p3, n), 4)},
        "stores_3plus_definition": "expected share visiting 3 or more different 3C retailers in the last month "
                                   "(stores_visited >= 3), the latent share integrated out, over the customers with "
                                   "an order (population) or the respondents",
    }


def truth_customers_frame(scenario: Scenario, result: Mapping[str, Any]) -> pd.DataFrame:
    """Latent traits of one chunk's customers (the rows of ``truth_customers``)."""
    start = scenario.start_date
    lt, oc = result["latent"], result["outcome"]
    elig = result["eligible"]
    enrol = lt.enrol_day
    return pd.DataFrame(
        {
            "customer_id": format_ids("C", np.asarray(lt.index, np.int64) + 1, 7),
            "segment": decode(scenario.segment_names, lt.segment),
            "purchase_rate": np.round(lt.purchase_rate, 6),
            "churn_hazard": np.round(lt.churn_hazard, 6),
            "satisfaction": np.round(lt.satisfaction, 6),
            "premium": np.round(lt.premium, 6),
            "first_order_date": timestamps(start, lt.first_order_day),
            "churned": np.isfinite(oc.death_day),
            "churn_date": timestamps(start, oc.death_day),
            "sleeping_dog_churned": oc.sleeping_dog_churned,
            "loyalty_effect": np.where(np.isfinite(enrol), lt.loyalty_effect, 0.0),
            "campaign_uplift": np.round(np.where(elig, result["uplift"], np.nan), 6),
            "campaign_response_treated": np.round(np.where(elig, result["p_treated"], np.nan), 6),
            "hazard_multiplier": np.round(oc.hazard_multiplier, 6),
        }
    )
