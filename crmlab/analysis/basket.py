"""Market-basket analysis: baskets, frequent itemsets, association rules.

An association rule ``A -> B`` says "orders that contain ``A`` also tend to
contain ``B``". Over ``N`` baskets (orders), with ``P(X)`` the share of
baskets that contain every item of ``X``:

* support     ``s(A -> B) = P(A and B)``            how common the pair is;
* confidence  ``c(A -> B) = P(B | A) = s / P(A)``   how often ``A`` brings ``B``;
* lift        ``l(A -> B) = c / P(B)``              how much ``A`` raises the
  chance of ``B`` above its base rate (``1`` = independent; symmetric in
  ``A`` and ``B``);
* leverage    ``s - P(A) P(B)``; conviction ``(1 - P(B)) / (1 - c)``.

High support and confidence alone do not make a rule interesting: an item in
16 % of all baskets has confidence about 0.16 after *any* antecedent, so it
shows up in many "strong" rules with lift about 1 - the popular-item (decoy)
trap that :func:`decoy_candidates` flags. Rules worth acting on (cross-selling
a wall bracket with a TV) have lift well above 1 *and* enough support to matter
(Agrawal, Imieliński & Swami 1993; Brin et al. 1997 for lift and conviction).
The often-told "beer and diapers" rule is a legend: it goes back to a 1992
Osco Drug / NCR query and never drove a shelf placement (Power 2002).

When baskets are filled (the time of day, by channel) is in
:mod:`crmlab.analysis.basket_timing`.

Functions take tables of the data contract (:mod:`crmlab.schema`) and work on
real extracts too: :func:`basket_matrix` needs only ``order_items.order_id``
and ``order_items.sku`` for ``level="sku"``, and a products table with ``sku``
and the chosen level column otherwise.

References
----------
Agrawal, R., Imieliński, T. & Swami, A. (1993). Mining association rules
between sets of items in large databases. *SIGMOD '93*, 207-216.
Brin, S., Motwani, R., Ullman, J. D. & Tsur, S. (1997). Dynamic itemset
counting and implication rules for market basket data. *SIGMOD '97*, 255-264.
Power, D. J. (2002). Ask Dan! What is the "true story" about data mining, beer
and diapers? *DSS News* 3(23).

Examples
--------
>>> import pandas as pd
>>> items = pd.DataFrame({
...     "order_id": ["o1", "o1", "o2", "o2", "o3", "o4"],
...     "sku": ["tv", "bracket", "tv", "cable", "cable", "tv"],
...     "quantity": [1, 1, 1, 1, 1, 1],
... })
>>> m = basket_matrix(items, level="sku")
>>> m.astype(int)  # doctest: +NORMALIZE_WHITESPACE
sku       bracket  cable  tv
order_id
o1              1      0   1
o2              0      1   1
o3              0      1   0
o4              0      0   1
>>> r = rule_lift(m, "bracket", "tv")
>>> r.support, r.confidence, round(r.lift, 3)
(0.25, 1.0, 1.333)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .._checks import fraction, require_columns
from ..domain import COUNTED_STATUSES, counted_orders
from ._proportions import wilson_interval
from ._results import DEFAULT_CONFIDENCE, Result, z_value

__all__ = [
    "ITEM_SEPARATOR",
    "RULE_COLUMNS",
    "RuleLift",
    "basket_matrix",
    "item_support",
    "frequent_itemsets",
    "association_rules_table",
    "top_rules",
    "decoy_candidates",
    "rule_lift",
    "cross_sell_recommendations",
]

#: Separator of the items of a multi-item antecedent or consequent ("a + b").
ITEM_SEPARATOR = " + "

#: Columns of a rules table (:func:`association_rules_table`), in order.
RULE_COLUMNS = (
    "antecedent", "consequent", "support", "confidence", "lift", "leverage", "conviction",
    "antecedent_support", "consequent_support", "n_orders",
)
_LEVELS = ("sku", "subcategory", "category")


@dataclasses.dataclass(frozen=True, repr=False)
class RuleLift(Result):
    """One rule counted directly in the baskets (:func:`rule_lift`).

    Attributes
    ----------
    antecedent, consequent : str
        The two sides (several items joined with ``" + "``).
    n, n_antecedent, n_consequent, n_both : int
        Baskets: all, with the antecedent, with the consequent, with both.
    antecedent_support, consequent_support, support, confidence, lift : float
        As in :func:`association_rules_table` (NaN when undefined).
    ci_low, ci_high : float
        Wald interval of the lift on the log scale (NaN when a cell count is zero).
    confidence_level : float
    """

    antecedent: str
    consequent: str
    n: int
    n_antecedent: int
    n_consequent: int
    n_both: int
    antecedent_support: float
    consequent_support: float
    support: float
    confidence: float
    lift: float
    ci_low: float
    ci_high: float
    confidence_level: float = DEFAULT_CONFIDENCE


# ----------------------------------------------------------------------------- validation helpers
def _check_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """Validate a basket matrix and return it with boolean columns."""
    if not isinstance(matrix, pd.DataFrame):
        raise ValueError(f"the basket matrix must be a DataFrame, got {type(matrix).__name__}")
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(f"the basket matrix is empty ({matrix.shape[0]} baskets x {matrix.shape[1]} items)")
    if all(pd.api.types.is_bool_dtype(t) for t in matrix.dtypes):
        if any(matrix[c].isna().any() for c in matrix.columns):
            raise ValueError("the basket matrix has missing values; use True/False only")
        return matrix.astype(bool)
    values = matrix.to_numpy()
    try:
        ok = np.isin(values, [0, 1]).all()
    except TypeError:
        ok = False
    if not ok:
        raise ValueError("the basket matrix must hold booleans (or 0/1): one row per basket, one column per item")
    return matrix.astype(bool)


def _as_items(x: str | Iterable[str]) -> list[str]:
    if isinstance(x, str):
        return [s for s in x.split(ITEM_SEPARATOR)]
    items = list(x)
    if not items:
        raise ValueError("an itemset needs at least one item")
    return [str(s) for s in items]


def _join(items: Iterable) -> str:
    return ITEM_SEPARATOR.join(sorted(str(i) for i in items))


# ----------------------------------------------------------------------------- baskets
def basket_matrix(
    order_items: pd.DataFrame,
    products: pd.DataFrame | None = None,
    *,
    level: str = "subcategory",
    orders: pd.DataFrame | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """One-hot basket matrix: one row per order, one boolean column per item.

    Parameters
    ----------
    order_items : DataFrame
        Order lines with ``order_id`` and ``sku``; ``quantity`` is used when
        present (lines without it count as bought).
    products : DataFrame, optional
        Catalogue with ``sku`` and the ``level`` column. Not needed for
        ``level="sku"``.
    level : {"subcategory", "category", "sku"}
        What counts as an item. ``subcategory`` is the level at which the
        synthetic data plant their cross-sell rules.
    orders : DataFrame, optional
        Order headers with ``order_id`` (and ``status``). When given, only
        the orders listed here are kept (so a filtered orders table selects
        baskets, e.g. one channel or period), and only those whose status is
        in ``statuses``.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count (only applied when ``orders`` is given;
        ``None``: every order). Pass ``("completed", "returned")`` to keep
        returned orders, whose basket was put together all the same.

    Returns
    -------
    DataFrame of bool
        Index ``order_id`` (sorted), columns the items (sorted, column index
        named after ``level``). Orders with no item left are dropped.

    Raises
    ------
    ValueError
        On a missing column, an unknown ``level``, SKUs absent from
        ``products``, missing quantities, or when no basket is left.

    Notes
    -----
    Quantities are netted per order and SKU before anything else, so a
    cancellation line with a negative quantity (common in real point-of-sale
    extracts) removes the item it cancels, and an order that holds only
    negative lines contributes no basket. An item is in a basket when its net
    quantity is positive.

    The matrix is dense (``n_orders x n_items`` bytes); at SKU level on a
    large extract, restrict to frequent SKUs first.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"order_id": ["a", "a", "a", "b"],
    ...                       "sku": ["P1", "C1", "C1", "P2"],
    ...                       "quantity": [1, 2, -2, 1]})
    >>> products = pd.DataFrame({"sku": ["P1", "P2", "C1"],
    ...                          "category": ["phone", "phone", "accessory"]})
    >>> basket_matrix(items, products, level="category")  # doctest: +NORMALIZE_WHITESPACE
    category  phone
    order_id
    a          True
    b          True
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {_LEVELS}, got {level!r}")
    require_columns(order_items, ["order_id", "sku"], table="order_items")
    lines = _net_lines(order_items)
    if orders is not None:
        require_columns(orders, ["order_id"], table="orders")
        ids = set(counted_orders(orders, statuses)["order_id"].astype(str))
        lines = lines[lines["order_id"].isin(ids)]
    if level != "sku":
        lines = _map_level(lines, products, level)
    if lines.empty:
        raise ValueError("no basket left: order_items has no line with a positive quantity in a kept order")
    return _one_hot(lines["order_id"], lines["item"], level)


