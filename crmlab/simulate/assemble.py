"""From simulated chunks to the tables of the data contract.

Customers are simulated in chunks (:func:`crmlab.simulate.engine.simulate_chunk`).
Most columns of a table depend on one chunk only; the global identifiers do
not: ``order_id``, ``event_id`` and ``response_id`` number the rows of the
whole dataset in time order. Assembly therefore has three steps, the same for
one process and for a cluster:

1. :func:`chunk_keys` - the few sort keys of a chunk (time in seconds, customer,
   event type), small enough to gather from every chunk;
2. :func:`global_ranks` - the position of every order, event and survey
   response in the whole dataset, from the keys of all chunks;
3. :func:`chunk_rows` then :func:`build_frames` - the chunk's rows with their
   global ranks, turned into DataFrames sorted in the table's order.

In one process, the rows of all chunks are concatenated (:func:`concat_rows`)
before step 3, giving the whole tables; on a cluster each chunk builds and
writes its own part of every table. Both give the same rows.

Examples
--------
>>> from crmlab.config import get_scenario
>>> from crmlab.simulate.engine import global_context, simulate_chunk
>>> sc = get_scenario("tiny", seed=1, n_customers=300, chunk_size=150)
>>> ctx = global_context(sc)
>>> chunks = [simulate_chunk(sc, k, ctx) for k in range(2)]
>>> ranks = global_ranks([chunk_keys(c) for c in chunks])
>>> part = build_frames(sc, ctx, chunk_rows(chunks[1], ranks[1]))
>>> part["orders"]["order_id"].is_monotonic_increasing
True
>>> whole = build_frames(sc, ctx, concat_rows([chunk_rows(c, r) for c, r in zip(chunks, ranks)]))
>>> whole["orders"]["order_id"].iloc[0]
'O00000001'
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import CHANNELS, EVENT_TYPES, PAYMENTS, TIERS
from ..domain import ORDER_STATUSES as STATUS
from ._text import decode, format_ids
from .survey import ITEMS

__all__ = ["chunk_keys", "global_ranks", "chunk_rows", "concat_rows", "build_frames", "timestamps",
           "LEDGER_KINDS", "local_ranks", "rerank", "lex_order", "rank_order"]

#: Codes of ``points_ledger.kind``.
LEDGER_KINDS = ("earn", "redeem", "expire")

Rows = dict[str, dict[str, np.ndarray]]


def timestamps(start: dt.date, days: np.ndarray) -> np.ndarray:
    """Days since ``start`` (float) -> ``datetime64[s]``; non-finite days become NaT.

    Examples
    --------
    >>> import datetime as dt, numpy as np
    >>> timestamps(dt.date(2024, 1, 1), np.array([0.5, np.inf])).tolist()
    [datetime.datetime(2024, 1, 1, 12, 0), None]
    """
    days = np.asarray(days, float)
    finite = np.isfinite(days)
    secs = np.floor(np.where(finite, days, 0.0) * 86400).astype(np.int64)
    out = np.datetime64(start, "s") + secs.astype("timedelta64[s]")
    if not finite.all():
        out[~finite] = np.datetime64("NaT")
    return out


def _sec(t: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(t, float) * 86400).astype(np.int64)


def chunk_keys(result: Mapping[str, Any]) -> dict[str, Any]:
    """The sort keys of one simulated chunk (a few small arrays).

    Returns
    -------
    dict
        ``offset`` (first global customer index), and for orders ``order_cust``
        (local customer) and ``order_sec`` (whole seconds since the start);
        for service events ``ev_order`` (local order), ``ev_sec``, ``ev_type``;
        for survey responses ``survey_cust``, ``survey_sec``.
    """
    od, sv = result["orders"], result["survey"]
    return dict(
        offset=int(result["offset"]),
        order_cust=np.asarray(od["cust"], np.int64), order_sec=_sec(od["t"]),
        ev_order=np.asarray(od["ev_order"], np.int64), ev_sec=_sec(od["ev_t"]), ev_type=np.asarray(od["ev_type"]),
        survey_cust=np.asarray(sv["cust"], np.int64), survey_sec=_sec(sv["t"]),
    )


def global_ranks(keys: Sequence[Mapping[str, Any]]) -> list[dict[str, np.ndarray]]:
    """Global 0-based ranks of the orders, events and responses of every chunk.

    Orders are numbered by (second, customer, position), service events by
    (second, order, event type, position) and survey responses by (second,
    customer, position): the identifiers count rows in time order over the
    whole dataset. ``keys`` must be in chunk order.

    Returns
    -------
    list of dict
        One per chunk: ``order``, ``event`` and ``survey`` rank arrays, aligned
        with the chunk's rows.
    """
    def cat(name: str, dtype=np.int64) -> np.ndarray:
        arrs = [np.asarray(k[name]) for k in keys]
        return np.concatenate(arrs).astype(dtype, copy=False) if arrs else np.zeros(0, dtype)

    n_ord = [len(k["order_sec"]) for k in keys]
    o_off = np.cumsum([0, *n_ord])
    gcust = np.concatenate([np.asarray(k["order_cust"], np.int64) + k["offset"] for k in keys])
    rank = _inverse(lex_order([cat("order_sec"), gcust]))
    del gcust

    eo = np.concatenate([np.asarray(k["ev_order"], np.int64) + o_off[i] for i, k in enumerate(keys)])
    erank = _inverse(lex_order([cat("ev_sec"), rank[eo], cat("ev_type")]))
    del eo

    scust = np.concatenate([np.asarray(k["survey_cust"], np.int64) + k["offset"] for k in keys])
    srank = _inverse(lex_order([cat("survey_sec"), scust]))

    out = []
    e_off = np.cumsum([0, *[len(k["ev_sec"]) for k in keys]])
    s_off = np.cumsum([0, *[len(k["survey_sec"]) for k in keys]])
    for i in range(len(keys)):
        out.append(dict(order=rank[o_off[i]:o_off[i + 1]], event=erank[e_off[i]:e_off[i + 1]],
                        survey=srank[s_off[i]:s_off[i + 1]]))
    return out


def lex_order(keys: Sequence[np.ndarray]) -> np.ndarray:
    """The stable sort order of rows by several integer keys, the most significant first.

    The same permutation as ``np.lexsort(keys[::-1])`` (ties keep their
    order). When the keys are non-negative and their ranges multiply to less
    than 2**62, they are packed into one int64 and sorted once, which is
    faster and needs less memory than ``lexsort``'s sort per key.

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.array([2, 1, 2, 1, 0]), np.array([0, 5, 0, 3, 9])
    >>> lex_order([a, b]).tolist(), np.lexsort((b, a)).tolist()
    ([4, 3, 1, 0, 2], [4, 3, 1, 0, 2])
    """
    keys = [np.asarray(k, np.int64) for k in keys]
    if not len(keys[0]):
        return np.zeros(0, np.int64)
    if all(k.min() >= 0 for k in keys):
        radix = [int(k.max()) + 1 for k in keys]
        if np.prod([float(r) for r in radix]) < 2.0**62:
            packed = keys[0].copy()
            for k, r in zip(keys[1:], radix[1:]):
                packed *= r
                packed += k
            return np.argsort(packed, kind="stable")
    return np.lexsort(keys[::-1])


def rank_order(rank: np.ndarray) -> np.ndarray:
    """``np.argsort(rank, kind="stable")`` for distinct ranks; O(n) when they are exactly ``0 .. n-1``.

    In one process a table's rows carry every rank of the dataset (a
    permutation), whose sort order is its inverse; the rows of one chunk carry
    some of them and are sorted.

    Examples
    --------
    >>> import numpy as np
    >>> rank_order(np.array([2, 0, 1])).tolist(), rank_order(np.array([7, 3, 5])).tolist()
    ([1, 2, 0], [1, 2, 0])
    >>> rank_order(np.array([0, 2, 2])).tolist()  # not a permutation: sorted
    [0, 1, 2]
    """
    rank = np.asarray(rank, np.int64)
    n = len(rank)
    if n and rank.min() == 0 and rank.max() == n - 1:
        k = np.full(n, -1, np.int64)
        k[rank] = np.arange(n)
        if k.min() >= 0:  # every slot filled: a permutation (no rank twice)
            return k
    return np.argsort(rank, kind="stable")


def _inverse(perm: np.ndarray) -> np.ndarray:
    inv = np.empty(len(perm), np.int64)
    inv[perm] = np.arange(len(perm))
    return inv


def chunk_rows(result: Mapping[str, Any], ranks: Mapping[str, np.ndarray]) -> Rows:
    """The rows of one chunk, per table, as arrays with global customer indices and ranks.

    The tables ``orders, order_items, service_events, loyalty, points_ledger,
    campaigns, survey`` (customers are built by the chunk itself; stores and
    products are global).
    """
    off = int(result["offset"])
    od = result["orders"]
    rank = np.asarray(ranks["order"], np.int64)
    lt = result["latent"]
    it = result["items"]
    eo = od["ev_order"]
    lg = result["ledger"]
    balance = np.bincount(lg["cust"], weights=lg["points"], minlength=result["n"]).astype(np.int64)
    mem = np.flatnonzero(np.isfinite(lt.enrol_day))
    ce = np.flatnonzero(result["eligible"])
    sv = result["survey"]
    return dict(
        orders=dict(rank=rank, cust=od["cust"] + off, t=od["t"], channel=od["channel"], store=od["store"],
                    status=od["status"], payment=od["payment"], coupon=od["coupon"], value=result["value"],
                    delivered=od["delivered"], install=od["install"]),
        order_items=dict(order=rank[it["order"]], line_no=it["line_no"], sku_row=it["sku_row"],
                         quantity=it["quantity"], unit_price=it["unit_price"], discount=it["discount"]),
        service_events=dict(rank=np.asarray(ranks["event"], np.int64), cust=od["cust"][eo] + off, order=rank[eo],
                            t=od["ev_t"], type=od["ev_type"], resolved=od["ev_resolved"], value=od["ev_value"],
                            followup=od["ev_followup"]),
        loyalty=dict(cust=mem + off, enrol=lt.enrol_day[mem], tier=result["tier"][mem], balance=balance[mem],
                     qual=result["qual"][mem], evald=result["evald"][mem], city=lt.city_index[mem]),
        points_ledger=dict(cust=lg["cust"] + off, t=lg["t"], kind=lg["kind"], points=lg["points"],
                           order=rank[lg["order"]]),
        campaigns=dict(cust=ce + off, treated=lt.treated[ce], responded=result["responded"][ce]),
        survey=dict(rank=np.asarray(ranks["survey"], np.int64), gcust=sv["cust"] + off,
                    **{k: v for k, v in sv.items() if k != "cust"}),
    )


def local_ranks(keys: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Ranks that number a chunk's rows by their position in the chunk (``0, 1, 2, ...``).

    ``chunk_rows(result, local_ranks(chunk_keys(result)))`` gives the chunk's
    rows with local order, event and response numbers; :func:`rerank` later
    turns them into global ones. This lets a worker build and set aside a
    chunk's rows before the global ranks are known.
    """
    return dict(order=np.arange(len(keys["order_sec"]), dtype=np.int64),
                event=np.arange(len(keys["ev_sec"]), dtype=np.int64),
                survey=np.arange(len(keys["survey_sec"]), dtype=np.int64))


