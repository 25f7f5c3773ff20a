"""Behavioural segmentation: features, k-means segments, their stability, profiles and names.

Segmentation by buying habits, one function each: behavioural and demographic
features (:func:`behaviour_features`), the clustering columns
(:func:`segment_matrix`), choosing *k* by silhouette (:func:`choose_k`, read
by :func:`k_choice`),
standardised k-means (:func:`kmeans_segments`), stability across bootstrap
resamples (:func:`stability_ari`), profiles (:func:`segment_profiles`) and
names from the profile relative to all customers, with the rule that gave
each name (:func:`describe_segments`, from
:mod:`crmlab.analysis.segment_naming`, which also holds
:func:`name_segments` for comparing with names fixed in advance).

A segmentation in five lines (``F`` has one row per purchaser)::

    F = behaviour_features(orders, order_items, products, customers, as_of="2025-12-31")
    X = segment_matrix(F)                                  # SEGMENT_FEATURES
    labels, centers = kmeans_segments(X, 5, fit_mask=F["frequency"] >= 2)
    recency = rfm_table(orders, as_of="2025-12-31")["recency_days"]
    naming = describe_segments(F.assign(recency_days=recency), labels)  # name, rule

Fitting the centres on repeat buyers (``fit_mask``) and then assigning every
customer to the nearest centre keeps one-order customers, whose "habits" are
a single purchase, from shaping the segments.

Examples
--------
>>> import numpy as np, pandas as pd
>>> X = np.array([[0.0, 0.0], [0.2, 0.1], [5.0, 5.0], [5.1, 4.9], [0.1, 0.2]])
>>> labels, centers = kmeans_segments(X, 2)
>>> labels.tolist(), segment_profiles(pd.DataFrame(X, columns=["a", "b"]), labels)["n"].tolist()
([0, 0, 1, 1, 0], [3, 2])
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import StandardScaler

from .._checks import as_timestamp, require_columns
from ..domain import CATEGORIES, CHANNELS, COUNTED_STATUSES, line_values
from ._results import Result
from .rfm import rfm_table, snapshot_orders
from .segment_naming import (
    ARCHETYPE_NAMES,
    ARCHETYPE_RULES,
    LEVEL_CUTOFFS,
    describe_segments,
    name_segments,
    percentile_ranks,
)

__all__ = [
    "DURABLE_CATEGORIES",
    "CATEGORY_GROUPS",
    "SEGMENT_FEATURES",
    "behaviour_features",
    "segment_matrix",
    "choose_k",
    "KChoice",
    "k_choice",
    "kmeans_segments",
    "stability_ari",
    "segment_profiles",
    "describe_segments",
    "LEVEL_CUTOFFS",
    "percentile_ranks",
    "name_segments",
    "ARCHETYPE_RULES",
    "ARCHETYPE_NAMES",
]

#: Categories whose price tier reflects taste (the main purchase of an order);
#: accessories, small add-ons and services are bought by need.
DURABLE_CATEGORIES: tuple[str, ...] = ("tv", "fridge", "washer", "ac", "phone", "laptop")

#: Category groups of a 3C retailer: large home appliances (黑电/白电), digital
#: products (3C 数码) and small appliances with accessories (小家电/配件).
CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "home_share": ("tv", "fridge", "washer", "ac"),
    "digital_share": ("phone", "laptop"),
    "small_share": ("small_appliance", "accessory"),
}

#: Columns of :func:`behaviour_features` used for clustering by default: how
#: often and how much a customer buys, at what price tier, what (category
#: groups), where (channel) and who (age, city tier). See
#: :func:`behaviour_features` for why the other columns are left out.
SEGMENT_FEATURES: tuple[str, ...] = (
    "log_frequency",
    "log_avg_spend",
    "price_tier",
    "home_share",
    "digital_share",
    "channel_store",
    "channel_app",
    "age",
    "city_tier",
)

_EVENING = (19, 23)  # hours 19:00-23:59


def _matrix(X: Any) -> np.ndarray:
    Z = np.asarray(X.to_numpy(float) if isinstance(X, pd.DataFrame) else X, dtype=float)
    if Z.ndim != 2:
        raise ValueError(f"X must be 2-dimensional, got shape {Z.shape}")
    if not np.isfinite(Z).all():
        raise ValueError("X contains missing or infinite values; impute them first")
    return Z


def _price_tier(items: pd.DataFrame, products: pd.DataFrame) -> pd.Series:
    """Mean z-score of log unit price within subcategory, durable lines, per customer."""
    p = products[products["list_price"].astype(float) > 0]
    lp = np.log(p["list_price"].astype(float))
    stats = lp.groupby(p["subcategory"]).agg(["mean", "std", "size"])
    stats = stats[(stats["size"] >= 2) & (stats["std"] > 0)]
    it = items[items["category"].isin(DURABLE_CATEGORIES) & items["subcategory"].isin(stats.index)]
    it = it[it["unit_price"].astype(float) > 0]
    mu = it["subcategory"].map(stats["mean"]).astype(float)
    sd = it["subcategory"].map(stats["std"]).astype(float)
    z = (np.log(it["unit_price"].astype(float)) - mu) / sd
    return z.groupby(it["customer_id"]).mean()


def _counts(df: pd.DataFrame, col: str, index: pd.Index, levels: Sequence[str],
            weights: str | None = None) -> pd.DataFrame:
    """Customers x levels table of counts (or summed ``weights``) of ``df[col]``."""
    w = df[weights].astype(float) if weights else pd.Series(1.0, index=df.index)
    t = w.groupby([df["customer_id"], df[col]]).sum().unstack(fill_value=0.0)
    return t.reindex(index=index, columns=list(levels), fill_value=0.0).fillna(0.0)


def _smoothed_shares(counts: pd.DataFrame, prior: float) -> pd.DataFrame:
    """Row shares shrunk toward the overall mix: ``(n_ic + a p_c) / (n_i + a)``."""
    total = float(counts.to_numpy().sum())
    pop = counts.sum(axis=0) / total if total > 0 else pd.Series(1.0 / counts.shape[1], index=counts.columns)
    n = counts.sum(axis=1)
    num = counts + prior * pop
    den = (n + prior).where(n + prior > 0)
    return num.div(den, axis=0).fillna(pop)


def behaviour_features(
    orders: pd.DataFrame,
    order_items: pd.DataFrame,
    products: pd.DataFrame,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    prior_orders: float = 2.0,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Buying-habit (and demographic) features per customer, ready for clustering.

    Parameters
    ----------
    orders, order_items, products : DataFrame
        Tables of the data contract. ``products`` needs ``sku``, ``category``,
        ``subcategory`` and ``list_price``.
    customers : DataFrame, optional
        The customer archive; adds ``age``, ``female`` and ``city_tier``.
    as_of : date-like
        Snapshot date (see :func:`~crmlab.analysis.rfm.rfm_table`).
    prior_orders : float, default 2.0
        Strength ``a`` of the smoothing of the order-mix and channel shares,
        in pseudo-orders (0 = raw shares).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Order statuses that count (see :func:`crmlab.analysis.rfm.rfm_table`).

    Returns
    -------
    DataFrame
        One row per customer with a counted order, indexed by
        ``customer_id``; no missing values. Columns:

        ``frequency``, ``monetary``
            As in :func:`~crmlab.analysis.rfm.rfm_table` (for masks and profiles).
        ``log_recency``, ``log_frequency``, ``log_monetary``, ``log_avg_spend``
            ``log1p`` of the RFM quantities: they are right-skewed, and k-means
            on raw money would be a clustering of the few biggest spenders.
        ``spend_<category>``
            Share of the customer's line spend in each of the 9 categories
            (for profiles; raw, not smoothed).
        ``home_share``, ``digital_share``, ``small_share``
            Order mix: share of the customer's orders whose *main purchase*
            (the line of highest value) falls in each group of
            :data:`CATEGORY_GROUPS`, smoothed (see Notes).
        ``channel_store``, ``channel_web``, ``channel_app``
            Share of orders per channel, smoothed.
        ``price_tier``
            Mean, over the customer's lines in :data:`DURABLE_CATEGORIES`, of
            ``z = (log unit_price - m_s) / s_s`` where ``m_s`` and ``s_s`` are
            the mean and standard deviation of log list price over the
            catalogue's SKUs of the line's subcategory: above 0 means dearer
            models than the catalogue's typical one. Customers with no durable
            line get the median.
        ``evening_share``
            Share of orders placed 19:00-23:59.
        ``age``, ``female``, ``city_tier``
            ``as_of`` year minus ``birth_year``; 1 if ``gender == "female"``;
            city tier 1-5. Missing values are imputed (median age and tier,
            mean of ``female``). Only with ``customers``.

    Notes
    -----
    Shares describe *what* and *where* a customer buys independently of *how
    much*, which the RFM columns carry; price tier is measured within
    subcategory so that buying a television is not mistaken for buying
    premium. Only lines with positive quantity whose SKU is in ``products``
    count.

    The order mix counts orders by their main purchase rather than summing
    spend, because spend shares are dominated by whatever big ticket a basket
    holds (a phone with a case is "100 % phone" by spend). Most customers
    have one or two orders, so raw shares are 0/1 indicators of the last
    purchase; the order-mix and channel shares are therefore shrunk toward the
    overall mix ``p_c`` (additive, Dirichlet-prior smoothing):

    .. math:: \\hat s_{ic} = \\frac{n_{ic} + a \\, p_c}{n_i + a},

    with ``n_ic`` the customer's orders in level ``c`` and ``n_i`` all their
    orders. With ``a = 2`` a one-order customer's shares are one third their
    own order and two thirds the overall mix; a customer with 20 orders
    hardly moves.

    :data:`SEGMENT_FEATURES` is the subset used for clustering by default. It
    leaves out (i) columns that are (nearly) determined by others -
    ``small_share`` is about ``1 - home_share - digital_share``, ``channel_web``
    is ``1 - store - app``, ``log_monetary`` is about
    ``log_frequency + log_avg_spend`` - because a duplicated direction counts
    twice in a Euclidean distance; (ii) the 9 fine spend shares, which with
    one or two orders per customer split customers by their single last
    purchase rather than by habit; (iii) ``log_recency``, a state (how long
    ago) rather than a habit; ``evening_share``, mostly noise with one or two
    orders per customer; and ``female``, a single 0/1 column that tempts
    k-means into splitting every group by gender.

    Examples
    --------
    >>> import crmlab
    >>> d = crmlab.make_retail_crm("tiny", seed=1)
    >>> X = behaviour_features(d.orders, d.order_items, d.products, d.customers, as_of="2025-06-30")
    >>> set(SEGMENT_FEATURES) <= set(X.columns), bool(X.notna().all().all())
    (True, True)
    """
    as_of = as_timestamp(as_of, "as_of", normalize=True)
    if not prior_orders >= 0:
        raise ValueError(f"prior_orders must be >= 0, got {prior_orders!r}")
    rfm = rfm_table(orders, as_of=as_of, order_items=order_items, statuses=statuses)
    require_columns(order_items, ("order_id", "sku", "quantity", "unit_price"), table="order_items")
    require_columns(products, ("sku", "category", "subcategory", "list_price"), table="products")
    require_columns(orders, ("order_id",), table="orders")
    o = snapshot_orders(orders, as_of=as_of, statuses=statuses)
    o = o[o["customer_id"].isin(rfm.index)]
    idx = rfm.index

    out = pd.DataFrame(index=idx)
    out["frequency"] = rfm["frequency"].astype(float)
    out["monetary"] = rfm["monetary"].astype(float)
    out["log_recency"] = np.log1p(rfm["recency_days"].astype(float))
    out["log_frequency"] = np.log1p(rfm["frequency"].astype(float))
    out["log_monetary"] = np.log1p(rfm["monetary"].clip(lower=0).astype(float))
    out["log_avg_spend"] = np.log1p(rfm["avg_spend"].clip(lower=0).astype(float))

    # lines -> category spend shares
    items = order_items[order_items["quantity"].astype(float) > 0]
    items = items.merge(o[["order_id", "customer_id"]], on="order_id", how="inner")
    items = items.merge(products[["sku", "category", "subcategory"]].drop_duplicates("sku"), on="sku", how="inner")
    items = items.assign(_v=line_values(items).clip(lower=0).to_numpy())
    spend = _counts(items, "category", idx, CATEGORIES, weights="_v")
    total = spend.sum(axis=1)
    shares = spend.div(total.where(total > 0), axis=0)
    shares = shares.fillna(spend.sum(axis=0) / max(float(spend.to_numpy().sum()), 1e-12))
    for c in CATEGORIES:
        out[f"spend_{c}"] = shares[c].to_numpy()

    # order mix: the category of each order's most valuable line, smoothed
    main = items.sort_values(["order_id", "_v"], ascending=[True, False], kind="stable").drop_duplicates("order_id")
    mix = _smoothed_shares(_counts(main, "category", idx, CATEGORIES), prior_orders)
    for name, cats in CATEGORY_GROUPS.items():
        out[name] = mix[list(cats)].sum(axis=1).to_numpy()

    # channel mix, smoothed
    require_columns(o, ("channel",), table="orders")
    ch = _smoothed_shares(_counts(o, "channel", idx, CHANNELS), prior_orders)
    for c in CHANNELS:
        out[f"channel_{c}"] = ch[c].to_numpy()

    # price tier
    tier = _price_tier(items, products).reindex(idx)
    out["price_tier"] = tier.fillna(tier.median() if tier.notna().any() else 0.0).to_numpy()

    # evening share
    hour = o["order_ts"].dt.hour
    evening = ((hour >= _EVENING[0]) & (hour <= _EVENING[1])).astype(float)
    out["evening_share"] = evening.groupby(o["customer_id"]).mean().reindex(idx).fillna(0.0).to_numpy()

    if customers is not None:
        out = out.join(_demographics(customers, as_of), how="left")
        for col in ("age", "city_tier"):
            out[col] = out[col].fillna(out[col].median() if out[col].notna().any() else 0.0)
        out["female"] = out["female"].fillna(out["female"].mean() if out["female"].notna().any() else 0.5)
    return out.astype(float)