def _net_lines(order_items: pd.DataFrame) -> pd.DataFrame:
    """(order_id, sku) pairs with a positive net quantity; column ``item`` = sku."""
    df = order_items[["order_id", "sku"]].copy()
    if df["order_id"].isna().any() or df["sku"].isna().any():
        raise ValueError("order_items has missing order_id or sku values")
    if "quantity" in order_items.columns:
        q = pd.to_numeric(order_items["quantity"], errors="coerce")
        if q.isna().any():
            raise ValueError(f"order_items column 'quantity' has {int(q.isna().sum())} missing or non-numeric value(s)")
        df["quantity"] = q.to_numpy(float)
    else:
        df["quantity"] = 1.0
    df["order_id"] = df["order_id"].astype(str)
    df["sku"] = df["sku"].astype(str)
    net = df.groupby(["order_id", "sku"], sort=False)["quantity"].sum().reset_index()
    net = net[net["quantity"] > 0]
    return net.rename(columns={"sku": "item"})[["order_id", "item"]].reset_index(drop=True)


def _map_level(lines: pd.DataFrame, products: pd.DataFrame | None, level: str) -> pd.DataFrame:
    if products is None:
        raise ValueError(f"level={level!r} needs a products table with columns 'sku' and {level!r}")
    require_columns(products, ["sku", level], table="products")
    cat = products[["sku", level]].dropna(subset=["sku"]).astype({"sku": str}).drop_duplicates()
    if cat["sku"].duplicated().any():
        dup = cat.loc[cat["sku"].duplicated(), "sku"].head(5).tolist()
        raise ValueError(f"products maps some sku to more than one {level!r}, e.g. {dup}")
    mapping = pd.Series(cat[level].to_numpy(), index=cat["sku"].to_numpy())
    item = lines["item"].map(mapping)
    unknown = lines.loc[~lines["item"].isin(mapping.index), "item"].unique()
    if len(unknown):
        raise ValueError(f"{len(unknown)} sku(s) of order_items are not in products, e.g. {list(unknown[:5])}; "
                         "filter order_items to the catalogue first")
    if item.isna().any():
        bad = lines.loc[item.isna(), "item"].unique()[:5]
        raise ValueError(f"products column {level!r} is missing for some sku, e.g. {list(bad)}")
    return pd.DataFrame({"order_id": lines["order_id"].to_numpy(), "item": item.astype(str).to_numpy()})


