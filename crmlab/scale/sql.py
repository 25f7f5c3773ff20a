"""Stylized facts and RFM in DuckDB SQL: the numbers of notebooks 00 and 03 on data that do not fit in memory.

:func:`stylized_facts_sql` gives the same dictionary as
:func:`crmlab.realism.stylized_facts`, and :func:`rfm_table_sql` the same
table as :func:`crmlab.analysis.rfm.rfm_table`, but the work happens in
DuckDB, which streams through Parquet part files and spills to disk when a
``memory_limit`` is set: only the answers (a dictionary; one row per
customer for RFM) come back to Python. The rules are the project's: orders
count when their status is in :data:`crmlab.domain.COUNTED_STATUSES` and they
have a customer; an order is worth ``order_value``, or the sum of its lines
where that is missing.

``data`` may be a partitioned folder (a path or a
:class:`~crmlab.dataset.LazyDataset`), a DuckDB connection with one view per
table, or in-memory tables (a :class:`~crmlab.dataset.Dataset` or a mapping of
DataFrames, registered as views) - the last is how the tests check that SQL
and pandas agree.

Examples
--------
>>> import crmlab
>>> from crmlab.realism import stylized_facts
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> facts = stylized_facts_sql(data)
>>> facts["n_purchasers"] == stylized_facts(data)["n_purchasers"]
True
>>> rfm = rfm_table_sql(data, as_of="2025-12-31")
>>> rfm.columns.tolist()[:4]
['recency_days', 'frequency', 'monetary', 'avg_spend']
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .._checks import as_timestamp
from ..dataset import LazyDataset
from ..domain import COUNTED_STATUSES
from ..realism.facts import FACT_LABELS

__all__ = ["connect", "stylized_facts_sql", "rfm_table_sql", "counted_orders_sql"]


def connect(data: Any, *, memory_limit: str | None = None):
    """A DuckDB connection with one view per table of ``data``.

    Parameters
    ----------
    data : path, LazyDataset, Dataset, mapping of DataFrames, or DuckDB connection
        A connection is returned as it is.
    memory_limit : str, optional
        DuckDB's memory cap (``"2GB"``); beyond it DuckDB spills to disk.
    """
    import duckdb

    if isinstance(data, duckdb.DuckDBPyConnection):
        return data
    if isinstance(data, (str, os.PathLike)):
        data = LazyDataset(Path(data))
    if isinstance(data, LazyDataset):
        return data.connect(memory_limit=memory_limit)
    con = duckdb.connect()
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    for name in data:
        con.register(name, data[name])
    return con


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def _columns(con, table: str) -> list[str]:
    return [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]


def _literal(values: Sequence[str]) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def counted_orders_sql(con, statuses: Sequence[str] | None = COUNTED_STATUSES, *, items: bool = True) -> str:
    """SQL of the orders that count, with their value ``_value`` (a sub-query over the view ``orders``).

    The rule of :func:`crmlab.domain.counted_orders` and
    :func:`crmlab.domain.order_values`: a customer id, a status in
    ``statuses`` (``None``: any), ``order_value`` or else the sum of the
    order's lines (``quantity * unit_price - discount``), or else 0.
    """
    cols = _columns(con, "orders")
    where = ["customer_id IS NOT NULL"]
    if statuses is not None and "status" in cols:
        statuses = (statuses,) if isinstance(statuses, str) else tuple(statuses)
        where.append(f"status IN ({_literal(statuses)})" if statuses else "FALSE")
    has_items = items and "order_items" in _tables(con)
    if "order_value" in cols:
        n_missing = con.execute("SELECT count(*) FROM orders WHERE order_value IS NULL").fetchone()[0]
        value = "o.order_value"
    else:
        n_missing, value = 1, "NULL"
    join = ""
    if n_missing and has_items:
        icols = _columns(con, "order_items")
        disc = "coalesce(discount, 0)" if "discount" in icols else "0"
        join = (f"LEFT JOIN (SELECT order_id, sum(CAST(quantity AS DOUBLE) * unit_price - {disc}) AS v "
                "FROM order_items GROUP BY order_id) li ON o.order_id = li.order_id")
        value = f"coalesce({value}, li.v, 0)"
    elif n_missing:
        value = f"coalesce({value}, 0)"
    return f"SELECT o.*, CAST({value} AS DOUBLE) AS _value FROM orders o {join} WHERE {' AND '.join(where)}"


def _rnd(x: Any, k: int) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), k)


def stylized_facts_sql(data: Any, *, statuses: Sequence[str] | None = COUNTED_STATUSES,
                       memory_limit: str | None = None) -> dict[str, Any]:
    """The stylized facts of :func:`crmlab.realism.stylized_facts`, computed in DuckDB.

    Parameters
    ----------
    data : path, LazyDataset, Dataset, mapping of DataFrames, or DuckDB connection
        Needs at least ``orders``; ``order_items``, ``customers``,
        ``service_events`` and ``survey`` add facts.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Orders that count as purchases.
    memory_limit : str, optional
        DuckDB's memory cap (``"2GB"``).

    Returns
    -------
    dict
        The keys of :data:`crmlab.realism.FACT_LABELS`, rounded as there;
        ``None`` where a fact cannot be computed.

    Notes
    -----
    Order timestamps must be timestamps (as in the Parquet files of the data
    contract), not text. Sums over millions of rows are added in another order
    than pandas adds them, so a rounded fact can differ in its last digit.
    """
    con = connect(data, memory_limit=memory_limit)
    have = _tables(con)
    out: dict[str, Any] = {k: None for k in FACT_LABELS}
    if "customers" in have:
        out["n_customers"] = int(con.execute("SELECT count(*) FROM customers").fetchone()[0])
    if "orders" not in have:
        return out
    n_orders, tmin, tmax = con.execute("SELECT count(*), min(order_ts), max(order_ts) FROM orders").fetchone()
    if not n_orders:
        return out
    cols = _columns(con, "orders")
    out["n_orders"] = int(n_orders)
    out["date_min"], out["date_max"] = str(pd.Timestamp(tmin).date()), str(pd.Timestamp(tmax).date())
    can_value = "order_value" in cols or "order_items" in have
    done = counted_orders_sql(con, statuses)
    con.execute(f"CREATE OR REPLACE TEMP VIEW _done AS {done}")
    n_purch, one_time, per_cust = con.execute(
        "SELECT count(*), avg(CAST(n = 1 AS DOUBLE)), avg(CAST(n AS DOUBLE)) "
        "FROM (SELECT customer_id, count(*) AS n FROM _done GROUP BY customer_id)").fetchone()
    out["n_purchasers"] = int(n_purch)
    if n_purch:
        out["one_time_buyer_share"] = _rnd(one_time, 4)
        out["orders_per_customer"] = _rnd(per_cust, 3)
    if can_value and n_purch:
        top = con.execute(
            "WITH rev AS (SELECT customer_id, sum(_value) AS r FROM _done GROUP BY customer_id), "
            "ranked AS (SELECT r, row_number() OVER (ORDER BY r DESC) AS rk, count(*) OVER () AS n FROM rev) "
            "SELECT sum(r) FILTER (WHERE rk <= greatest(1, ceil(0.2 * n))) / sum(r) FROM ranked").fetchone()[0]
        out["top20_revenue_share"] = _rnd(top, 4)
        months = con.execute(
            "SELECT date_trunc('month', order_ts) AS m, sum(_value) FROM _done WHERE order_ts IS NOT NULL "
            "GROUP BY m ORDER BY m").fetchall()
        by_month = pd.Series([v for _, v in months], index=pd.DatetimeIndex([m for m, _ in months]), dtype=float)
        by_month = by_month.iloc[1:-1] if len(by_month) > 3 else by_month
        if len(by_month):
            out["seasonality_peak_ratio"] = _rnd(by_month.max() / by_month.mean(), 3)
            nov = by_month[by_month.index.month == 11]
            if len(nov):
                out["november_ratio"] = _rnd(nov.mean() / by_month.mean(), 3)
    med, p90 = con.execute(
        "SELECT quantile_cont(g, 0.5), quantile_cont(g, 0.9) FROM ("
        "SELECT (epoch(order_ts) - epoch(lag(order_ts) OVER (PARTITION BY customer_id ORDER BY order_ts))) "
        "/ 86400.0 AS g FROM _done) WHERE g IS NOT NULL").fetchone()
    out["median_interpurchase_days"], out["p90_interpurchase_days"] = _rnd(med, 1), _rnd(p90, 1)
    if "order_items" in have:
        lines, single = con.execute(
            "SELECT avg(CAST(n AS DOUBLE)), avg(CAST(n = 1 AS DOUBLE)) FROM "
            "(SELECT order_id, count(*) AS n FROM order_items WHERE order_id IS NOT NULL GROUP BY order_id)"
        ).fetchone()
        out["lines_per_order"], out["single_line_share"] = _rnd(lines, 3), _rnd(single, 4)
    if "status" in cols:
        canc, ret = con.execute(
            "SELECT avg(CAST(coalesce(status = 'cancelled', FALSE) AS DOUBLE)), "
            "avg(CAST(coalesce(status = 'returned', FALSE) AS DOUBLE)) FROM orders").fetchone()
        out["cancelled_share"], out["returned_share"] = _rnd(canc, 4), _rnd(ret, 4)
    if "channel" in cols:
        app = "avg(CAST(coalesce(channel = 'app', FALSE) AS DOUBLE))"
        first, last = con.execute(
            f"SELECT (SELECT {app} FROM orders WHERE order_ts < $1 + INTERVAL 365 DAY), "
            f"(SELECT {app} FROM orders WHERE order_ts > $2 - INTERVAL 365 DAY)", [tmin, tmax]).fetchone()
        out["app_share_first_year"], out["app_share_last_year"] = _rnd(first, 4), _rnd(last, 4)
        if "service_events" in have:
            delivered = con.execute(
                "SELECT count(*) FROM orders WHERE channel IS DISTINCT FROM 'store'").fetchone()[0]
            if delivered:
                late = con.execute(
                    "SELECT count(*) FROM service_events WHERE event_type = 'late_delivery'").fetchone()[0]
                out["late_delivery_rate"] = _rnd(late / delivered, 4)
    if "survey" in have:
        items = [c for c in _columns(con, "survey") if c.split("_")[0] in ("adv", "price", "service", "quality")
                 and c.split("_")[-1].isdigit()]
        if items:
            n = " + ".join(f'count("{c}")' for c in items)
            top = " + ".join(f'count(*) FILTER (WHERE "{c}" >= 4)' for c in items)
            tot = " + ".join(f'coalesce(sum(CAST("{c}" AS DOUBLE)), 0)' for c in items)
            cnt, n_top, total = con.execute(f"SELECT {n}, {top}, {tot} FROM survey").fetchone()
            if cnt:
                out["survey_top2box"] = _rnd(n_top / cnt, 4)
                out["survey_mean_item"] = _rnd(total / cnt, 3)
    con.execute("DROP VIEW IF EXISTS _done")
    return out


def rfm_table_sql(data: Any, *, as_of: Any, statuses: Sequence[str] | None = COUNTED_STATUSES,
                  customer_col: str = "customer_id", memory_limit: str | None = None) -> pd.DataFrame:
    """Recency, frequency and monetary value per customer, computed in DuckDB.

    The same table as :func:`crmlab.analysis.rfm.rfm_table` (same rules, columns,
    dtypes and order): only the result - one row per customer - is held in memory.

    Parameters
    ----------
    data : path, LazyDataset, Dataset, mapping of DataFrames, or DuckDB connection
    as_of : date-like
        Snapshot date: orders placed on this day or earlier count.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
    customer_col : str, default "customer_id"
    memory_limit : str, optional
        DuckDB's memory cap (``"2GB"``).

    Returns
    -------
    DataFrame
        Indexed by ``customer_col`` (sorted): ``recency_days``, ``frequency``,
        ``monetary``, ``avg_spend``, ``first_order``, ``last_order``, ``tenure_days``.

    Raises
    ------
    ValueError
        No counted order on or before ``as_of``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["A", "A", "B"],
    ...                        "order_ts": pd.to_datetime(["2025-01-01 10:00", "2025-01-11 21:00", "2025-01-05 09:00"]),
    ...                        "status": ["completed"] * 3, "order_value": [10.0, 30.0, 5.0]})
    >>> rfm_table_sql({"orders": orders}, as_of="2025-01-31")[["recency_days", "frequency", "monetary"]]
    ... # doctest: +NORMALIZE_WHITESPACE
                 recency_days  frequency  monetary
    customer_id
    A                      20          2      40.0
    B                      26          1       5.0
    """
    as_of = as_timestamp(as_of, "as_of", normalize=True)
    con = connect(data, memory_limit=memory_limit)
    if customer_col != "customer_id":
        raise ValueError("rfm_table_sql works on the data contract's customer_id")
    done = counted_orders_sql(con, statuses)
    cols = _columns(con, "orders")
    dedup = "QUALIFY row_number() OVER (PARTITION BY order_id) = 1" if "order_id" in cols else ""
    day = "CAST(date_trunc('day', order_ts) AS TIMESTAMP)"
    sql = (
        f"WITH snap AS (SELECT customer_id, {day} AS _day, _value FROM ({done}) "
        f"WHERE order_ts IS NOT NULL AND {day} <= $1 {dedup}) "
        "SELECT customer_id, count(*) AS frequency, sum(_value) AS monetary, min(_day) AS first_order, "
        "max(_day) AS last_order FROM snap GROUP BY customer_id ORDER BY customer_id"
    )
    g = con.execute(sql, [as_of.to_pydatetime()]).df()
    if g.empty:
        raise ValueError(f"orders has no counted order and a customer_id on or before {as_of.date()}")
    first = pd.to_datetime(g["first_order"]).astype("datetime64[s]")
    last = pd.to_datetime(g["last_order"]).astype("datetime64[s]")
    index = pd.Index(g["customer_id"].astype("str"), name=customer_col)
    out = pd.DataFrame({
        "recency_days": (as_of - last).dt.days.astype(np.int64).to_numpy(),
        "frequency": g["frequency"].astype(np.int64).to_numpy(),
        "monetary": g["monetary"].astype(float).to_numpy(),
    }, index=index)
    out["avg_spend"] = out["monetary"] / out["frequency"]
    out["first_order"] = first.to_numpy()
    out["last_order"] = last.to_numpy()
    out["tenure_days"] = (as_of - first).dt.days.astype(np.int64).to_numpy()
    return out
