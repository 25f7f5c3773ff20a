"""Retention campaigns: the effect of a randomised offer, uplift, targeting and its profit.

* :func:`campaign_effect` - average treatment effect of a randomised
  campaign (:class:`CampaignEffect`);
* :func:`uplift_by_group` - the effect within groups (segments, risk deciles);
* :func:`tlearner_uplift` - cross-fitted T-learner uplift scores;
* :func:`qini_table` - incremental responses when targeting the top of a score;
* :func:`targeting_comparison` - profit of targeting by churn risk, by uplift
  or at random;
* :func:`retention_profit` - the retention-profit formula.

Target by uplift, not by risk: some customers leave whatever we do, and
"sleeping dogs" react badly to being contacted (Ascarza 2018).

References
----------
Ascarza, E. (2018). Retention futility: targeting high-risk customers might
be ineffective. *Journal of Marketing Research* 55(1), 80-98.

Neslin, S. A., Gupta, S., Kamakura, W., Lu, J. & Mason, C. H. (2006).
Defection detection: measuring and understanding the predictive accuracy of
customer churn models. *Journal of Marketing Research* 43(2), 204-211.

Radcliffe, N. J. (2007). Using control groups to target on predicted lift.
*Direct Marketing Analytics Journal* 1, 14-21.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.uplift import campaign_effect
>>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True] * 4 + [False] * 4,
...                   "responded": [1, 1, 1, 0, 1, 0, 0, 0]})
>>> campaign_effect(c).ate
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._checks import fraction, require_columns
from ._churn_common import binary, bins_by_score
from ._results import DEFAULT_CONFIDENCE, Result, z_value
from .churn.prediction import train_churn_model

__all__ = [
    "CampaignEffect",
    "campaign_effect",
    "uplift_by_group",
    "tlearner_uplift",
    "qini_table",
    "targeting_comparison",
    "retention_profit",
]


@dataclass(frozen=True, repr=False)
class CampaignEffect(Result):
    """Average treatment effect of a randomised campaign (:func:`campaign_effect`).

    Attributes
    ----------
    ate : float
        Treated minus control response rate.
    se : float
        Neyman standard error.
    ci_low, ci_high : float
        Normal confidence interval.
    n_treated, n_control : int
    rate_treated, rate_control : float
        Response rates.
    confidence_level : float
    """

    ate: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control: int
    rate_treated: float
    rate_control: float
    confidence_level: float = DEFAULT_CONFIDENCE

    def excludes(self, null: float = 0.0) -> bool:
        """True when the interval lies entirely above or below ``null``."""
        return bool(self.ci_low > null or self.ci_high < null)


_TABLE_FIELDS = ["ate", "se", "ci_low", "ci_high", "n_treated", "n_control", "rate_treated", "rate_control"]


def _campaign(campaigns: pd.DataFrame, outcome: str) -> pd.DataFrame:
    require_columns(campaigns, ["customer_id", "treated", outcome], table="campaigns", non_empty=True)
    c = campaigns[campaigns["treated"].notna() & campaigns[outcome].notna()]
    tr = c["treated"].astype(bool)
    if tr.sum() < 2 or (~tr).sum() < 2:
        raise ValueError("campaigns: at least two treated and two control customers are needed")
    return c.assign(treated=tr.to_numpy(), _y=binary(c[outcome].to_numpy(), outcome))


def _diff_in_means(y: np.ndarray, t: np.ndarray, confidence_level: float) -> CampaignEffect:
    z = z_value(confidence_level)
    y1, y0 = y[t], y[~t]
    n1, n0 = len(y1), len(y0)
    p1 = y1.mean() if n1 else np.nan
    p0 = y0.mean() if n0 else np.nan
    se = np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0) if n1 and n0 else np.nan
    ate = p1 - p0
    return CampaignEffect(ate=float(ate), se=float(se), ci_low=float(ate - z * se), ci_high=float(ate + z * se),
                          n_treated=int(n1), n_control=int(n0), rate_treated=float(p1), rate_control=float(p0),
                          confidence_level=float(confidence_level))


def _row(e: CampaignEffect) -> dict[str, Any]:
    return {k: getattr(e, k) for k in _TABLE_FIELDS}


def campaign_effect(
    campaigns: pd.DataFrame,
    *,
    confidence_level: float = DEFAULT_CONFIDENCE,
    outcome: str = "responded",
) -> CampaignEffect:
    """Average treatment effect of a randomised campaign (difference in means).

    Parameters
    ----------
    campaigns : DataFrame
        The ``campaigns`` table (``customer_id``, ``treated``, ``responded``).
    confidence_level : float, default 0.95
        Level of the interval.
    outcome : str
        Binary outcome column.

    Returns
    -------
    CampaignEffect
        ``ate``, ``se``, ``ci_low``, ``ci_high``, ``n_treated``,
        ``n_control``, ``rate_treated``, ``rate_control``, ``confidence_level``.

    Notes
    -----
    ``ATE_hat = p1 - p0``; with randomisation it is unbiased for the average
    effect on the targeted customers. Neyman's standard error
    ``sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0)`` and a normal interval.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True] * 4 + [False] * 4,
    ...                   "responded": [1, 1, 1, 0, 1, 0, 0, 0]})
    >>> e = campaign_effect(c)
    >>> round(e.ate, 3), round(e.ci_low, 3), e.excludes(0.0)
    (0.5, -0.1, False)
    """
    z_value(confidence_level)
    c = _campaign(campaigns, outcome)
    return _diff_in_means(c["_y"].to_numpy(), c["treated"].to_numpy(), confidence_level)


def uplift_by_group(
    campaigns: pd.DataFrame,
    groups: str | pd.Series,
    *,
    confidence_level: float = DEFAULT_CONFIDENCE,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Campaign uplift (treated minus control response rate) within groups.

    Parameters
    ----------
    campaigns : DataFrame
        The ``campaigns`` table.
    groups : str or Series
        A column of ``campaigns``, or a Series indexed by ``customer_id``
        (e.g. a segment, or a risk decile from a churn model).
    confidence_level : float, default 0.95
        Level of the intervals.
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        Indexed by ``group``: the fields of :class:`CampaignEffect` with
        ``ate`` renamed ``uplift`` (``uplift, se, ci_low, ci_high, n_treated,
        n_control, rate_treated, rate_control``). Customers without a group
        are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True, False] * 4,
    ...                   "responded": [1, 0, 1, 0, 0, 1, 0, 1], "seg": list("xxxxyyyy")})
    >>> uplift_by_group(c, "seg")["uplift"].to_dict()
    {'x': 1.0, 'y': -1.0}
    """
    z_value(confidence_level)
    c = _campaign(campaigns, outcome)
    if isinstance(groups, str):
        g = require_columns(c, [groups], table="campaigns")[groups]
    else:
        g = c["customer_id"].map(pd.Series(groups))
    rows = {}
    for key in sorted(g.dropna().unique(), key=str):
        m = (g == key).to_numpy()
        rows[key] = _row(_diff_in_means(c["_y"].to_numpy()[m], c["treated"].to_numpy()[m], confidence_level))
    if not rows:
        raise ValueError("groups: no campaign customer has a group value")
    out = pd.DataFrame.from_dict(rows, orient="index").rename(columns={"ate": "uplift"})
    out.index.name = "group"
    return out