def _one_hot(order_id: pd.Series, item: pd.Series, level: str) -> pd.DataFrame:
    rows, row_labels = pd.factorize(order_id, sort=True)
    cols, col_labels = pd.factorize(item, sort=True)
    x = np.zeros((len(row_labels), len(col_labels)), dtype=bool)
    x[rows, cols] = True
    index = pd.Index(np.asarray(row_labels, dtype=object), name="order_id", dtype="str")
    columns = pd.Index(np.asarray(col_labels, dtype=object), name=level, dtype="str")
    return pd.DataFrame(x, index=index, columns=columns)


def item_support(matrix: pd.DataFrame, *, confidence_level: float = DEFAULT_CONFIDENCE) -> pd.DataFrame:
    """Number and share of baskets that contain each item, with Wilson intervals of the share.

    Parameters
    ----------
    matrix : DataFrame of bool
        Basket matrix (:func:`basket_matrix`).
    confidence_level : float, default 0.95

    Returns
    -------
    DataFrame
        Columns ``item``, ``n_orders``, ``support`` and its Wilson score
        interval ``ci_low``, ``ci_high``; sorted by support (descending), then item.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"a": [True, True, False, True], "b": [False, True, False, False]})
    >>> item_support(m).round(3)
      item  n_orders  support  ci_low  ci_high
    0    a         3     0.75   0.301    0.954
    1    b         1     0.25   0.046    0.699
    """
    m = _check_matrix(matrix)
    counts = m.sum(axis=0).to_numpy(np.int64)
    low, high = wilson_interval(counts, len(m), confidence_level)
    out = pd.DataFrame({"item": np.asarray(m.columns, dtype=str), "n_orders": counts, "support": counts / len(m),
                        "ci_low": low, "ci_high": high})
    return out.sort_values(["support", "item"], ascending=[False, True], kind="stable").reset_index(drop=True)


