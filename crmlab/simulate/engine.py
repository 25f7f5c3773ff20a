"""Putting it together: one scenario -> all tables of the data contract + the truth.

Customers are simulated in chunks of ``scenario.chunk_size``
(:func:`simulate_chunk`); every chunk has its own random streams
(:func:`~crmlab.simulate._streams.rng_for`), so the result does not depend on
the number of processes or the order chunks run in. Global identifiers
(``order_id``, ``event_id``, ...) are assigned from the sort keys of all chunks,
in time order (:mod:`crmlab.simulate.assemble`); the truth is merged from
per-chunk sums (:mod:`crmlab.simulate.truth`). :func:`simulate_tables` does all
of it in one process (or a pool for the chunks); :mod:`crmlab.scale` runs the
same steps as tasks that each write their own part files.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import EVENT_TYPES, MAIN_CATEGORIES, N_PRICE_TIERS, price_tiers
from . import loyalty as _loy
from ._streams import rng_for
from .assemble import build_frames, chunk_keys, chunk_rows, concat_rows, global_ranks, local_ranks, rerank
from .calendar import SeasonClock, daily_season
from .catalog import INSTALL_CATEGORIES, simulate_products
from .customers import simulate_customers
from .items import simulate_items, tier_probabilities, upsell_pair_sums
from .pii import load_cities
from .purchases import simulate_purchases
from .stores import simulate_stores
from .survey import simulate_survey
from .wallet import simulate_wallet, wallet_sums
from .truth import merge_truth, truth_customers_frame, truth_partial

__all__ = ["simulate_tables", "TABLES", "global_context", "simulate_chunk", "chunk_product", "n_chunks",
           "static_tables", "build_tables"]

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


def global_context(scenario: Scenario) -> dict[str, Any]:
    """What every chunk shares: cities, stores, products, the season curve, the loyalty rollout."""
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


def simulate_chunk(scenario: Scenario, chunk: int, ctx: dict[str, Any]) -> dict[str, Any]:
    """Simulate the customers of chunk ``chunk`` (global indices from ``chunk * chunk_size``).

    Returns the chunk's arrays (orders, items, ledger, survey, latent traits,
    ...) with local customer and order indices; :mod:`crmlab.simulate.assemble`
    turns them into rows of the tables, :mod:`crmlab.simulate.truth` into the
    chunk's share of the truth.
    """
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
    # members enrol only while alive: an enrolment drawn after the latent churn day does not happen
    lt.enrol_day = _loy.enrol_while_alive(lt.enrol_day, outcome.death_day)
    cust_df["is_member"] = np.isfinite(lt.enrol_day)

    # items of the process's orders -> order values -> bunching top-ups
    item_rng = rng_for(seed, "items", chunk)
    beta = scenario.upsell_log_odds_per_year
    shift_of = lambda cust, t: beta * np.maximum(t - lt.signup_day[cust], 0.0) / 365.25  # noqa: E731
    items = simulate_items(scenario, item_rng, products, od, lt.premium[od["cust"]], ctx["season"],
                           tier_shift=shift_of(od["cust"], od["t"]))
    tier_prob = tier_probabilities(products, od["category"], lt.premium[od["cust"]], shift_of(od["cust"], od["t"]))
    value = _order_values(items, len(od["cust"]))
    loy_rng = rng_for(seed, "loyalty", chunk)
    top = _loy.plan_topups(scenario, loy_rng, products, n, lt.enrol_day, outcome.death_day, od, value)
    k = len(top["cust"])
    if k:
        cat_codes = {c: i for i, c in enumerate(MAIN_CATEGORIES)}
        top_cat = pd.Series(products["category"].to_numpy()[top["forced_sku"]]).map(cat_codes).to_numpy(np.int8)
        top_orders = dict(category=top_cat, t=top["t"], coupon=np.zeros(k, bool))
        titems = simulate_items(scenario, item_rng, products, top_orders, lt.premium[top["cust"]], ctx["season"],
                                forced_sku=top["forced_sku"], tier_shift=shift_of(top["cust"], top["t"]))
        # a top-up's item is chosen for its price, not drawn: its tier is certain
        ttier = price_tiers(products).fillna(0).to_numpy(np.int64)[top["forced_sku"]]
        tier_prob = np.vstack([tier_prob, (ttier[:, None] == np.arange(1, N_PRICE_TIERS + 1)[None, :]).astype(float)])
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
    upsell = upsell_pair_sums(od["cust"], od["category"], od["t"], od["status"] == 0, tier_prob)

    tier, qual, evald = _loy.assign_tiers(scenario, n, lt.enrol_day, od, value)
    camp_on = outcome.campaign_eligible & lt.treated & ~outcome.sleeping_dog_churned
    loy_truth = _loy.effect_truth(
        scenario, ctx["season"], rate=lt.purchase_rate, effect=lt.loyalty_effect, enrol_day=lt.enrol_day,
        death_day=outcome.death_day, launch_day=ctx["launch"][lt.city_index], last_launch_day=float(ctx["launch"].max()),
        campaign_multiplier=np.where(camp_on, lt.campaign_multiplier, 1.0), order_cust=od["cust"], order_t=od["t"],
        order_completed=od["status"] == 0, topup=is_topup)
    loy_truth["bunch"] = np.array(_loy.bunching_truth(scenario, qual, evald, od["cust"], od["t"], value, is_topup))
    ledger, exp_break, pts_total = _loy.simulate_ledger(scenario, loy_rng, lt.enrol_day, lt.redemption_breakage,
                                                        od, value)

    # survey
    unresolved = (od["ev_type"] == EVENT_TYPES.index("complaint")) & (od["ev_resolved"] == 0)
    survey, nps_sum = simulate_survey(
        scenario, rng_for(seed, "survey", chunk), first_order_day=lt.first_order_day,
        satisfaction=lt.satisfaction, ev_cust=od["cust"][od["ev_order"]], ev_type=od["ev_type"],
        ev_t=od["ev_t"], ev_unresolved=unresolved,
    )
    # share of wallet and stores visited: their own stream, drawn for every customer (other columns unchanged)
    wal = simulate_wallet(scenario, rng_for(seed, "wallet", chunk), segment=lt.segment, satisfaction=lt.satisfaction)
    survey["wallet_share"] = wal["wallet_share"][survey["cust"]]
    survey["stores_visited"] = wal["stores_visited"][survey["cust"]]
    wsums = wallet_sums(scenario, wal["mean"], np.isfinite(lt.first_order_day), survey["cust"],
                        survey["overall_satisfaction"], survey["recommend"])

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
    return dict(
        n=n, offset=offset, customers=cust_df, latent=lt, outcome=outcome, orders=od, items=items, value=value,
        is_topup=is_topup, tier=tier, qual=qual, evald=evald, ledger=ledger, survey=survey,
        eligible=eligible, responded=responded, uplift=uplift, p_treated=p_treated, churned=churned,
        sums=dict(cat_prob=cat_prob, nps=nps_sum, n_resp=len(survey["cust"]), break_pts=exp_break,
                  pts=pts_total, upsell=upsell, **{f"wallet_{k}": v for k, v in wsums.items()}, **{f"loy_{k}": v for k, v in loy_truth.items()}),
    )


def _order_values(items: dict[str, np.ndarray], n_orders: int) -> np.ndarray:
    v = items["quantity"] * items["unit_price"] - items["discount"]
    return np.bincount(items["order"], weights=v, minlength=n_orders)


def n_chunks(scenario: Scenario) -> int:
    """Number of customer chunks of a scenario (``ceil(n_customers / chunk_size)``)."""
    return -(-scenario.n_customers // scenario.chunk_size)


def static_tables(ctx: dict[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables that do not depend on the customers: ``stores`` and ``products``."""
    return dict(stores=ctx["stores"], products=ctx["products"].drop(columns=["popularity"]))