def tlearner_uplift(
    features: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    outcome: str = "responded",
    model: Literal["logistic", "gbm"] = "logistic",
    n_folds: int = 5,
    random_state: int = 0,
) -> pd.Series:
    """Cross-fitted T-learner uplift scores for the campaign's customers.

    Parameters
    ----------
    features : DataFrame
        Pre-campaign features indexed by ``customer_id`` (e.g.
        :func:`~crmlab.analysis.churn.prediction.churn_features` at the send date).
    campaigns : DataFrame
        The ``campaigns`` table.
    outcome : str
        Binary outcome column.
    model : {"logistic", "gbm"}
        Response model (as in :func:`~crmlab.analysis.churn.prediction.train_churn_model`).
    n_folds : int
        Folds of the cross-fitting.
    random_state : int
        Seed of the fold assignment (and of the gbm).

    Returns
    -------
    Series
        ``uplift`` indexed by ``customer_id``: ``P(respond | treated, x) -
        P(respond | control, x)``.

    Notes
    -----
    T-learner (Kunzel et al. 2019): one response model on the treated, one
    on the controls; the uplift is the difference of their predictions.
    Each customer's score comes from models fitted on the other folds, so
    evaluating the targeting on the same campaign (:func:`qini_table`,
    :func:`targeting_comparison`) is not flattered by over-fitting.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> ids = [f"c{i}" for i in range(400)]
    >>> x = rng.normal(size=400)
    >>> t = rng.random(400) < 0.5
    >>> c = pd.DataFrame({"customer_id": ids, "treated": t, "responded": rng.random(400) < 0.1 + 0.4 * t * (x > 0)})
    >>> u = tlearner_uplift(pd.DataFrame({"x": x}, index=ids), c, n_folds=2)
    >>> bool(u[x > 0].mean() > u[x <= 0].mean() + 0.1)
    True
    """
    from sklearn.model_selection import StratifiedKFold

    c = _campaign(campaigns, outcome).drop_duplicates("customer_id").set_index("customer_id")
    idx = c.index.intersection(features.index)
    if len(idx) < 10 * n_folds:
        raise ValueError(f"features/campaigns: only {len(idx)} campaign customers have features")
    X = features.loc[idx]
    t = c.loc[idx, "treated"].to_numpy(bool)
    y = c.loc[idx, "_y"].to_numpy(int)
    strata = t.astype(int) * 2 + y
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    score = np.empty(len(idx))
    for tr, te in folds.split(X, strata):
        preds = []
        for arm in (True, False):
            sel = tr[t[tr] == arm]
            if len(np.unique(y[sel])) < 2:
                preds.append(np.full(len(te), y[sel].mean()))
                continue
            m = train_churn_model(X.iloc[sel], pd.Series(y[sel], index=X.index[sel]), model=model,
                                  random_state=random_state)
            preds.append(m.predict_proba(X.iloc[te])[:, 1])
        score[te] = preds[0] - preds[1]
    return pd.Series(score, index=idx, name="uplift")