# ----------------------------------------------------------------------------- itemsets and rules
def frequent_itemsets(matrix: pd.DataFrame, min_support: float = 0.01, max_len: int = 3) -> pd.DataFrame:
    """Itemsets contained in at least ``min_support`` of the baskets (Apriori).

    Parameters
    ----------
    matrix : DataFrame of bool
        Basket matrix (:func:`basket_matrix`).
    min_support : float in (0, 1]
        Minimum share of baskets.
    max_len : int
        Largest itemset size.

    Returns
    -------
    DataFrame
        Columns ``itemsets`` (frozenset of item names, as mlxtend uses them),
        ``items`` (sorted names joined with ``" + "``), ``length``,
        ``support`` and ``n_orders``; sorted by support (descending), then
        items. Empty (with these columns) if no itemset is frequent.

    Notes
    -----
    Apriori (Agrawal & Srikant 1994) uses the fact that every subset of a
    frequent itemset is frequent: candidates of size ``k + 1`` are built from
    frequent itemsets of size ``k`` only. Implemented by
    :func:`mlxtend.frequent_patterns.apriori`.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"tv": [True, True, True, False], "bracket": [True, True, False, False]})
    >>> frequent_itemsets(m, min_support=0.5)[["items", "length", "support", "n_orders"]]
              items  length  support  n_orders
    0            tv       1     0.75         3
    1       bracket       1     0.50         2
    2  bracket + tv       2     0.50         2
    """
    from mlxtend.frequent_patterns import apriori

    m = _check_matrix(matrix)
    fraction(min_support, "min_support")
    if int(max_len) < 1:
        raise ValueError(f"max_len must be at least 1, got {max_len}")
    m = m.set_axis([str(c) for c in m.columns], axis=1)
    freq = apriori(m, min_support=min_support, use_colnames=True, max_len=int(max_len))
    cols = ["itemsets", "items", "length", "support", "n_orders"]
    if freq.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(cols, [object, "str", "int64", "float64", "int64"])})
    out = pd.DataFrame({
        "itemsets": list(freq["itemsets"]),
        "items": [_join(s) for s in freq["itemsets"]],
        "length": [len(s) for s in freq["itemsets"]],
        "support": freq["support"].to_numpy(float),
    })
    out["n_orders"] = np.rint(out["support"].to_numpy() * len(m)).astype(np.int64)
    return out.sort_values(["support", "items"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _empty_rules() -> pd.DataFrame:
    dtypes = ["str", "str"] + ["float64"] * 7 + ["int64"]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(RULE_COLUMNS, dtypes)})


def _sort_rules(rules: pd.DataFrame, by: str = "lift") -> pd.DataFrame:
    """Sort by ``by``, support, antecedent support (descending), then names.

    Metrics are rounded to 10 decimals for sorting: a rule and its reverse have
    the same lift mathematically but may differ in the last bit.
    """
    metrics = [by] + [k for k in ("support", "antecedent_support") if k != by]
    keys = pd.DataFrame({f"_k{i}": pd.to_numeric(rules[k], errors="raise").round(10).to_numpy()
                         for i, k in enumerate(metrics)}, index=rules.index)
    tmp = pd.concat([keys, rules[["antecedent", "consequent"]]], axis=1)
    order = tmp.sort_values(list(keys.columns) + ["antecedent", "consequent"],
                            ascending=[False] * len(metrics) + [True, True], kind="stable").index
    return rules.loc[order].reset_index(drop=True)