def rerank(rows: Rows, ranks: Mapping[str, np.ndarray]) -> Rows:
    """Rows built with :func:`local_ranks`, with the global ``ranks`` of :func:`global_ranks` put in.

    ``rerank(chunk_rows(r, local_ranks(chunk_keys(r))), ranks)`` equals
    ``chunk_rows(r, ranks)``, table by table and column by column.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> from crmlab.simulate.engine import global_context, simulate_chunk
    >>> sc = get_scenario("tiny", seed=1, n_customers=300, chunk_size=150)
    >>> ctx = global_context(sc)
    >>> chunks = [simulate_chunk(sc, k, ctx) for k in range(2)]
    >>> ranks = global_ranks([chunk_keys(c) for c in chunks])
    >>> late = rerank(chunk_rows(chunks[1], local_ranks(chunk_keys(chunks[1]))), ranks[1])
    >>> direct = chunk_rows(chunks[1], ranks[1])
    >>> all(np.array_equal(late[t][c], direct[t][c], equal_nan=late[t][c].dtype.kind == "f")
    ...     for t in direct for c in direct[t])
    True
    """
    order = np.asarray(ranks["order"], np.int64)
    out = {table: dict(cols) for table, cols in rows.items()}
    fixes = {("orders", "rank"): order, ("order_items", "order"): order,
             ("service_events", "rank"): np.asarray(ranks["event"], np.int64),
             ("service_events", "order"): order, ("points_ledger", "order"): order,
             ("survey", "rank"): np.asarray(ranks["survey"], np.int64)}
    for (table, col), rank in fixes.items():
        if table in out:
            out[table][col] = rank[np.asarray(out[table][col], np.int64)]
    return out