def chunk_product(scenario: Scenario, chunk: int, ctx: dict[str, Any]) -> dict[str, Any]:
    """Simulate chunk ``chunk`` and keep only what assembling the tables needs.

    Runs where the chunk is simulated (this process or a worker), so that
    only compact arrays travel back: ``n``, the sort ``keys``
    (:func:`~crmlab.simulate.assemble.chunk_keys`), the truth ``partial``
    (:func:`~crmlab.simulate.truth.truth_partial`), the ``customers`` rows,
    the ``latent`` traits (``truth_customers`` rows) and the chunk's other
    ``rows`` numbered locally (:func:`~crmlab.simulate.assemble.local_ranks`;
    :func:`~crmlab.simulate.assemble.rerank` puts the global numbers in).
    """
    r = simulate_chunk(scenario, chunk, ctx)
    keys = chunk_keys(r)
    return dict(n=int(r["n"]), keys=keys, partial=truth_partial(scenario, r), customers=r["customers"],
                latent=truth_customers_frame(scenario, r), rows=chunk_rows(r, local_ranks(keys)))


#: Tables of :func:`~crmlab.simulate.assemble.build_frames`, most expensive first (for the threads).
_BUILD_ORDER = ("order_items", "orders", "points_ledger", "service_events", "campaigns", "survey", "loyalty")


