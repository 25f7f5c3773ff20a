"""Predicting churn: features at a cutoff, out-of-time validation, a model, and how good it is.

* :func:`churn_features` - customer features using data up to a cutoff only;
* :func:`out_of_time_split` - train and test sets one outcome window apart
  (:class:`OutOfTimeSplit`);
* :func:`train_churn_model`, :func:`predict_churn` - a logistic or
  gradient-boosting classifier and its churn probabilities;
* :func:`evaluate_churn_model` - AUC, top-decile lift, Brier score
  (:class:`ChurnModelEvaluation`);
* :func:`gains_table` - gains and lift by score bin (draw it with
  :func:`crmlab.plots.gains_chart`);
* :func:`calibration_table` - predicted versus observed churn by bin and the
  expected calibration error (:class:`Calibration`).

References
----------
Neslin, S. A., Gupta, S., Kamakura, W., Lu, J. & Mason, C. H. (2006).
Defection detection: measuring and understanding the predictive accuracy of
customer churn models. *Journal of Marketing Research* 43(2), 204-211.

Examples
--------
>>> from crmlab.analysis.churn.prediction import evaluate_churn_model
>>> evaluate_churn_model([1, 0, 1, 0], [0.9, 0.2, 0.7, 0.4]).auc
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from ..._checks import as_datetimes, as_timestamp, positive_int, require_columns
from ...domain import COUNTED_STATUSES, FAILURE_KINDS, counted_orders
from .._churn_common import DAYS_PER_YEAR, binary, bins_by_score, days, failure_kind, scores
from .._results import DEFAULT_CONFIDENCE, Result, z_value
from .definition import churn_labels

__all__ = [
    "churn_features",
    "OutOfTimeSplit",
    "out_of_time_split",
    "train_churn_model",
    "predict_churn",
    "ChurnModelEvaluation",
    "evaluate_churn_model",
    "gains_table",
    "Calibration",
    "calibration_table",
]


# ============================================================================ features
def churn_features(
    orders: pd.DataFrame,
    service_events: pd.DataFrame | None,
    customers: pd.DataFrame | None = None,
    *,
    cutoff: Any,
    lookback_days: int | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> pd.DataFrame:
    """Customer features for churn prediction, using data up to ``cutoff`` only.

    Parameters
    ----------
    orders : DataFrame
        The ``orders`` table (``customer_id, order_ts, status, channel``;
        ``order_value`` if present).
    service_events : DataFrame or None
        The ``service_events`` table (may be empty or None).
    customers : DataFrame, optional
        The ``customers`` table; adds age, gender, city tier and sign-up
        channel. ``is_member`` is not used: it describes the end of the data
        window and would leak the future.
    cutoff : date-like
        Features use orders and events at or before ``cutoff``.
    lookback_days : int, optional
        Only use the last ``lookback_days`` of history (all history if None).
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Statuses that count as purchases for recency/frequency/monetary.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id`` (customers with at least one purchase in
        the history), all columns numeric:

        ``recency_days``, ``frequency``, ``tenure_days``, ``purchase_rate``
        (purchases per year of tenure, tenure floored at 30 days),
        ``orders_last_90d``, ``orders_last_180d``, ``monetary``,
        ``total_spend`` (if ``order_value`` is present), ``n_cancelled``,
        ``n_returned``, ``share_web``, ``share_app``, one ``n_<kind>`` count
        per failure kind plus ``n_complaints``, ``failures_last_180d``, and
        from ``customers``: ``age``, ``female``, ``city_tier``,
        ``signup_web``, ``signup_app``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2", "o3"], "customer_id": ["a", "a", "b"],
    ...     "order_ts": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-15"]),
    ...     "status": "completed", "channel": ["web", "app", "store"], "order_value": [100.0, 300.0, 50.0]})
    >>> events = pd.DataFrame({"order_id": ["o2"], "customer_id": ["a"], "event_ts": pd.to_datetime(["2024-02-02"]),
    ...     "event_type": ["late_delivery"], "resolved": pd.array([None], dtype="boolean")})
    >>> f = churn_features(orders, events, cutoff="2024-03-01")
    >>> f.loc["a", ["recency_days", "frequency", "monetary", "n_late_delivery"]].tolist()
    [29.0, 2.0, 200.0, 1.0]
    """
    cut = as_timestamp(cutoff, "cutoff")
    require_columns(orders, ["customer_id", "order_ts", "status", "channel"], table="orders", non_empty=True)
    o = orders.assign(order_ts=as_datetimes(orders["order_ts"], "orders.order_ts"))
    o = o[o["customer_id"].notna() & (o["order_ts"] <= cut)]
    if lookback_days is not None:
        o = o[o["order_ts"] > cut - pd.Timedelta(days=positive_int(lookback_days, "lookback_days"))]
    buy = counted_orders(o, statuses)
    if buy.empty:
        raise ValueError(f"orders: no purchases at or before the cutoff {cut.date()}")
    g = buy.groupby("customer_id")
    first, last = g["order_ts"].min(), g["order_ts"].max()
    f = pd.DataFrame(index=first.index.sort_values())
    f.index.name = "customer_id"
    f["recency_days"] = days(cut - last.reindex(f.index))
    f["frequency"] = g.size().reindex(f.index).astype(float)
    f["tenure_days"] = days(cut - first.reindex(f.index))
    f["purchase_rate"] = f["frequency"] / np.maximum(f["tenure_days"], 30.0) * DAYS_PER_YEAR
    for d in (90, 180):
        recent = buy[buy["order_ts"] > cut - pd.Timedelta(days=d)]
        f[f"orders_last_{d}d"] = recent.groupby("customer_id").size().reindex(f.index, fill_value=0).astype(float)
    if "order_value" in buy.columns:
        f["monetary"] = g["order_value"].mean().reindex(f.index).fillna(0.0)
        f["total_spend"] = g["order_value"].sum().reindex(f.index).fillna(0.0)
    oo = o[o["customer_id"].isin(f.index)]
    for st in ("cancelled", "returned"):
        f[f"n_{st}"] = oo[oo["status"] == st].groupby("customer_id").size().reindex(f.index, fill_value=0).astype(float)
    n_all = oo.groupby("customer_id").size().reindex(f.index)
    for ch in ("web", "app"):
        f[f"share_{ch}"] = (oo[oo["channel"] == ch].groupby("customer_id").size().reindex(f.index, fill_value=0)
                            / n_all).astype(float)
    f = f.join(_failure_features(service_events, f.index, cut, lookback_days))
    if customers is not None:
        f = f.join(_customer_features(customers, cut), how="left")
    return f.astype(float)


def _failure_features(events: pd.DataFrame | None, index: pd.Index, cut: pd.Timestamp,
                      lookback_days: int | None) -> pd.DataFrame:
    cols = [f"n_{k}" for k in FAILURE_KINDS] + ["n_complaints", "failures_last_180d"]
    out = pd.DataFrame(0.0, index=index, columns=cols)
    if events is None or len(events) == 0:
        return out
    require_columns(events, ["customer_id", "event_ts", "event_type"], table="service_events")
    ev = events.assign(event_ts=as_datetimes(events["event_ts"], "service_events.event_ts"))
    ev = ev[(ev["event_ts"] <= cut) & ev["customer_id"].isin(index)]
    if lookback_days is not None:
        ev = ev[ev["event_ts"] > cut - pd.Timedelta(days=lookback_days)]
    if ev.empty:
        return out
    kind = failure_kind(ev)
    for k in FAILURE_KINDS:
        out[f"n_{k}"] = ev[kind == k].groupby("customer_id").size().reindex(index, fill_value=0).astype(float)
    out["n_complaints"] = ev[ev["event_type"] == "complaint"].groupby("customer_id").size().reindex(
        index, fill_value=0).astype(float)
    fails = ev[kind.isin([k for k in FAILURE_KINDS if k != "unresolved_complaint"])]
    fails = fails[fails["event_ts"] > cut - pd.Timedelta(days=180)]
    out["failures_last_180d"] = fails.groupby("customer_id").size().reindex(index, fill_value=0).astype(float)
    return out


def _customer_features(customers: pd.DataFrame, cut: pd.Timestamp) -> pd.DataFrame:
    require_columns(customers, ["customer_id"], table="customers", non_empty=True)
    c = customers.drop_duplicates("customer_id").set_index("customer_id")
    out = pd.DataFrame(index=c.index)
    if "birth_year" in c.columns:
        out["age"] = cut.year - pd.to_numeric(c["birth_year"], errors="coerce").astype(float)
    if "gender" in c.columns:
        out["female"] = np.where(c["gender"].isna(), np.nan, (c["gender"] == "female").astype(float))
    if "city_tier" in c.columns:
        out["city_tier"] = pd.to_numeric(c["city_tier"], errors="coerce").astype(float)
    if "signup_channel" in c.columns:
        for ch in ("web", "app"):
            out[f"signup_{ch}"] = (c["signup_channel"] == ch).astype(float)
    return out


# ============================================================================ out-of-time split
@dataclass(frozen=True)
class OutOfTimeSplit:
    """Training and test sets for out-of-time validation of a churn model.

    Attributes
    ----------
    X_train, X_test : DataFrame
        Features at ``train_cutoff`` and ``test_cutoff``.
    y_train, y_test : Series
        Churn labels (bool) aligned with the features.
    train_cutoff, test_cutoff : Timestamp
        ``as_of - 2 * window_days`` and ``as_of - window_days``.
    window_days : int
    """

    X_train: pd.DataFrame = field(repr=False)
    y_train: pd.Series = field(repr=False)
    X_test: pd.DataFrame = field(repr=False)
    y_test: pd.Series = field(repr=False)
    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    window_days: int


def out_of_time_split(
    orders: pd.DataFrame,
    service_events: pd.DataFrame | None,
    customers: pd.DataFrame | None = None,
    *,
    as_of: Any,
    window_days: int,
    lookback_days: int | None = None,
    statuses: Sequence[str] | None = COUNTED_STATUSES,
) -> OutOfTimeSplit:
    """Build train and test sets one outcome window apart.

    The training set has features at ``as_of - 2 * window_days`` and labels
    from the following window; the test set has features at
    ``as_of - window_days`` and labels from ``(as_of - window_days, as_of]``.
    The two label windows do not overlap, so a model trained on the first is
    tested on a period it has never seen - as it will be used.

    Parameters
    ----------
    orders, service_events, customers : DataFrame
        Tables of the data contract (``service_events`` and ``customers``
        optional).
    as_of : date-like
        End of the data; the test labels end here.
    window_days : int
        Churn window. The history before the training cutoff must be long
        enough: with two years of data, ``window_days`` should be at most
        about 270 days.
    lookback_days : int, optional
        Passed to :func:`churn_features`.
    statuses : sequence of str or None, default :data:`crmlab.domain.COUNTED_STATUSES`
        Statuses that count as purchases, for the features and the labels.

    Returns
    -------
    OutOfTimeSplit

    Examples
    --------
    >>> import crmlab
    >>> d = crmlab.make_retail_crm("tiny", seed=1)
    >>> sp = out_of_time_split(d.orders, d.service_events, as_of="2025-07-01", window_days=150)
    >>> sp.train_cutoff, sp.test_cutoff
    (Timestamp('2024-09-04 00:00:00'), Timestamp('2025-02-01 00:00:00'))
    >>> sp.X_test.index.equals(sp.y_test.index)
    True
    """
    end = as_timestamp(as_of, "as_of")
    w = positive_int(window_days, "window_days")
    test_cut = end - pd.Timedelta(days=w)
    train_cut = end - pd.Timedelta(days=2 * w)
    require_columns(orders, ["customer_id", "order_ts", "status"], table="orders", non_empty=True)
    ts = as_datetimes(orders["order_ts"], "orders.order_ts")
    first = ts.min()
    if train_cut <= first:
        raise ValueError(f"window_days: the training cutoff {train_cut.date()} is not after the first order "
                         f"({first.date()}); use a shorter window or a later as_of")
    o = orders[ts <= end]
    sets = []
    for cut in (train_cut, test_cut):
        X = churn_features(o, service_events, customers, cutoff=cut, lookback_days=lookback_days, statuses=statuses)
        y = churn_labels(o, cutoff=cut, window_days=w, as_of=end, statuses=statuses)["churned"]
        idx = X.index.intersection(y.index)
        sets += [X.loc[idx], y.loc[idx]]
    return OutOfTimeSplit(sets[0], sets[1], sets[2], sets[3], train_cut, test_cut, w)


# ============================================================================ model
def _signed_log1p(x: np.ndarray) -> np.ndarray:
    return np.sign(x) * np.log1p(np.abs(x))


def train_churn_model(
    features: pd.DataFrame,
    labels: pd.Series | pd.DataFrame,
    model: Literal["logistic", "gbm"] = "logistic",
    random_state: int = 0,
):
    """Fit a churn classifier.

    Parameters
    ----------
    features : DataFrame
        Numeric features indexed by customer (:func:`churn_features`).
    labels : Series or DataFrame
        Churn labels indexed by customer (bool); a DataFrame must have a
        ``churned`` column (:func:`~crmlab.analysis.churn.definition.churn_labels`).
        Only customers present in both are used.
    model : {"logistic", "gbm"}
        ``logistic``: median imputation, ``sign(x) log(1 + |x|)`` of every
        feature, standardisation and an L2-penalised logistic regression
        (C = 1). ``gbm``: histogram gradient boosting (200 trees of at most
        15 leaves, learning rate 0.05, at least 40 customers per leaf).
    random_state : int
        Seed of the gradient-boosting model.

    Returns
    -------
    sklearn Pipeline
        Fitted; ``feature_names_in_`` holds the feature names. Score new
        customers with :func:`predict_churn`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"recency_days": np.arange(40.0)}, index=[f"c{i}" for i in range(40)])
    >>> y = pd.Series(X["recency_days"] > 20, index=X.index)
    >>> m = train_churn_model(X, y)
    >>> p = predict_churn(m, X)
    >>> float(((p > 0.5) == y).mean()), bool(p.iloc[0] < 0.1 and p.iloc[-1] > 0.8)
    (0.95, True)
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    X, y = _align(features, labels)
    if len(np.unique(y)) < 2:
        raise ValueError("labels: both churners and non-churners are needed to train a model")
    if model == "logistic":
        est = Pipeline([
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("log", FunctionTransformer(_signed_log1p)),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(C=1.0, max_iter=2000)),
        ])
    elif model == "gbm":
        est = Pipeline([
            ("clf", HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                   min_samples_leaf=40, l2_regularization=1.0,
                                                   early_stopping=False, random_state=random_state)),
        ])
    else:
        raise ValueError(f"model: must be 'logistic' or 'gbm' (got {model!r})")
    return est.fit(X, y)