def association_rules_table(
    matrix: pd.DataFrame,
    min_support: float = 0.01,
    min_lift: float = 1.0,
    max_len: int = 2,
    min_confidence: float = 0.0,
) -> pd.DataFrame:
    """Association rules between frequent itemsets, strongest lift first.

    Parameters
    ----------
    matrix : DataFrame of bool
        Basket matrix (:func:`basket_matrix`).
    min_support : float in (0, 1]
        Minimum support of the rule (of antecedent and consequent together).
    min_lift : float
        Minimum lift (``1.0`` keeps positive associations; ``0`` keeps all).
    max_len : int
        Largest number of items in a rule (2 = one item -> one item).
    min_confidence : float in [0, 1]
        Minimum confidence.

    Returns
    -------
    DataFrame
        One row per rule, columns ``antecedent``, ``consequent`` (item names;
        several items joined with ``" + "``), ``support``, ``confidence``,
        ``lift``, ``leverage``, ``conviction`` (``inf`` when confidence is
        1), ``antecedent_support``, ``consequent_support`` and ``n_orders``
        (baskets containing both sides). Each direction is its own rule.
        Sorted by lift, then support, then antecedent support (all
        descending): of a rule and its reverse, which share lift and support,
        the one whose antecedent is more common - the one that fires more
        often, e.g. TV -> wall bracket rather than the reverse - comes first.

    Notes
    -----
    See the module docstring for the formulas. Rules are generated by
    :func:`mlxtend.frequent_patterns.association_rules` from
    :func:`frequent_itemsets` with ``metric="lift"``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"tv": [1, 1, 1, 0, 0, 0], "bracket": [1, 1, 0, 0, 0, 0],
    ...                   "cable": [1, 0, 0, 1, 0, 0]}).astype(bool)
    >>> r = association_rules_table(m, min_support=0.1)
    >>> r[["antecedent", "consequent", "support", "confidence", "lift"]].round(3)
      antecedent consequent  support  confidence  lift
    0         tv    bracket    0.333       0.667   2.0
    1    bracket         tv    0.333       1.000   2.0
    2    bracket      cable    0.167       0.500   1.5
    3      cable    bracket    0.167       0.500   1.5
    4         tv      cable    0.167       0.333   1.0
    5      cable         tv    0.167       0.500   1.0
    """
    from mlxtend.frequent_patterns import association_rules

    m = _check_matrix(matrix)
    fraction(min_confidence, "min_confidence", allow_zero=True)
    if min_lift < 0:
        raise ValueError(f"min_lift must be >= 0, got {min_lift}")
    if int(max_len) < 2:
        raise ValueError(f"max_len must be at least 2 (a rule has two sides), got {max_len}")
    freq = frequent_itemsets(m, min_support=min_support, max_len=max_len)
    if (freq["length"] >= 2).sum() == 0:
        return _empty_rules()
    raw = association_rules(freq[["support", "itemsets"]], metric="lift", min_threshold=min_lift,
                            num_itemsets=len(m))
    if raw.empty:
        return _empty_rules()
    out = pd.DataFrame({
        "antecedent": [_join(s) for s in raw["antecedents"]],
        "consequent": [_join(s) for s in raw["consequents"]],
        "support": raw["support"].to_numpy(float),
        "confidence": raw["confidence"].to_numpy(float),
        # P(A and B) / (P(A) P(B)): bit-identical for a rule and its reverse (mlxtend's c / P(B) is not)
        "lift": (raw["support"] / (raw["antecedent support"] * raw["consequent support"])).to_numpy(float),
        "leverage": raw["leverage"].to_numpy(float),
        "conviction": raw["conviction"].to_numpy(float),
        "antecedent_support": raw["antecedent support"].to_numpy(float),
        "consequent_support": raw["consequent support"].to_numpy(float),
    })
    out["n_orders"] = np.rint(out["support"].to_numpy() * len(m)).astype(np.int64)
    out = out[out["confidence"] >= min_confidence]
    return _sort_rules(out)


def _check_rules(rules: pd.DataFrame, extra: Iterable[str] = ()) -> None:
    require_columns(rules, ["antecedent", "consequent", *extra], table="rules")