def qini_table(
    campaigns: pd.DataFrame,
    score: pd.Series,
    n_bins: int = 10,
    *,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Incremental responses when targeting the top of a score (uplift / Qini curve).

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table.
    score : Series
        Targeting score indexed by ``customer_id`` (higher = target first).
    n_bins : int
        Number of equal-count bins.

    Returns
    -------
    DataFrame
        Indexed by ``bin`` (1 = highest scores): ``n``, ``uplift`` (treated
        minus control response rate in the bin), ``cum_share`` (share of
        customers targeted when the top bins are), ``cum_uplift`` (uplift
        among the targeted) and ``cum_incremental`` (``cum_uplift`` times the
        number targeted: extra responses if everyone targeted were treated).

    Notes
    -----
    Because treatment is randomised within every bin, the treated-minus-
    control difference among the customers a score would target estimates
    the uplift of targeting them (Radcliffe 2007).

    Examples
    --------
    >>> import pandas as pd
    >>> ids = [f"c{i}" for i in range(8)]
    >>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False] * 4, "responded": [1, 0, 1, 0, 0, 0, 0, 0]})
    >>> q = qini_table(c, pd.Series([8.0, 7, 6, 5, 4, 3, 2, 1], index=ids), n_bins=2)
    >>> q[["uplift", "cum_incremental"]].to_dict("list")
    {'uplift': [1.0, 0.0], 'cum_incremental': [4.0, 4.0]}
    """
    c = _campaign(campaigns, outcome)
    s = c["customer_id"].map(pd.Series(score))
    c = c[s.notna().to_numpy()]
    s = s.dropna().to_numpy(float)
    if len(c) < n_bins * 4:
        raise ValueError(f"score: only {len(c)} campaign customers have a score")
    b = bins_by_score(s, n_bins)
    y, t = c["_y"].to_numpy(), c["treated"].to_numpy()
    rows = []
    for k in range(1, n_bins + 1):
        m, cm = b == k, b <= k
        d, dc = _diff_in_means(y[m], t[m], DEFAULT_CONFIDENCE), _diff_in_means(y[cm], t[cm], DEFAULT_CONFIDENCE)
        rows.append(dict(bin=k, n=int(m.sum()), uplift=d.ate, cum_share=cm.mean(), cum_uplift=dc.ate,
                         cum_incremental=dc.ate * cm.sum()))
    return pd.DataFrame(rows).set_index("bin")


def targeting_comparison(
    campaigns: pd.DataFrame,
    risk_score: pd.Series,
    uplift_score: pd.Series,
    *,
    budget_share: float = 0.3,
    value_per_response: float = 500.0,
    cost_per_contact: float = 1.0,
    cost_per_redemption: float = 0.0,
    confidence_level: float = DEFAULT_CONFIDENCE,
    outcome: str = "responded",
) -> pd.DataFrame:
    """Profit of targeting the top ``budget_share`` by churn risk, by uplift, or at random.

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table (the evaluation sample).
    risk_score : Series
        Churn risk by ``customer_id`` (e.g. :func:`~crmlab.analysis.churn.prediction.predict_churn`).
    uplift_score : Series
        Predicted uplift by ``customer_id`` (e.g. :func:`tlearner_uplift`).
    budget_share : float
        Share of the campaign's customers that can be contacted.
    value_per_response : float
        Margin of one *incremental* response, yuan.
    cost_per_contact : float
        Cost of contacting one customer, yuan.
    cost_per_redemption : float
        Cost of an offer redeemed by a treated responder, yuan (paid to the
        customers who would have bought anyway too).
    confidence_level : float, default 0.95
        Level of the intervals of the uplift.
    outcome : str
        Binary outcome column.

    Returns
    -------
    DataFrame
        Indexed by ``strategy`` (``random``, ``risk``, ``uplift``):
        ``n_targeted``, ``uplift`` (estimated in the targeted group),
        ``ci_low``, ``ci_high``, ``incremental_responses``,
        ``response_rate_treated`` and ``profit``.

    Notes
    -----
    Targeting policy *P* contacts the set *S_P* of the top ``budget_share``
    customers by its score. Its profit is estimated on the randomised
    campaign as

    ``profit = |S| (uplift_S * value - cost_per_contact - p1_S * cost_per_redemption)``

    with ``uplift_S`` the treated-minus-control response rate within *S*
    and ``p1_S`` the treated response rate in *S*. Targeting by risk aims at
    the customers most likely to leave; targeting by uplift at those whose
    behaviour the offer changes most. The two need not coincide - high-risk
    customers may be unreachable, and some low-risk ones react badly
    ("sleeping dogs") - which is why uplift targeting usually earns more
    (Ascarza 2018). Scores must not be fitted on the evaluation sample
    (use cross-fitting, :func:`tlearner_uplift`). The ``random`` row targets
    everyone's average (the ATE) at the same budget.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ids = [f"c{i}" for i in range(8)]
    >>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False] * 4, "responded": [1, 0, 1, 0, 0, 0, 0, 0]})
    >>> up = pd.Series([4.0, 4, 3, 3, 0, 0, 0, 0], index=ids)
    >>> t = targeting_comparison(c, risk_score=-up, uplift_score=up, budget_share=0.5, value_per_response=10.0)
    >>> t[["n_targeted", "uplift", "profit"]].to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'random': {'n_targeted': 4, 'uplift': 0.5, 'profit': 16.0},
     'risk': {'n_targeted': 4, 'uplift': 0.0, 'profit': -4.0},
     'uplift': {'n_targeted': 4, 'uplift': 1.0, 'profit': 36.0}}
    """
    fraction(budget_share, "budget_share")
    z_value(confidence_level)
    c = _campaign(campaigns, outcome)
    y, t = c["_y"].to_numpy(), c["treated"].to_numpy()
    n = len(c)
    k = max(int(round(budget_share * n)), 4)
    rows = {}
    rows["random"] = dict(_row(_diff_in_means(y, t, confidence_level)), n_targeted=k)
    for name, sc in (("risk", risk_score), ("uplift", uplift_score)):
        s = c["customer_id"].map(pd.Series(sc)).to_numpy(float)
        if np.isnan(s).all():
            raise ValueError(f"{name}_score: no campaign customer has a score")
        s = np.where(np.isnan(s), -np.inf, s)
        top = np.argsort(-s, kind="stable")[:k]
        rows[name] = dict(_row(_diff_in_means(y[top], t[top], confidence_level)), n_targeted=k)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out = out.rename(columns={"ate": "uplift", "rate_treated": "response_rate_treated"})
    out["incremental_responses"] = out["uplift"] * out["n_targeted"]
    out["profit"] = out["n_targeted"] * (out["uplift"] * value_per_response - cost_per_contact
                                         - out["response_rate_treated"] * cost_per_redemption)
    out.index.name = "strategy"
    return out[["n_targeted", "uplift", "ci_low", "ci_high", "incremental_responses",
                "response_rate_treated", "profit"]]


def retention_profit(n: Any, p_targeted: Any, gamma: Any, ltv: Any, cost: Any) -> Any:
    """Expected profit of a retention campaign.

    Parameters
    ----------
    n : float
        Customers in the base.
    p_targeted : float
        Share of them contacted.
    gamma : float
        Probability that a contacted customer is retained *because of* the
        offer (the uplift in retention).
    ltv : float
        Lifetime value of a retained customer, yuan.
    cost : float
        Cost per contacted customer (contact plus expected incentive), yuan.

    Returns
    -------
    float or ndarray
        ``n * p_targeted * (gamma * ltv - cost)``; arrays broadcast.

    Notes
    -----
    The campaign pays off when ``gamma * ltv > cost``: what matters is the
    *incremental* retention ``gamma`` among those contacted, not their churn
    risk (Neslin et al. 2006; Ascarza 2018).

    Examples
    --------
    >>> retention_profit(10_000, 0.1, 0.05, 2_000.0, 30.0)
    70000.0
    """
    vals = [np.asarray(v, float) for v in (n, p_targeted, gamma, ltv, cost)]
    if any(np.isnan(v).any() for v in vals):
        raise ValueError("retention_profit: arguments must not be missing")
    if (vals[0] < 0).any() or ((vals[1] < 0) | (vals[1] > 1)).any():
        raise ValueError("retention_profit: need n >= 0 and 0 <= p_targeted <= 1")
    out = vals[0] * vals[1] * (vals[2] * vals[3] - vals[4])
    return float(out) if out.ndim == 0 else out
