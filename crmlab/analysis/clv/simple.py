"""Simple customer lifetime value: discounted margin under a constant retention rate.

* :func:`estimate_retention` - a crude annual retention rate from an RFM table;
* :func:`simple_clv` - each customer's CLV over a few years (Gupta & Lehmann 2003);
* :func:`clv_by_segment` - customer equity (the sum of CLV) by segment.

The inputs are the columns of :func:`crmlab.analysis.rfm.rfm_table`
(``monetary``, ``tenure_days``, ``recency_days``). The formula treats every
customer as alive and spend as constant; the BG/NBD model refines both.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.clv.simple import clv_by_segment, simple_clv
>>> rfm = pd.DataFrame({"monetary": [730.0, 365.0, 100.0], "tenure_days": [730, 365, 30]}, index=list("abc"))
>>> clv = simple_clv(rfm, margin=0.1, annual_retention=0.5, discount_rate=0.0, horizon_years=1)
>>> clv.round(2).tolist()
[18.25, 18.25, 5.0]
>>> clv_by_segment(clv, ["x", "x", "y"])["equity"].round(2).tolist()
[36.5, 5.0]
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..._checks import fraction, positive_int, require_columns

__all__ = ["estimate_retention", "simple_clv", "clv_by_segment"]


def estimate_retention(rfm: pd.DataFrame) -> float:
    """A crude annual retention rate from an RFM table.

    Among customers whose first order is at least a year old
    (``tenure_days >= 365``), the share who ordered in the last year
    (``recency_days < 365``).

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"recency_days": [10, 400, 100, 20], "tenure_days": [500, 600, 700, 30]})
    >>> estimate_retention(rfm)
    0.6666666666666666
    """
    require_columns(rfm, ("recency_days", "tenure_days"), table="rfm")
    old = rfm[rfm["tenure_days"] >= 365]
    if old.empty:
        raise ValueError("rfm has no customer with tenure_days >= 365; pass annual_retention explicitly")
    return float((old["recency_days"] < 365).mean())


def simple_clv(
    rfm: pd.DataFrame,
    *,
    margin: float = 0.15,
    annual_retention: float | pd.Series | Mapping[Any, float] | None = None,
    discount_rate: float = 0.1,
    horizon_years: int = 3,
) -> pd.Series:
    """Customer lifetime value: discounted margin of the next years.

    Parameters
    ----------
    rfm : DataFrame
        Output of :func:`crmlab.analysis.rfm.rfm_table` (``monetary``, ``tenure_days``; and
        ``recency_days`` if ``annual_retention`` is estimated).
    margin : float, default 0.15
        Gross margin on revenue (3C retail margins are thin).
    annual_retention : float, Series or mapping, optional
        Probability that a customer is still a customer a year later: one
        rate, or one per customer (Series or dict keyed like ``rfm.index``,
        e.g. each segment's rate mapped to its members). ``None`` estimates one rate
        with :func:`estimate_retention`.
    discount_rate : float, default 0.1
        Yearly discount rate ``d``.
    horizon_years : int, default 3
        Number of future years ``H``.

    Returns
    -------
    Series ``clv`` (yuan), same index as ``rfm``.

    Notes
    -----
    With annual revenue ``a_i = monetary_i / max(tenure_days_i, 365) * 365``
    (spend so far per observed year, at least one year), retention ``r`` and
    discount rate ``d``,

    .. math:: CLV_i = \\sum_{t=1}^{H} \\frac{m \\, a_i \\, r^t}{(1+d)^t}
                    = m \\, a_i \\, \\frac{q (1 - q^H)}{1 - q}, \\quad q = \\frac{r}{1+d},

    i.e. each future year's margin counts if the customer is still retained
    and is discounted to today; as ``H -> inf`` it tends to
    ``m a_i r / (1 + d - r)`` (Gupta & Lehmann 2003). Customer equity is the
    sum of CLV over customers. It ignores acquisition cost and treats every
    customer as alive; probabilistic models (BG/NBD with Gamma-Gamma spend)
    refine both.

    Examples
    --------
    >>> import pandas as pd
    >>> rfm = pd.DataFrame({"monetary": [1000.0, 4000.0], "tenure_days": [100, 730]}, index=["A", "B"])
    >>> simple_clv(rfm, margin=0.2, annual_retention=0.5, discount_rate=0.0, horizon_years=2).tolist()
    [150.0, 300.0]
    """
    require_columns(rfm, ("monetary", "tenure_days"), table="rfm")
    margin = fraction(margin, "margin", allow_zero=True)
    if discount_rate <= -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate!r}")
    horizon_years = positive_int(horizon_years, "horizon_years")
    if annual_retention is None:
        r = pd.Series(estimate_retention(rfm), index=rfm.index)
    elif isinstance(annual_retention, (pd.Series, Mapping)):
        r = pd.Series(annual_retention).reindex(rfm.index).astype(float)
        if r.isna().any():
            raise ValueError("annual_retention has no value for some customers of rfm")
    else:
        r = pd.Series(float(annual_retention), index=rfm.index)
    if ((r < 0) | (r > 1)).any():
        raise ValueError("annual_retention must be in [0, 1]")
    years = np.maximum(rfm["tenure_days"].astype(float), 365.0) / 365.0
    annual = rfm["monetary"].astype(float) / years
    q = r / (1.0 + discount_rate)
    factor = sum(q**t for t in range(1, horizon_years + 1))
    return (margin * annual * factor).rename("clv")


def clv_by_segment(clv: pd.Series, labels: Any) -> pd.DataFrame:
    """Customer equity by segment.

    Parameters
    ----------
    clv : Series
        CLV per customer (:func:`simple_clv`).
    labels : array-like or Series
        Segment per customer (a Series is aligned on ``clv.index``).

    Returns
    -------
    DataFrame indexed by segment, sorted by equity (largest first):
    ``n``, ``customer_share``, ``mean_clv``, ``median_clv``, ``equity``
    (sum of CLV) and ``equity_share``.

    Examples
    --------
    >>> import pandas as pd
    >>> clv = pd.Series([10.0, 30.0, 60.0], index=["A", "B", "C"])
    >>> clv_by_segment(clv, ["x", "x", "y"])[["n", "equity", "equity_share"]]  # doctest: +NORMALIZE_WHITESPACE
             n  equity  equity_share
    segment
    y        1    60.0           0.6
    x        2    40.0           0.4
    """
    if not isinstance(clv, pd.Series):
        clv = pd.Series(np.asarray(clv, float))
    if len(clv) == 0:
        raise ValueError("clv is empty")
    if isinstance(labels, pd.Series):
        lab = labels.reindex(clv.index)
        if lab.isna().any():
            raise ValueError("labels has no segment for some customers of clv")
        lab = lab.to_numpy()
    else:
        lab = np.asarray(labels)
        if lab.shape != (len(clv),):
            raise ValueError(f"labels must have one entry per customer ({len(clv)}), got {lab.shape}")
    g = clv.astype(float).groupby(lab)
    total = float(clv.sum())
    out = pd.DataFrame(
        {
            "n": g.size().astype(np.int64),
            "customer_share": g.size() / len(clv),
            "mean_clv": g.mean(),
            "median_clv": g.median(),
            "equity": g.sum(),
            "equity_share": g.sum() / total if total else np.nan,
        }
    )
    out.index.name = "segment"
    return out.sort_values("equity", ascending=False, kind="stable")