def top_rules(rules: pd.DataFrame, n: int = 20, by: str = "lift", unique_pairs: bool = False) -> pd.DataFrame:
    """The ``n`` strongest rules by a metric.

    Parameters
    ----------
    rules : DataFrame
        Rules table (:func:`association_rules_table`).
    n : int
        Number of rules.
    by : str
        Column to rank by, descending (``lift``, ``confidence``, ``support``,
        ``leverage``, ``conviction``, ...). Ties are broken by support, then
        antecedent support (descending), then names.
    unique_pairs : bool
        Keep one rule per set of items: a rule and its reverse have the same
        lift, so listing both wastes a line. The first in the ranking is
        kept.

    Returns
    -------
    DataFrame
        The top rules, same columns, index ``0..n-1``.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = pd.DataFrame({"antecedent": ["tv", "bracket", "cable"], "consequent": ["bracket", "tv", "tv"],
    ...                       "support": [0.3, 0.3, 0.1], "confidence": [0.6, 0.9, 0.2],
    ...                       "lift": [2.0, 2.0, 1.0], "antecedent_support": [0.5, 0.33, 0.5]})
    >>> top_rules(rules, n=2, unique_pairs=True)[["antecedent", "consequent", "lift"]]
      antecedent consequent  lift
    0         tv    bracket   2.0
    1      cable         tv   1.0
    """
    _check_rules(rules, [by, "support", "antecedent_support"])
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    out = _sort_rules(rules, by=by)
    if unique_pairs and len(out):
        key = [frozenset(_as_items(a) + _as_items(c)) for a, c in zip(out["antecedent"], out["consequent"])]
        out = out[~pd.Series(key).duplicated().to_numpy()]
    return out.head(int(n)).reset_index(drop=True)