def _align(features: pd.DataFrame, labels: pd.Series | pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    if not isinstance(features, pd.DataFrame) or features.shape[1] == 0:
        raise ValueError("features: expected a DataFrame with at least one column")
    if isinstance(labels, pd.DataFrame):
        require_columns(labels, ["churned"], table="labels")
        labels = labels["churned"]
    idx = features.index.intersection(labels.index)
    if len(idx) < 20:
        raise ValueError(f"features/labels: only {len(idx)} customers in common; at least 20 are needed")
    return features.loc[idx], binary(labels.loc[idx].to_numpy(), "labels").astype(int)


def predict_churn(model, features: pd.DataFrame) -> pd.Series:
    """Predicted churn probability of each customer.

    Parameters
    ----------
    model : fitted estimator from :func:`train_churn_model`
    features : DataFrame
        Must contain the training features (extra columns are ignored).

    Returns
    -------
    Series
        ``churn_probability`` indexed like ``features``.
    """
    names = list(getattr(model, "feature_names_in_", features.columns))
    missing = [c for c in names if c not in features.columns]
    if missing:
        raise ValueError(f"features: missing column(s) the model was trained on: {', '.join(missing)}")
    p = model.predict_proba(features[names])[:, 1]
    return pd.Series(p, index=features.index, name="churn_probability")


# ============================================================================ evaluation
@dataclass(frozen=True, repr=False)
class ChurnModelEvaluation(Result):
    """Discrimination and calibration summary of churn scores (:func:`evaluate_churn_model`).

    Attributes
    ----------
    auc : float
        Area under the ROC curve.
    gini : float
        ``2 auc - 1``.
    top_decile_lift : float
        Churn rate among the ``top_share`` highest scores / overall churn rate.
    top_decile_rate : float
        Churn rate among the ``top_share`` highest scores.
    base_rate : float
        Overall churn rate (the lift cannot exceed ``1 / base_rate``).
    brier : float
        Mean squared error of the score as a probability (NaN if scores lie outside [0, 1]).
    n : int
        Customers scored.
    top_share : float
        Share of customers in the "top decile".
    auc_ci_low, auc_ci_high : float
        Confidence interval of the AUC (DeLong's variance, normal interval).
    lift_ci_low, lift_ci_high : float
        Confidence interval of the top-decile lift (binomial interval of
        the top-decile churn rate divided by the base rate, which is
        estimated on ten times more customers and treated as known).
    confidence_level : float
    """

    auc: float
    gini: float
    top_decile_lift: float
    top_decile_rate: float
    base_rate: float
    brier: float
    n: int
    top_share: float = 0.1
    auc_ci_low: float = float("nan")
    auc_ci_high: float = float("nan")
    lift_ci_low: float = float("nan")
    lift_ci_high: float = float("nan")
    confidence_level: float = DEFAULT_CONFIDENCE


def _delong_se(y: np.ndarray, s: np.ndarray) -> float:
    """DeLong et al. (1988) standard error of the AUC, from midranks."""
    from scipy.stats import rankdata

    pos, neg = s[y == 1], s[y == 0]
    m, n = len(pos), len(neg)
    r_all = rankdata(np.r_[pos, neg])
    v10 = (r_all[:m] - rankdata(pos)) / n  # per churner: share of non-churners scored lower (ties 1/2)
    v01 = 1.0 - (r_all[m:] - rankdata(neg)) / m  # per non-churner: share of churners scored higher
    var = (np.var(v10, ddof=1) if m > 1 else 0.0) / m + (np.var(v01, ddof=1) if n > 1 else 0.0) / n
    return float(np.sqrt(var))


def evaluate_churn_model(y_true: Any, score: Any, *, top_share: float = 0.1,
                         confidence_level: float = DEFAULT_CONFIDENCE) -> ChurnModelEvaluation:
    """Discrimination and calibration summary of churn scores.

    Parameters
    ----------
    y_true : array-like of bool/0-1
        Observed churn.
    score : array-like of float
        Higher = more likely to churn (a probability for the Brier score).
    top_share : float
        Share of customers in the "top decile" (0.1).
    confidence_level : float, default 0.95
        Level of the intervals of the AUC and the lift.

    Returns
    -------
    ChurnModelEvaluation
        ``auc``, ``gini``, ``top_decile_lift``, ``top_decile_rate``,
        ``base_rate``, ``brier``, ``n``, ``top_share``, ``auc_ci_low``,
        ``auc_ci_high``, ``lift_ci_low``, ``lift_ci_high``,
        ``confidence_level``.

    Notes
    -----
    AUC is the probability that a random churner scores higher than a random
    non-churner (ties count 1/2); its interval uses DeLong, DeLong &
    Clarke-Pearson's (1988) variance. Top-decile lift is the measure of
    Neslin et al. (2006): how many times more churners a campaign aimed at
    the top 10% reaches than a random one.

    Examples
    --------
    >>> r = evaluate_churn_model([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [.9, .4, .5, .1, .1, .1, .1, .1, .1, .1])
    >>> round(r.auc, 4), r.top_decile_lift
    (0.9375, 5.0)
    """
    from sklearn.metrics import roc_auc_score

    y = binary(y_true, "y_true")
    s = scores(score, len(y), "score")
    if y.min() == y.max():
        raise ValueError("y_true: both churners and non-churners are needed")
    if not 0 < top_share < 1:
        raise ValueError(f"top_share: must be in (0, 1) (got {top_share!r})")
    z = z_value(confidence_level)
    auc = float(roc_auc_score(y, s))
    se = _delong_se(y, s)
    k = max(int(round(top_share * len(y))), 1)
    top = np.argsort(-s, kind="stable")[:k]
    base = float(y.mean())
    rate = float(y[top].mean())
    se_rate = np.sqrt(rate * (1 - rate) / k)
    brier = float(np.mean((s - y) ** 2)) if (s.min() >= 0 and s.max() <= 1) else float("nan")
    return ChurnModelEvaluation(auc=auc, gini=2 * auc - 1, top_decile_lift=rate / base,
                                top_decile_rate=rate, base_rate=base, brier=brier, n=int(len(y)),
                                top_share=float(top_share), auc_ci_low=max(auc - z * se, 0.0),
                                auc_ci_high=min(auc + z * se, 1.0), lift_ci_low=max(rate - z * se_rate, 0.0) / base,
                                lift_ci_high=min(rate + z * se_rate, 1.0) / base,
                                confidence_level=float(confidence_level))


def gains_table(y: Any, score: Any, n_bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score bin (bin 1 = highest scores).

    Parameters
    ----------
    y : array-like of bool/0-1
        Observed churn.
    score : array-like of float
        Churn score (higher = riskier).
    n_bins : int
        Number of equal-count bins (10 = deciles).

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1..n_bins) with ``n``, ``n_churners``,
        ``min_score``, ``max_score``, ``churn_rate``, ``lift`` (bin rate /
        overall rate), ``cum_share_customers``, ``cum_share_churners`` (the
        gains curve, :func:`crmlab.plots.gains_chart`) and ``cum_lift``.

    Examples
    --------
    >>> t = gains_table([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], n_bins=5)
    >>> t["lift"].round(3).tolist()
    [3.333, 1.667, 0.0, 0.0, 0.0]
    >>> t["cum_share_churners"].round(3).tolist()
    [0.667, 1.0, 1.0, 1.0, 1.0]
    """
    yy = binary(y, "y")
    s = scores(score, len(yy), "score")
    if yy.sum() == 0:
        raise ValueError("y: no churners; lift is undefined")
    b = bins_by_score(s, n_bins)
    df = pd.DataFrame({"bin": b, "y": yy, "s": s})
    t = df.groupby("bin").agg(n=("y", "size"), n_churners=("y", "sum"), min_score=("s", "min"),
                              max_score=("s", "max"))
    base = yy.mean()
    t["n_churners"] = t["n_churners"].astype(np.int64)
    t["churn_rate"] = t["n_churners"] / t["n"]
    t["lift"] = t["churn_rate"] / base
    t["cum_share_customers"] = t["n"].cumsum() / t["n"].sum()
    t["cum_share_churners"] = t["n_churners"].cumsum() / t["n_churners"].sum()
    t["cum_lift"] = t["cum_share_churners"] / t["cum_share_customers"]
    return t


@dataclass(frozen=True, repr=False)
class Calibration(Result):
    """Calibration of churn probabilities (:func:`calibration_table`).

    Attributes
    ----------
    table : DataFrame
        Indexed by ``bin`` (1 = highest probabilities): ``n``,
        ``mean_predicted``, ``observed_rate``, ``difference`` (observed -
        predicted) and ``se`` (binomial standard error of the observed rate).
    ece : float
        Expected calibration error ``sum_b n_b |observed_b - predicted_b| / n``.
    """

    table: pd.DataFrame
    ece: float


def calibration_table(y: Any, prob: Any, n_bins: int = 10) -> Calibration:
    """Predicted versus observed churn rate by bin of predicted probability.

    Parameters
    ----------
    y : array-like of bool/0-1
        Observed churn.
    prob : array-like of float in [0, 1]
        Predicted churn probabilities.
    n_bins : int
        Number of equal-count bins (bin 1 = highest probabilities).

    Returns
    -------
    Calibration
        ``table`` (one row per bin) and ``ece`` (expected calibration error).

    Examples
    --------
    >>> cal = calibration_table([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9], n_bins=2)
    >>> cal.table[["mean_predicted", "observed_rate"]].round(2).to_dict("list")
    {'mean_predicted': [0.85, 0.15], 'observed_rate': [1.0, 0.0]}
    >>> round(cal.ece, 2)
    0.15
    """
    yy = binary(y, "y")
    p = scores(prob, len(yy), "prob")
    if p.min() < 0 or p.max() > 1:
        raise ValueError("prob: probabilities must lie in [0, 1]")
    b = bins_by_score(p, n_bins)
    df = pd.DataFrame({"bin": b, "y": yy, "p": p})
    t = df.groupby("bin").agg(n=("y", "size"), mean_predicted=("p", "mean"), observed_rate=("y", "mean"))
    t["difference"] = t["observed_rate"] - t["mean_predicted"]
    t["se"] = np.sqrt(t["observed_rate"] * (1 - t["observed_rate"]) / t["n"])
    return Calibration(table=t, ece=float((t["n"] * t["difference"].abs()).sum() / t["n"].sum()))
