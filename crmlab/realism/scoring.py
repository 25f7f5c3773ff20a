"""Realism scorecard: a dataset's stylized facts against ranges from real public data.

:func:`realism_facts` adds to :func:`crmlab.realism.facts.stylized_facts`
the facts realism is usually argued with: the inter-purchase time
distribution, items per basket, seasonality strength, survey skew, repeat
buying within 39 weeks and the extract-quality shares (missing customer ids,
duplicates, cancellations). :func:`scorecard` puts one or two datasets side by
side with :data:`REFERENCES` (ranges from CDNOW, Online Retail II, Groceries
and Olist) and a verdict; :func:`plot_scorecard` draws it.

The functions take data that follows the data contract (synthetic or an
imported extract), never read the truth, print nothing and show nothing.

Examples
--------
>>> import crmlab
>>> from crmlab.realism import scorecard
>>> card = scorecard(crmlab.make_retail_crm("tiny", seed=1), names=("tiny",))
>>> card.loc["items_per_basket", "verdict tiny"] in ("inside", "outside")
True
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..domain import COUNTED_STATUSES, order_values
from ._tables import get_table, purchases
from .facts import FACT_LABELS, stylized_facts

__all__ = ["Reference", "REFERENCES", "SCORECARD_LABELS", "realism_facts", "seasonality_strength", "scorecard",
           "scorecard_json", "format_scorecard", "plot_scorecard", "verdict"]


@dataclass(frozen=True)
class Reference:
    """A reference range for one fact, from a public real data set."""

    fact: str
    source: str
    figure: str  # what the source reports, in words
    lo: float
    hi: float


#: Reference ranges from real public data (see ``docs/extracts.md`` for the sources).
REFERENCES: tuple[Reference, ...] = (
    Reference("one_time_buyer_share_39w", "CDNOW (Fader & Hardie 2001)",
              "~60% make no repeat purchase in the 39 weeks after the first", 0.50, 0.70),
    Reference("top20_revenue_share", "CDNOW, Online Retail II", "top 20% of customers -> 60-70% of revenue",
              0.60, 0.70),
    Reference("orders_per_customer", "Online Retail II (UCI)", "~6.3 invoices per customer (2 years)", 5.0, 7.5),
    Reference("missing_customer_id_share", "Online Retail II (UCI)", "22.8% of lines have no Customer ID",
              0.18, 0.28),
    Reference("cancelled_line_share", "Online Retail II (UCI)", "~1.8% of lines are cancellations", 0.01, 0.03),
    Reference("duplicate_row_share", "Online Retail II (UCI)", "~3% of lines are exact duplicates", 0.02, 0.04),
    Reference("items_per_basket", "Groceries (Hahsler et al. 2006)", "4.4 items per basket", 3.5, 5.5),
    Reference("single_item_share", "Groceries (Hahsler et al. 2006)", "22% single-item baskets", 0.17, 0.27),
    Reference("five_star_share", "Olist reviews (2016-2018)", "58% of reviews give five stars", 0.50, 0.65),
    Reference("late_delivery_rate", "Olist orders (2016-2018)", "~8% of delivered orders arrive late", 0.05, 0.11),
)

#: Labels of the facts :func:`realism_facts` adds to ``FACT_LABELS``.
SCORECARD_LABELS: dict[str, str] = {
    **FACT_LABELS,
    "one_time_buyer_share_39w": "no repeat purchase within 39 weeks of the first (share)",
    "mean_interpurchase_days": "mean days between orders",
    "interpurchase_p25_days": "25th percentile of days between orders",
    "interpurchase_p75_days": "75th percentile of days between orders",
    "items_per_basket": "distinct products per completed order (mean)",
    "single_item_share": "single-product orders (share)",
    "units_per_basket": "units per completed order (mean)",
    "seasonality_strength": "seasonality strength F_S of monthly revenue (STL)",
    "monthly_revenue_cv": "coefficient of variation of monthly revenue",
    "survey_skewness": "skewness of survey item scores",
    "five_star_share": "overall satisfaction = 5 (share)",
    "missing_customer_id_share": "lines without a customer id (share)",
    "duplicate_row_share": "exact duplicate lines (share)",
    "cancelled_line_share": "lines of cancelled orders (share)",
}

_WEEKS_39 = pd.Timedelta(weeks=39)


def _r(x: float, nd: int = 4) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


# ----------------------------------------------------------------------------- individual facts
def _one_time_39w(done: pd.DataFrame) -> float | None:
    """Share of customers with no counted order on a later day within 39 weeks of their first.

    Only customers whose first order is at least 39 weeks before the last
    order in the data count (everyone had 39 weeks to come back).
    """
    if done.empty:
        return None
    day = done["order_ts"].dt.normalize()
    first = day.groupby(done["customer_id"]).transform("min")
    end = done["order_ts"].max().normalize()
    eligible_c = first[first + _WEEKS_39 <= end]
    if eligible_c.empty:
        return None
    repeat = (day > first) & (day <= first + _WEEKS_39)
    rep = repeat.groupby(done["customer_id"]).any()
    elig = done["customer_id"][first + _WEEKS_39 <= end].unique()
    return _r(float((~rep.loc[elig]).mean()))


def _interpurchase(done: pd.DataFrame) -> dict[str, float | None]:
    d = done.sort_values(["customer_id", "order_ts"], kind="stable")
    gaps = d.groupby("customer_id")["order_ts"].diff().dt.total_seconds().dropna() / 86400
    if gaps.empty:
        return {"mean_interpurchase_days": None, "interpurchase_p25_days": None, "interpurchase_p75_days": None}
    return {"mean_interpurchase_days": _r(gaps.mean(), 1), "interpurchase_p25_days": _r(gaps.quantile(0.25), 1),
            "interpurchase_p75_days": _r(gaps.quantile(0.75), 1)}


def _baskets(done: pd.DataFrame, items: pd.DataFrame | None) -> dict[str, float | None]:
    out: dict[str, float | None] = {"items_per_basket": None, "single_item_share": None, "units_per_basket": None}
    if items is None or items.empty or done.empty:
        return out
    it = items[items["order_id"].isin(done["order_id"])]
    if it.empty:
        return out
    distinct = it.groupby("order_id")["sku"].nunique()
    out["items_per_basket"] = _r(distinct.mean(), 3)
    out["single_item_share"] = _r((distinct == 1).mean())
    out["units_per_basket"] = _r(pd.to_numeric(it["quantity"], errors="coerce").groupby(it["order_id"]).sum().mean(),
                                 3)
    return out


def _monthly_revenue(done: pd.DataFrame, items: pd.DataFrame | None) -> pd.Series | None:
    if done.empty:
        return None
    try:
        value = order_values(done, items)
    except ValueError:  # neither order values nor order lines
        return None
    ts = done["order_ts"]
    first_day, last_day = ts.min().normalize(), ts.max().normalize()
    month = ts.dt.to_period("M")
    rev = value.groupby(month).sum()
    full = pd.period_range(month.min(), month.max(), freq="M")
    rev = rev.reindex(full, fill_value=0.0)
    complete = [(p.start_time.normalize() >= first_day) and (p.end_time.normalize() <= last_day) for p in full]
    return rev[np.asarray(complete, bool)]


def seasonality_strength(monthly: pd.Series, *, period: int = 12) -> float | None:
    """Strength of seasonality of a monthly series, ``F_S`` in [0, 1].

    Parameters
    ----------
    monthly : Series
        Monthly values in time order (e.g. revenue of complete months).
    period : int, default 12

    Returns
    -------
    float or None
        ``max(0, 1 - Var(R) / Var(S + R))`` of an STL decomposition
        (seasonal S, remainder R); None with fewer than two full periods.

    Notes
    -----
    0 means no seasonality; values above 0.6 are strongly seasonal (retail
    revenue with a November/December peak typically is).

    References
    ----------
    Wang, X., Smith, K. A., & Hyndman, R. J. (2006). Characteristic-based
    clustering for time series data. *Data Mining and Knowledge Discovery*,
    13(3), 335-364.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = np.arange(36)
    >>> s = pd.Series(100 + 30 * np.sin(2 * np.pi * m / 12) + np.random.default_rng(0).normal(0, 2, 36))
    >>> seasonality_strength(s) > 0.9
    True
    """
    from statsmodels.tsa.seasonal import STL

    y = pd.Series(monthly, dtype=float).reset_index(drop=True)
    if len(y) < 2 * period or not np.isfinite(y).all():
        return None
    if np.ptp(y.to_numpy()) <= 1e-12 * max(1.0, abs(float(y.mean()))):
        return 0.0  # a constant series has no seasonality (STL would fit rounding noise)
    res = STL(y.to_numpy(), period=period, robust=True).fit()
    var_sr = float(np.var(res.seasonal + res.resid))
    if var_sr == 0:
        return 0.0
    return _r(max(0.0, 1.0 - float(np.var(res.resid)) / var_sr), 3)


def _survey(survey: pd.DataFrame | None) -> dict[str, float | None]:
    out: dict[str, float | None] = {"survey_skewness": None, "five_star_share": None}
    if survey is None or survey.empty:
        return out
    from scipy.stats import skew

    cols = [c for c in survey.columns if c.split("_")[0] in ("adv", "price", "service", "quality")
            and c.split("_")[-1].isdigit()]
    if cols:
        vals = survey[cols].to_numpy(float).ravel()
        vals = vals[~np.isnan(vals)]
        if len(vals) > 2:
            out["survey_skewness"] = _r(skew(vals), 3)
    if "overall_satisfaction" in survey:
        s = pd.to_numeric(survey["overall_satisfaction"], errors="coerce").dropna()
        if len(s):
            out["five_star_share"] = _r((s == 5).mean())
    return out


def _quality(orders: pd.DataFrame, items: pd.DataFrame | None,
             cleaning: Mapping[str, Any] | None) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    if items is not None and len(items):
        head = orders.drop_duplicates("order_id").set_index("order_id")
        cust = items["order_id"].map(head["customer_id"])
        out["missing_customer_id_share"] = _r(cust.isna().mean())
        if "status" in head:
            out["cancelled_line_share"] = _r(items["order_id"].map(head["status"]).eq("cancelled").mean())
        cols = [c for c in items.columns if c != "line_no"]
        out["duplicate_row_share"] = _r(items.duplicated(subset=cols).mean())
    elif len(orders):
        out["missing_customer_id_share"] = _r(orders["customer_id"].isna().mean())
        out["duplicate_row_share"] = _r(orders.duplicated().mean())
    profile = (cleaning or {}).get("profile") or {}
    for k in ("missing_customer_id_share", "duplicate_row_share", "cancelled_line_share"):
        if profile.get(k) is not None:
            out[k] = float(profile[k])  # measured on the raw file, before cleaning
    return out


def _check_cleaning(cleaning: Any, name: str = "cleaning") -> Mapping[str, Any] | None:
    """A cleaning report is a mapping whose ``profile`` maps fact names to shares in [0, 1] (or None)."""
    if cleaning is None:
        return None
    if not isinstance(cleaning, Mapping):
        raise ValueError(f"{name} must be a cleaning report (a dict, as in cleaning_report.json), got "
                         f"{type(cleaning).__name__}")
    profile = cleaning.get("profile")
    if profile is None:
        return cleaning
    if not isinstance(profile, Mapping):
        raise ValueError(f"{name}['profile'] must be a dict of shares, got {type(profile).__name__}")
    for k in ("missing_customer_id_share", "duplicate_row_share", "cancelled_line_share"):
        v = profile.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not (0 <= float(v) <= 1):
            raise ValueError(f"{name}['profile']['{k}'] must be a share in [0, 1] or None, got {v!r}")
    return cleaning


# ----------------------------------------------------------------------------- all facts
def realism_facts(data: Mapping[str, pd.DataFrame] | Any, *, cleaning: Mapping[str, Any] | None = None,
                  statuses: Sequence[str] | None = COUNTED_STATUSES) -> dict[str, Any]:
    """Stylized facts plus the realism facts of :data:`SCORECARD_LABELS`.

    Parameters
    ----------
    data : Dataset or mapping of table name -> DataFrame
        Needs ``orders``; ``order_items``, ``survey`` and ``service_events``
        add facts.
    cleaning : dict, optional
        The cleaning report of an imported extract (``cleaning_report.json``
        or ``Dataset.manifest["cleaning"]``; taken from the manifest when not
        given). Its ``profile`` - shares measured on the raw file before
        cleaning - replaces the extract-quality facts computed from the tables.
        A report that is not a dict, or whose shares are not numbers in
        [0, 1], raises ValueError.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Orders that count as purchases; ``None`` counts every order.

    Returns
    -------
    dict
        Keys of :data:`SCORECARD_LABELS`; None where a fact cannot be computed.

    Notes
    -----
    Orders count when their status is in ``statuses`` (completed, by
    default) and they have a customer id and a date. Baskets are counted
    in distinct products (``sku``) per counted order, as in market-basket
    analysis. Inter-purchase times are between consecutive counted orders
    of a customer. ``one_time_buyer_share_39w`` looks at customers whose first
    order is at least 39 weeks before the end of the data and counts those
    with no counted order on a later day within 39 weeks (the CDNOW
    calibration period; Fader & Hardie 2001). Seasonality uses complete
    months only (:func:`seasonality_strength`).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["a", "b", "c"], "customer_id": ["x", "x", "y"],
    ...                        "order_ts": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-05"]),
    ...                        "status": "completed"})
    >>> items = pd.DataFrame({"order_id": ["a", "a", "b", "c"], "line_no": [1, 2, 1, 1],
    ...                       "sku": ["s1", "s2", "s1", "s1"], "quantity": [1, 2, 1, 1],
    ...                       "unit_price": [1.0, 2.0, 3.0, 4.0], "discount": 0.0})
    >>> f = realism_facts({"orders": orders, "order_items": items})
    >>> f["items_per_basket"], f["single_item_share"], f["mean_interpurchase_days"]
    (1.333, 0.6667, 10.0)
    """
    if cleaning is None:
        manifest = getattr(data, "manifest", None)
        cleaning = manifest.get("cleaning") if isinstance(manifest, Mapping) else None
    cleaning = _check_cleaning(cleaning)
    facts: dict[str, Any] = {k: None for k in SCORECARD_LABELS}
    facts.update(stylized_facts(data, statuses=statuses))
    orders = get_table(data, "orders")
    if orders is None or orders.empty:
        return facts
    items = get_table(data, "order_items")
    done = purchases(orders, statuses).dropna(subset=["order_ts"])
    facts["one_time_buyer_share_39w"] = _one_time_39w(done)
    facts.update(_interpurchase(done))
    facts.update(_baskets(done, items))
    monthly = _monthly_revenue(done, items)
    if monthly is not None and len(monthly) >= 2:
        facts["seasonality_strength"] = seasonality_strength(monthly)
        mean = float(monthly.mean())
        facts["monthly_revenue_cv"] = _r(float(monthly.std()) / mean, 3) if mean else None
    facts.update(_survey(get_table(data, "survey")))
    facts.update(_quality(orders, items, cleaning))
    return facts


# ----------------------------------------------------------------------------- the card
def verdict(value: Any, ref: Reference | None) -> str:
    """``inside`` / ``outside`` the reference range, ``n/a`` without a value, ``""`` without a reference.

    Examples
    --------
    >>> r = Reference("x", "src", "fig", 0.5, 0.7)
    >>> verdict(0.6, r), verdict(0.8, r), verdict(None, r), verdict(0.6, None)
    ('inside', 'outside', 'n/a', '')
    """
    if ref is None:
        return ""
    if value is None or not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
        return "n/a"
    return "inside" if ref.lo <= float(value) <= ref.hi else "outside"


def scorecard(
    data: Mapping[str, pd.DataFrame] | Any,
    against: Mapping[str, pd.DataFrame] | Any | None = None,
    *,
    names: Sequence[str] | None = None,
    cleaning: Mapping[str, Any] | None = None,
    against_cleaning: Mapping[str, Any] | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Realism facts of one or two datasets side by side, with reference ranges and verdicts.

    Parameters
    ----------
    data, against : Dataset or mapping of table name -> DataFrame
        The dataset to judge and, optionally, a second one (e.g. a real
        extract next to a synthetic preset).
    names : sequence of str, optional
        Column names for the datasets (default ``"dataset"``, ``"against"``).
    cleaning, against_cleaning : dict, optional
        Cleaning reports of imported extracts (see :func:`realism_facts`).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Orders that count as purchases (see :func:`realism_facts`).

    Returns
    -------
    DataFrame
        Index: fact keys, facts with a reference first. Columns: ``label``,
        one column of values per dataset, ``reference`` (what the source
        reports), ``range``, ``source``, and ``verdict <name>`` per dataset
        (``inside``, ``outside``, ``n/a``; empty without a reference). The
        dataset names are the column names, and the ``verdict <name>``
        columns give them back (:func:`format_scorecard` reads them there).

    Examples
    --------
    >>> import crmlab
    >>> card = scorecard(crmlab.make_retail_crm("tiny", seed=1), crmlab.make_retail_crm("tiny", seed=2),
    ...                  names=("seed 1", "seed 2"))
    >>> list(card.columns[:3])
    ['label', 'seed 1', 'seed 2']
    """
    sets = [data] + ([against] if against is not None else [])
    cleanings = [cleaning, against_cleaning][: len(sets)]
    if names is None:
        names = ("dataset", "against")[: len(sets)]
    names = list(names)[: len(sets)]
    if len(names) < len(sets) or len(set(names)) < len(names):
        raise ValueError(f"names must give {len(sets)} distinct column names, got {names!r}")
    facts = [realism_facts(d, cleaning=c, statuses=statuses) for d, c in zip(sets, cleanings)]
    refs = {r.fact: r for r in REFERENCES}
    keys = [r.fact for r in REFERENCES] + [k for k in SCORECARD_LABELS if k not in refs]
    rows = []
    for k in keys:
        ref = refs.get(k)
        row: dict[str, Any] = {"fact": k, "label": SCORECARD_LABELS[k]}
        for n, f in zip(names, facts):
            row[n] = f.get(k)
        row["reference"] = ref.figure if ref else ""
        row["range"] = f"{_fmt(k, ref.lo)} - {_fmt(k, ref.hi)}" if ref else ""
        row["source"] = ref.source if ref else ""
        for n, f in zip(names, facts):
            row[f"verdict {n}"] = verdict(f.get(k), ref)
        rows.append(row)
    return pd.DataFrame(rows).set_index("fact")