def decoy_candidates(
    matrix: pd.DataFrame,
    rules: pd.DataFrame | None = None,
    support_quantile: float = 0.9,
    lift_band: float = 0.15,
    z: float = 1.96,
    min_support: float = 0.01,
    min_partners: int = 3,
    min_share: float = 0.75,
) -> pd.DataFrame:
    """Popular items that fill rule tables without being associated with anything.

    Parameters
    ----------
    matrix : DataFrame of bool
        Basket matrix (:func:`basket_matrix`).
    rules : DataFrame, optional
        Rules table mined from ``matrix`` (:func:`association_rules_table`);
        when given, ``n_rules`` counts the rules each candidate appears in.
    support_quantile : float in [0, 1]
        Only items whose support is at least this quantile of all item
        supports are examined (the "popular" items).
    z : float
        Normal quantile of the test that a pair's lift differs from 1.
    lift_band : float
        A pair is uninformative when ``|lift - 1| <= lift_band``, or when its
        lift cannot be told apart from 1 (``|log lift| <= 1.96 / sqrt(n_pair)``,
        the Poisson standard error of the pair count; ``z=0`` turns this off).
    min_support : float in (0, 1]
        Partners of an item are the items it shares at least this share of
        baskets with (use the ``min_support`` of the rules table).
    min_partners : int
        A decoy has at least this many partners.
    min_share : float in [0, 1]
        A decoy has at least this share of its partners in the lift band.

    Returns
    -------
    DataFrame
        One row per popular item: ``item``, ``support``, ``n_partners``,
        ``n_near_one`` (partners in the lift band), ``share_near_one``,
        ``median_lift`` and ``max_lift`` over partners, ``max_confidence``
        (the largest ``P(item | partner)``: what makes its rules look
        strong), ``n_rules`` (rules with the item on either side; NaN without
        ``rules``) and ``is_decoy``. Sorted decoys first, then by support.

    Notes
    -----
    An item in a share ``p`` of all baskets, bought independently of
    everything else, has ``P(item | A) = p`` for any antecedent ``A``: every
    antecedent frequent enough gives a rule with confidence ``p``, lift 1 and
    leverage 0. Ranked by support or confidence such rules look strong; ranked
    by lift they sink. The lifts are computed here from the matrix for every
    partner (not only for the rules kept by a ``min_lift`` filter, which would
    drop the half of a decoy's pairs that fall just below 1):
    ``lift(X, Y) = P(X, Y) / (P(X) P(Y))``. An item is flagged when it has at
    least ``min_partners`` partners and at least ``min_share`` of them lie in
    ``1 +- lift_band``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> main = rng.integers(0, 3, 2000)
    >>> m = pd.DataFrame({"tv": main == 0, "phone": main == 1, "laptop": main == 2,
    ...                   "case": (main == 1) & (rng.random(2000) < 0.5),
    ...                   "cable": rng.random(2000) < 0.4})
    >>> decoy_candidates(m, support_quantile=0.5)[["item", "n_partners", "n_near_one", "is_decoy"]]
         item  n_partners  n_near_one  is_decoy
    0   cable           4           4      True
    1  laptop           1           1     False
    2   phone           2           1     False
    """
    m = _check_matrix(matrix)
    fraction(support_quantile, "support_quantile", allow_zero=True)
    fraction(min_support, "min_support")
    fraction(min_share, "min_share", allow_zero=True)
    if lift_band < 0:
        raise ValueError(f"lift_band must be >= 0, got {lift_band}")
    if rules is not None:
        _check_rules(rules)
    x = m.to_numpy(dtype=np.float64)
    sup = x.mean(axis=0)
    joint = (x.T @ x) / len(x)
    names = np.asarray(m.columns, dtype=str)
    popular = np.flatnonzero(sup >= np.quantile(sup, support_quantile))
    if rules is not None:
        sides = [set(_as_items(a)) | set(_as_items(c)) for a, c in zip(rules["antecedent"], rules["consequent"])]
    rows = []
    for i in popular:
        partner = joint[i] >= min_support
        partner[i] = False
        lift = joint[i, partner] / (sup[i] * sup[partner])
        n_pair = joint[i, partner] * len(x)
        # uninformative: inside the band, or not distinguishable from 1 (95%, se(log lift) ~ 1/sqrt(n))
        near = (np.abs(lift - 1) <= lift_band) | (np.abs(np.log(lift)) <= z / np.sqrt(n_pair))
        k = int(partner.sum())
        share = float(near.mean()) if k else float("nan")
        rows.append(dict(
            item=names[i], support=float(sup[i]), n_partners=k, n_near_one=int(near.sum()), share_near_one=share,
            median_lift=float(np.median(lift)) if k else float("nan"),
            max_lift=float(lift.max()) if k else float("nan"),
            max_confidence=float((joint[i, partner] / sup[partner]).max()) if k else float("nan"),
            n_rules=float(sum(names[i] in s for s in sides)) if rules is not None else float("nan"),
            is_decoy=bool(k >= min_partners and share >= min_share),
        ))
    out = pd.DataFrame(rows)
    return out.sort_values(["is_decoy", "support", "item"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


def rule_lift(
    matrix: pd.DataFrame,
    antecedent: str | Iterable[str],
    consequent: str | Iterable[str],
    *,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> RuleLift:
    """Support, confidence and lift of one rule, counted directly, with a CI for the lift.

    Parameters
    ----------
    matrix : DataFrame of bool
        Basket matrix.
    antecedent, consequent : str or iterable of str
        Item(s); a string may join several items with ``" + "``.
    confidence_level : float in (0, 1), default 0.95
        Coverage of the confidence interval of the lift.

    Returns
    -------
    RuleLift
        ``n`` (baskets), ``n_antecedent``, ``n_consequent``, ``n_both``,
        ``antecedent_support``, ``consequent_support``, ``support``,
        ``confidence``, ``lift`` and its interval ``ci_low``, ``ci_high``.
        Confidence and lift are NaN when the antecedent (or consequent) never
        occurs; the interval is NaN when a cell count is zero.

    Notes
    -----
    With ``a, b, c`` the shares of baskets with both sides, only the
    antecedent, only the consequent, ``P(A) = a + b`` and ``P(B) = a + c``,
    ``log lift = log a - log P(A) - log P(B)``. The delta method under the
    multinomial model gives

    .. math::

        \\operatorname{Var}(\\log \\widehat{\\mathrm{lift}}) \\approx \\frac{1}{n}
        \\left[a \\left(\\tfrac{1}{a} - \\tfrac{1}{P(A)} - \\tfrac{1}{P(B)}\\right)^2
        + \\tfrac{b}{P(A)^2} + \\tfrac{c}{P(B)^2} - 1\\right],

    and the interval is ``lift * exp(+- z * se)`` (a Wald interval on the
    log scale).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"tv": [1, 1, 1, 1, 0, 0, 0, 0], "bracket": [1, 1, 0, 0, 1, 0, 0, 0]}).astype(bool)
    >>> r = rule_lift(m, "tv", "bracket")
    >>> r.n_both, r.support, round(r.confidence, 3), round(r.lift, 3)
    (2, 0.25, 0.5, 1.333)
    >>> bool(r.ci_low < r.lift < r.ci_high), r.confidence_level
    (True, 0.95)
    """
    m = _check_matrix(matrix)
    z = z_value(confidence_level)
    a_items, c_items = _as_items(antecedent), _as_items(consequent)
    missing = [i for i in a_items + c_items if i not in m.columns]
    if missing:
        raise ValueError(f"item(s) {missing} are not columns of the basket matrix")
    has_a = m[a_items].all(axis=1).to_numpy()
    has_c = m[c_items].all(axis=1).to_numpy()
    n = len(m)
    n_a, n_c, n_ac = int(has_a.sum()), int(has_c.sum()), int((has_a & has_c).sum())
    pa, pc, pac = n_a / n, n_c / n, n_ac / n
    conf = n_ac / n_a if n_a else float("nan")
    lift = conf / pc if n_a and n_c else float("nan")
    low = high = float("nan")
    if n_ac and n_a > n_ac and n_c > n_ac:
        b, c = pa - pac, pc - pac
        var = (pac * (1 / pac - 1 / pa - 1 / pc) ** 2 + b / pa**2 + c / pc**2 - 1) / n
        se = float(np.sqrt(max(var, 0.0)))
        low, high = lift * float(np.exp(-z * se)), lift * float(np.exp(z * se))
    return RuleLift(antecedent=_join(a_items), consequent=_join(c_items), n=n, n_antecedent=n_a, n_consequent=n_c,
                    n_both=n_ac, antecedent_support=pa, consequent_support=pc, support=pac, confidence=conf,
                    lift=lift, ci_low=low, ci_high=high, confidence_level=float(confidence_level))


# ----------------------------------------------------------------------------- cross-selling
def cross_sell_recommendations(
    rules: pd.DataFrame,
    item: str,
    n: int = 5,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """What to offer with ``item``: consequents of the rules ``item -> X``, decoys left out.

    Parameters
    ----------
    rules : DataFrame
        Rules table (:func:`association_rules_table`).
    item : str
        The antecedent (a single item, or several joined with ``" + "``).
    n : int
        Number of recommendations.
    min_confidence : float
        Drop rules less confident than this.
    min_lift : float
        Drop rules with a lower lift (``1.0``: only items that ``item``
        makes more likely).
    exclude : iterable of str
        Items never to recommend, e.g. the decoys flagged by
        :func:`decoy_candidates` (a consequent is dropped when any of its
        items is excluded): a decoy's lift is 1 by construction, so any lift
        above 1 in a rule is noise.

    Returns
    -------
    DataFrame
        Columns ``consequent``, ``confidence``, ``lift``, ``support`` (and
        ``n_orders`` when present), ranked by lift then confidence. Empty when
        no rule starts from ``item``.

    Examples
    --------
    >>> import pandas as pd
    >>> rules = pd.DataFrame({"antecedent": ["tv", "tv", "tv", "phone"],
    ...                       "consequent": ["bracket", "cable", "warranty", "case"],
    ...                       "support": [0.04, 0.02, 0.01, 0.08], "confidence": [0.35, 0.16, 0.12, 0.35],
    ...                       "lift": [6.0, 1.0, 1.4, 3.4]})
    >>> cross_sell_recommendations(rules, "tv", n=2)
      consequent  confidence  lift  support
    0    bracket        0.35   6.0     0.04
    1   warranty        0.12   1.4     0.01
    >>> cross_sell_recommendations(rules, "tv", min_lift=0.9, exclude=["bracket"])["consequent"].tolist()
    ['warranty', 'cable']
    """
    _check_rules(rules, ["confidence", "lift", "support"])
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    key = _join(_as_items(item))
    ante = [_join(_as_items(a)) for a in rules["antecedent"]]
    skip = {str(x) for x in ([exclude] if isinstance(exclude, str) else exclude)}
    clean = np.array([not skip & set(_as_items(c)) for c in rules["consequent"]], bool)
    r = rules[(np.array(ante) == key) & (rules["confidence"] >= min_confidence).to_numpy()
              & (rules["lift"] >= min_lift).to_numpy() & clean]
    cols = ["consequent", "confidence", "lift", "support"] + (["n_orders"] if "n_orders" in rules.columns else [])
    r = r.sort_values(["lift", "confidence", "consequent"], ascending=[False, False, True], kind="stable")
    return r[cols].head(int(n)).reset_index(drop=True)