def concat_rows(parts: Sequence[Rows]) -> Rows:
    """Concatenate the rows of several chunks (in chunk order), table by table."""
    out: Rows = {}
    for table in parts[0]:
        cols = parts[0][table]
        out[table] = {c: np.concatenate([p[table][c] for p in parts]) for c in cols}
    return out


def build_frames(scenario: Scenario, ctx: Mapping[str, Any], rows: Rows) -> dict[str, pd.DataFrame]:
    """DataFrames of the tables in ``rows`` (see :func:`chunk_rows`), each sorted in its table's order.

    Orders, order lines, service events and survey responses are sorted by
    their global rank, loyalty members and campaign targets by customer, the
    points ledger by customer, time and kind. ``rows`` may hold any subset of
    the tables of :func:`chunk_rows`; only those are built.
    """
    start = scenario.start_date
    stores, products = ctx["stores"], ctx["products"]
    out: dict[str, pd.DataFrame] = {}

    if "orders" in rows:
        o = rows["orders"]
        k = rank_order(o["rank"])
        r = o["rank"][k]
        store = o["store"][k]
        out["orders"] = pd.DataFrame({
            "order_id": format_ids("O", r + 1, 8),
            "customer_id": format_ids("C", o["cust"][k] + 1, 7),
            "order_ts": timestamps(start, o["t"][k]),
            "channel": decode(CHANNELS, o["channel"][k]),
            "store_id": decode(stores["store_id"].to_numpy(), store, valid=store >= 0),
            "status": decode(STATUS, o["status"][k]),
            "payment": decode(PAYMENTS, o["payment"][k]),
            "coupon_id": format_ids("CP", r + 1, 8, valid=o["coupon"][k]),
            "order_value": np.round(o["value"], 2)[k],
            "home_delivery": np.asarray(o["delivered"], bool)[k],
            "installation": np.asarray(o["install"], bool)[k],
        })

    if "order_items" in rows:
        it = rows["order_items"]
        k = lex_order([it["order"], it["line_no"]])
        out["order_items"] = pd.DataFrame({
            "order_id": format_ids("O", it["order"][k] + 1, 8),
            "line_no": it["line_no"][k].astype(np.int64),
            "sku": decode(products["sku"].to_numpy(), it["sku_row"][k]),
            "quantity": it["quantity"][k].astype(np.int64),
            "unit_price": it["unit_price"][k],
            "discount": it["discount"][k],
        })

    if "service_events" in rows:
        ev = rows["service_events"]
        k = rank_order(ev["rank"])
        res = ev["resolved"][k]
        fup = ev["followup"][k]
        out["service_events"] = pd.DataFrame({
            "event_id": format_ids("E", ev["rank"][k] + 1, 7),
            "customer_id": format_ids("C", ev["cust"][k] + 1, 7),
            "order_id": format_ids("O", ev["order"][k] + 1, 8),
            "event_ts": timestamps(start, ev["t"][k]),
            "event_type": decode(EVENT_TYPES, ev["type"][k]),
            "resolved": pd.arrays.BooleanArray(res == 1, res < 0),
            "value_yuan": ev["value"][k],
            "followed_up": pd.arrays.BooleanArray(fup == 1, fup < 0),
        })

    if "loyalty" in rows:
        ly = rows["loyalty"]
        out["loyalty"] = pd.DataFrame({
            "customer_id": format_ids("C", ly["cust"] + 1, 7),
            "enrol_date": timestamps(start, np.floor(ly["enrol"])),
            "tier": decode(TIERS, ly["tier"]),
            "points_balance": ly["balance"],
            "qualifying_spend": ly["qual"],
            "tier_date": timestamps(start, ly["evald"]),
            "city_launch_date": timestamps(start, ctx["launch"][ly["city"]]),
        })

    if "points_ledger" in rows:
        lg = rows["points_ledger"]
        k = lex_order([lg["cust"], np.floor(lg["t"] * 86400), lg["kind"]])
        out["points_ledger"] = pd.DataFrame({
            "customer_id": format_ids("C", lg["cust"][k] + 1, 7),
            "ts": timestamps(start, lg["t"][k]),
            "kind": decode(LEDGER_KINDS, lg["kind"][k]),
            "points": lg["points"][k].astype(np.int64),
            "order_id": format_ids("O", lg["order"][k] + 1, 8),
        })

    if "campaigns" in rows:
        cp = rows["campaigns"]
        sent = start + dt.timedelta(days=scenario.campaign_day)
        m = len(cp["cust"])
        out["campaigns"] = pd.DataFrame({
            "campaign_id": np.full(m, f"RET-{sent:%Y-%m}", dtype=object),
            "customer_id": format_ids("C", cp["cust"] + 1, 7),
            "treated": cp["treated"],
            "offer_cost": np.where(cp["treated"], scenario.campaign_contact_cost
                                   + np.where(cp["responded"], scenario.campaign_offer_value, 0.0), 0.0),
            "sent_date": np.full(m, np.datetime64(sent, "s")),
            "responded": cp["responded"],
        })

    if "survey" in rows:
        sv = rows["survey"]
        k = rank_order(sv["rank"])
        survey = {
            "response_id": format_ids("R", sv["rank"][k] + 1, 6),
            "customer_id": format_ids("C", sv["gcust"][k] + 1, 7),
            "response_date": timestamps(start, sv["t"][k]),
        }
        for col in [*ITEMS, "overall_satisfaction", "recommend"]:
            survey[col] = sv[col][k].astype(np.int64)
        for col in ("competitor", "competitor_comparison", "survey_channel", "comment"):
            survey[col] = sv[col][k]
        for col in ("wallet_share", "stores_visited"):  # optional columns of the contract
            if col in sv:
                survey[col] = sv[col][k].astype(np.int64)
        out["survey"] = pd.DataFrame(survey)
    return out