def _names(card: pd.DataFrame) -> list[str]:
    """The dataset names of a scorecard, in order (from its ``verdict <name>`` columns)."""
    return [str(c)[len("verdict "):] for c in card.columns if str(c).startswith("verdict ")]


def _is_share(fact: str) -> bool:
    return "share" in fact or fact.endswith("_rate") or "top2box" in fact


def _fmt(fact: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "-"
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}"
    if isinstance(v, (float, np.floating)):
        if _is_share(fact):
            return f"{v:.1%}"
        return f"{v:,.2f}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def format_scorecard(card: pd.DataFrame) -> str:
    """The scorecard as a plain-text table (what ``crmlab scorecard`` prints).

    Examples
    --------
    >>> import crmlab
    >>> text = format_scorecard(scorecard(crmlab.make_retail_crm("tiny", seed=1), names=("tiny",)))
    >>> text.splitlines()[0].split()[:3]
    ['fact', 'tiny', 'range']
    """
    names = _names(card)
    header = ["fact", *names, "range", *[f"verdict {n}" if len(names) > 1 else "verdict" for n in names], "source"]
    rows = [header]
    for k, r in card.iterrows():
        rows.append([str(r["label"]), *[_fmt(str(k), r[n]) for n in names], str(r["range"]),
                     *[str(r[f"verdict {n}"]) for n in names], str(r["source"])])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    num = set(range(1, len(names) + 2))
    out = []
    for i, row in enumerate(rows):
        out.append("  ".join(v.rjust(w) if j in num and i else v.ljust(w) for j, (v, w) in enumerate(zip(row, widths)))
                   .rstrip())
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def scorecard_json(card: pd.DataFrame) -> dict[str, Any]:
    """The scorecard as JSON-ready dict: datasets, and per fact the values, range and verdicts.

    Examples
    --------
    >>> import crmlab, json
    >>> j = scorecard_json(scorecard(crmlab.make_retail_crm("tiny", seed=1), names=("tiny",)))
    >>> j["datasets"], sorted(j["facts"][0])
    (['tiny'], ['fact', 'label', 'reference', 'values', 'verdicts'])
    """
    names = _names(card)
    refs = {r.fact: r for r in REFERENCES}
    facts = []
    for k, r in card.iterrows():
        ref = refs.get(str(k))
        facts.append({
            "fact": str(k),
            "label": r["label"],
            "values": {n: _json_value(r[n]) for n in names},
            "reference": None if ref is None else {k2: v for k2, v in asdict(ref).items() if k2 != "fact"},
            "verdicts": {n: r[f"verdict {n}"] for n in names},
        })
    return {"datasets": list(names), "facts": facts}


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def plot_scorecard(card: pd.DataFrame):
    """Plot each referenced fact against its range (one panel per fact).

    Parameters
    ----------
    card : DataFrame
        Output of :func:`scorecard`.

    Returns
    -------
    matplotlib.figure.Figure
        Not shown and not attached to pyplot; save it with ``fig.savefig(path)``.

    Examples
    --------
    >>> import crmlab
    >>> fig = plot_scorecard(scorecard(crmlab.make_retail_crm("tiny", seed=1), names=("tiny",)))
    >>> len(fig.axes) == len(REFERENCES)
    True
    """
    from matplotlib.figure import Figure

    names = _names(card)
    refs = [r for r in REFERENCES if r.fact in card.index]
    fig = Figure(figsize=(8, 0.95 * len(refs) + 1.0), layout="constrained")
    axes = fig.subplots(len(refs), 1, squeeze=False)[:, 0]
    markers = ["o", "s", "D"]
    colors = ["#1f77b4", "#d62728", "#2ca02c"]
    for ax, ref in zip(axes, refs):
        row = card.loc[ref.fact]
        scale = 100.0 if _is_share(ref.fact) else 1.0
        ax.axvspan(ref.lo * scale, ref.hi * scale, color="0.85", label="reference range")
        xs = [ref.lo * scale, ref.hi * scale]
        for i, n in enumerate(names):
            v = row[n]
            if v is None or not np.isfinite(float(v)):
                continue
            xs.append(float(v) * scale)
            ax.plot(float(v) * scale, 0, marker=markers[i % 3], color=colors[i % 3], ms=9, ls="none",
                    label=f"{n}: {_fmt(ref.fact, v)} ({row[f'verdict {n}']})")
        pad = 0.1 * (max(xs) - min(xs) or 1.0)
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_yticks([])
        ax.set_title(f"{SCORECARD_LABELS[ref.fact]} - {ref.source}", fontsize=9, loc="left")
        if scale != 1.0:
            ax.set_xlabel("%", fontsize=8, loc="right")
        ax.tick_params(labelsize=8)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.suptitle("Realism scorecard: stylized facts against ranges from real data", fontsize=11)
    return fig