def _demographics(customers: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    require_columns(customers, ("customer_id", "birth_year", "gender", "city_tier"), table="customers")
    c = customers.drop_duplicates("customer_id").set_index("customer_id")
    by = pd.to_numeric(c["birth_year"], errors="coerce").astype(float)
    g = c["gender"]
    female = pd.Series(np.where(g.isna(), np.nan, g.eq("female").fillna(False).astype(float)), index=c.index)
    return pd.DataFrame(
        {
            "age": as_of.year - by,
            "female": female,
            "city_tier": pd.to_numeric(c["city_tier"], errors="coerce").astype(float),
        }
    )


def segment_matrix(features: pd.DataFrame, columns: Sequence[str] = SEGMENT_FEATURES) -> pd.DataFrame:
    """Select the clustering columns of :func:`behaviour_features`.

    Parameters
    ----------
    features : DataFrame
        Output of :func:`behaviour_features` (or any per-customer table).
    columns : sequence of str, default :data:`SEGMENT_FEATURES`
        Columns to keep, in this order. Columns absent from ``features``
        (e.g. demographics when no customer archive was given) are skipped.

    Returns
    -------
    DataFrame
        ``features[present columns]``; at least one column must be present.

    Examples
    --------
    >>> import pandas as pd
    >>> segment_matrix(pd.DataFrame({"age": [30.0], "price_tier": [0.1], "x": [1.0]})).columns.tolist()
    ['price_tier', 'age']
    """
    if not isinstance(features, pd.DataFrame):
        raise ValueError("features must be a pandas DataFrame")
    cols = [c for c in columns if c in features.columns]
    if not cols:
        raise ValueError(f"features has none of the columns {list(columns)}")
    return features[cols]



def _fit(Z: np.ndarray, k: int, random_state: int, n_init: int) -> tuple[StandardScaler, KMeans]:
    scaler = StandardScaler().fit(Z)
    km = KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(scaler.transform(Z))
    return scaler, km


def _check_k(k: int, n: int) -> None:
    if not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an integer >= 2, got {k!r}")
    if n < k + 1:
        raise ValueError(f"X has {n} rows; k-means with k={k} needs more than k rows")


def choose_k(
    X: pd.DataFrame | np.ndarray,
    ks: Iterable[int] = range(2, 9),
    random_state: int = 0,
    *,
    n_init: int = 10,
    sample_size: int | None = None,
) -> pd.DataFrame:
    """Fit standardised k-means for several ``k`` and score each fit.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features (e.g. ``segment_matrix(behaviour_features(...))``), no missing
        values; standardised inside.
    ks : iterable of int, default 2..8
        Candidate numbers of clusters.
    random_state : int, default 0
        Seed of the k-means initialisations (and of the silhouette subsample).
    n_init : int, default 10
        k-means restarts per ``k``.
    sample_size : int, optional
        Compute the silhouette on a random subsample of this size (it costs
        ``O(n^2)``); ``None`` uses all rows.

    Returns
    -------
    DataFrame indexed by ``k`` with ``inertia`` (within-cluster sum of squares,
    for the elbow plot), ``silhouette`` (higher is better),
    ``calinski_harabasz`` (higher is better) and ``davies_bouldin`` (lower is
    better). ``table["silhouette"].idxmax()`` is the silhouette choice.

    Notes
    -----
    The silhouette of point *i* is ``(b_i - a_i) / max(a_i, b_i)``, with
    ``a_i`` the mean distance to its own cluster and ``b_i`` to the nearest
    other cluster (Rousseeuw 1987); the score is its mean over points.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(m, 0.3, size=(50, 2)) for m in (0, 3, 6)])
    >>> int(choose_k(X, ks=range(2, 6))["silhouette"].idxmax())
    3
    """
    Z = _matrix(X)
    ks = list(ks)
    if not ks:
        raise ValueError("ks is empty")
    rows = []
    for k in ks:
        _check_k(k, len(Z))
        scaler, km = _fit(Z, k, random_state, n_init)
        S = scaler.transform(Z)
        rows.append(
            dict(
                k=int(k),
                inertia=float(km.inertia_),
                silhouette=float(silhouette_score(S, km.labels_, sample_size=sample_size, random_state=random_state)),
                calinski_harabasz=float(calinski_harabasz_score(S, km.labels_)),
                davies_bouldin=float(davies_bouldin_score(S, km.labels_)),
            )
        )
    return pd.DataFrame(rows).set_index("k")


@dataclasses.dataclass(frozen=True, repr=False)
class KChoice(Result):
    """What the scores of :func:`choose_k` favour (:func:`k_choice`).

    Attributes
    ----------
    by_silhouette, by_calinski_harabasz, by_davies_bouldin : int
        The k each score favours (highest silhouette and Calinski-Harabasz, lowest Davies-Bouldin).
    silhouette_best, silhouette_worst : float
        Highest and lowest mean silhouette over the k tried; ``k_worst`` is where the lowest is.
    k_worst : int
    structure : str
        Kaufman & Rousseeuw's reading of the best silhouette, rounded to two decimals:
        ``"strong"`` (above 0.70), ``"reasonable"`` (0.51-0.70), ``"weak"`` (0.26-0.50) or
        ``"none"`` (0.25 or less: no substantial structure).
    """

    by_silhouette: int
    by_calinski_harabasz: int
    by_davies_bouldin: int
    silhouette_best: float
    silhouette_worst: float
    k_worst: int
    structure: str

    @property
    def agree(self) -> bool:
        """True when the three scores favour the same k."""
        return self.by_silhouette == self.by_calinski_harabasz == self.by_davies_bouldin


def k_choice(table: pd.DataFrame) -> KChoice:
    """Read a :func:`choose_k` table: the k each score favours and how clear the structure is.

    Notes
    -----
    Kaufman, L. & Rousseeuw, P. J. (1990), *Finding Groups in Data*, read the
    mean silhouette as strong structure above 0.70, reasonable from 0.51,
    weak from 0.26 and no substantial structure at 0.25 or less.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"silhouette": [0.25, 0.262, 0.17], "calinski_harabasz": [700, 720, 450],
    ...                   "davies_bouldin": [1.6, 1.4, 1.7]}, index=pd.Index([2, 3, 4], name="k"))
    >>> c = k_choice(t)
    >>> c.by_silhouette, c.agree, c.k_worst, c.structure
    (3, True, 4, 'weak')
    """
    require_columns(table, ["silhouette", "calinski_harabasz", "davies_bouldin"], table="choose_k table")
    sil = table["silhouette"].astype(float)
    best = float(sil.max())
    b = round(best, 2)  # the bands are stated to two decimals
    structure = "strong" if b > 0.70 else "reasonable" if b >= 0.51 else "weak" if b >= 0.26 else "none"
    return KChoice(by_silhouette=int(sil.idxmax()), by_calinski_harabasz=int(table["calinski_harabasz"].idxmax()),
                   by_davies_bouldin=int(table["davies_bouldin"].idxmin()), silhouette_best=best,
                   silhouette_worst=float(sil.min()), k_worst=int(sil.idxmin()), structure=structure)


def kmeans_segments(
    X: pd.DataFrame | np.ndarray,
    k: int,
    random_state: int = 0,
    *,
    n_init: int = 10,
    fit_mask: Any = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """k-means segments on standardised features.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features, no missing values.
    k : int
        Number of segments.
    random_state : int, default 0
        Seed of the k-means initialisations.
    n_init : int, default 10
        Restarts; the fit with the lowest inertia is kept.
    fit_mask : array-like of bool, optional
        Rows used to fit the scaler and the centres (e.g. repeat buyers, whose
        habits are measured on more than one order); every row is then
        assigned to its nearest centre. ``None`` fits on all rows.

    Returns
    -------
    labels : ndarray of int (n,)
        Segment 0..k-1 per row, numbered by size in the fitting rows (0 =
        largest), so labels do not depend on k-means' arbitrary numbering.
    centers : DataFrame (k, p)
        Centres in the original units of ``X`` (index = label).

    Notes
    -----
    Each column is standardised, ``z = (x - mean) / sd``, so that no feature
    dominates the Euclidean distance by its unit; k-means then minimises
    ``sum_i ||z_i - c_{label(i)}||^2`` (Lloyd's algorithm, k-means++ starts).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0]])
    >>> labels, centers = kmeans_segments(X, 2)
    >>> labels.tolist()
    [0, 0, 0, 1, 1]
    >>> centers.round(2).values.tolist()
    [[0.03, 0.03], [5.05, 5.0]]
    """
    Z = _matrix(X)
    mask = np.ones(len(Z), bool) if fit_mask is None else np.asarray(fit_mask, bool)
    if mask.shape != (len(Z),):
        raise ValueError(f"fit_mask must have one boolean per row of X ({len(Z)}), got shape {mask.shape}")
    _check_k(k, int(mask.sum()))
    scaler, km = _fit(Z[mask], k, random_state, n_init)
    raw = km.predict(scaler.transform(Z))
    sizes = np.bincount(raw[mask], minlength=k)
    order = np.lexsort((np.arange(k), -sizes))  # largest first, ties by k-means number
    relabel = np.empty(k, np.int64)
    relabel[order] = np.arange(k)
    labels = relabel[raw]
    cols = list(X.columns) if isinstance(X, pd.DataFrame) else [f"x{j}" for j in range(Z.shape[1])]
    centers = pd.DataFrame(scaler.inverse_transform(km.cluster_centers_[order]), columns=cols)
    centers.index.name = "segment"
    return labels, centers


def stability_ari(
    X: pd.DataFrame | np.ndarray,
    k: int,
    n_resamples: int = 20,
    random_state: int = 0,
    *,
    n_init: int = 10,
) -> np.ndarray:
    """Stability of k-means segments across bootstrap resamples.

    Parameters
    ----------
    X : DataFrame or ndarray (n, p)
        Features, no missing values.
    k : int
        Number of segments.
    n_resamples : int, default 20
        Bootstrap resamples.
    random_state : int, default 0
        Seed of the resampling and of every k-means fit.
    n_init : int, default 10
        k-means restarts per fit.

    Returns
    -------
    ndarray (n_resamples,)
        Adjusted Rand index between the segments fitted on all rows and those
        fitted on each resample, both evaluated on all rows.

    Notes
    -----
    For each resample *b*, rows are drawn with replacement, the scaler and
    k-means are fitted on them, and every original row is assigned to its
    nearest resample centre; ``ARI_b = ARI(labels_full, labels_b)``. The ARI
    is 1 for identical partitions (whatever the numbering) and about 0 for
    unrelated ones (Hubert & Arabie 1985); segments worth naming should
    reach a median of about 0.7 or more (Hennig 2007 uses the Jaccard
    analogue).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(m, 0.3, size=(40, 2)) for m in (0, 4)])
    >>> float(stability_ari(X, 2, n_resamples=5).min())
    1.0
    """
    Z = _matrix(X)
    _check_k(k, len(Z))
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 1:
        raise ValueError(f"n_resamples must be a positive integer, got {n_resamples!r}")
    ref, _ = kmeans_segments(Z, k, random_state, n_init=n_init)
    rng = np.random.default_rng(random_state)
    out = np.empty(n_resamples)
    for b in range(n_resamples):
        rows = rng.integers(0, len(Z), len(Z))
        scaler, km = _fit(Z[rows], k, random_state + 1 + b, n_init)
        out[b] = adjusted_rand_score(ref, km.predict(scaler.transform(Z)))
    return out



def segment_profiles(features: pd.DataFrame, labels: Any) -> pd.DataFrame:
    """Size and mean feature values of each segment.

    Parameters
    ----------
    features : DataFrame (n, p)
        Per-customer features (numeric columns are profiled).
    labels : array-like (n,)
        Segment label per row (e.g. from :func:`kmeans_segments`).

    Returns
    -------
    DataFrame indexed by segment (sorted) with ``n``, ``share`` and the mean
    of every numeric feature.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"x": [1.0, 3.0, 10.0]})
    >>> segment_profiles(f, [0, 0, 1]).round(3)  # doctest: +NORMALIZE_WHITESPACE
             n  share     x
    segment
    0        2  0.667   2.0
    1        1  0.333  10.0
    """
    if not isinstance(features, pd.DataFrame):
        raise ValueError("features must be a pandas DataFrame")
    labels = np.asarray(labels)
    if labels.shape != (len(features),):
        raise ValueError(f"labels must have one entry per row of features ({len(features)}), got {labels.shape}")
    if len(features) == 0:
        raise ValueError("features is empty")
    num = features.select_dtypes("number")
    g = num.groupby(labels)
    prof = g.mean()
    prof.insert(0, "share", g.size() / len(features))
    prof.insert(0, "n", g.size().astype(np.int64))
    prof.index.name = "segment"
    return prof