def build_tables(scenario: Scenario, ctx: dict[str, Any], rows: dict[str, dict[str, np.ndarray]], *,
                 threads: int = 2, finish: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None,
                 ) -> dict[str, pd.DataFrame]:
    """:func:`~crmlab.simulate.assemble.build_frames`, one table per task on ``threads`` threads.

    Most of the work (sorting, gathering, formatting identifiers, Arrow
    kernels) releases the GIL, so two threads use two cores. ``finish(name,
    frame)``, if given, runs on each table in its thread (e.g. contract dtypes).
    The frames are the same as from ``build_frames``.
    """
    def one(name: str) -> pd.DataFrame:
        frame = build_frames(scenario, ctx, {name: rows[name]})[name]
        return finish(name, frame) if finish is not None else frame

    names = [n for n in _BUILD_ORDER if n in rows]
    if threads <= 1:
        return {n: one(n) for n in names}
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=threads) as ex:
        return dict(zip(names, ex.map(one, names)))


def simulate_tables(
    scenario: Scenario,
    *,
    n_jobs: int = 1,
    progress: Progress | None = None,
    threads: int = 2,
    finish: Callable[[str, pd.DataFrame], pd.DataFrame] | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any], pd.DataFrame]:
    """Simulate every table of the data contract.

    Parameters
    ----------
    scenario : Scenario
    n_jobs : int
        Processes for the customer chunks (results are identical for any value).
    progress : callable, optional
        Called with the number of customers finished after each chunk.
    threads : int, default 2
        Threads that build the tables from the chunks' rows (:func:`build_tables`).
    finish : callable, optional
        ``finish(name, frame) -> frame``, applied to every table as soon as it
        is built (in the building thread).

    Returns
    -------
    tables : dict of DataFrames (keys :data:`TABLES`)
    truth : dict (the content of ``truth.json``)
    truth_customers : DataFrame (latent traits per customer)

    Examples
    --------
    >>> from crmlab.config import get_scenario
    >>> tables, truth, latent = simulate_tables(get_scenario("tiny", seed=1, n_customers=200))
    >>> list(tables) == list(TABLES), len(tables["customers"]), len(latent)
    (True, 200, 200)
    """
    ctx = global_context(scenario)
    k = n_chunks(scenario)
    products: list[dict[str, Any] | None] = []
    if n_jobs > 1 and k > 1:
        with ProcessPoolExecutor(max_workers=min(n_jobs, k)) as ex:
            futs = [ex.submit(chunk_product, scenario, c, ctx) for c in range(k)]
            for f in futs:
                products.append(f.result())
                if progress:
                    progress(products[-1]["n"])  # type: ignore[index]
    else:
        for c in range(k):
            products.append(chunk_product(scenario, c, ctx))
            if progress:
                progress(products[-1]["n"])  # type: ignore[index]
    ranks = global_ranks([p["keys"] for p in products])  # type: ignore[index]
    partials, customers, latent, rows = [], [], [], []
    for c in range(k):  # consume the chunk products one by one (memory)
        p = products[c]
        products[c] = None
        partials.append(p["partial"])  # type: ignore[index]
        customers.append(p["customers"])  # type: ignore[index]
        latent.append(p["latent"])  # type: ignore[index]
        rows.append(rerank(p["rows"], ranks[c]))  # type: ignore[index]
        del p
    del ranks
    merged = concat_rows(rows)
    del rows
    custs = pd.concat(customers, ignore_index=True)
    del customers
    tables = dict(customers=finish("customers", custs) if finish else custs)
    del custs
    tables.update({name: finish(name, df) if finish else df for name, df in static_tables(ctx).items()})
    tables.update(build_tables(scenario, ctx, merged, threads=threads, finish=finish))
    del merged
    tables = {name: tables[name] for name in TABLES}
    truth = merge_truth(scenario, ctx, partials)
    return tables, truth, pd.concat(latent, ignore_index=True)
