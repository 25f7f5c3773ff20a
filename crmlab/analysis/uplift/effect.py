"""The effect of a randomised retention offer: on average, by group, and per customer (T-learner).

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.uplift.effect import campaign_effect
>>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True] * 4 + [False] * 4,
...                   "responded": [1, 1, 1, 0, 1, 0, 0, 0]})
>>> campaign_effect(c).ate
0.5
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from ..._checks import require_columns
from .._results import DEFAULT_CONFIDENCE, Result, z_value
from ..churn.prediction import train_churn_model
from ._common import CampaignEffect, campaign_frame, diff_in_means, effect_row

__all__ = ["CampaignEffect", "campaign_effect", "uplift_by_group", "HeterogeneityTest", "uplift_heterogeneity",
           "split_campaign", "tlearner_uplift"]


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
    c = campaign_frame(campaigns, outcome)
    return diff_in_means(c["_y"].to_numpy(), c["treated"].to_numpy(), confidence_level)


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
        are left out. Rows follow the order of the categories when the groups
        are categorical (e.g. value terciles from :func:`pandas.qcut`: low,
        mid, high), else sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True, False] * 4,
    ...                   "responded": [1, 0, 1, 0, 0, 1, 0, 1], "seg": list("xxxxyyyy")})
    >>> uplift_by_group(c, "seg")["uplift"].to_dict()
    {'x': 1.0, 'y': -1.0}
    >>> value = pd.Series(pd.Categorical(list("hhhhllll"), categories=["l", "h"]), index=list("abcdefgh"))
    >>> uplift_by_group(c, value).index.tolist()
    ['l', 'h']
    """
    z_value(confidence_level)
    c = campaign_frame(campaigns, outcome)
    if isinstance(groups, str):
        g = require_columns(c, [groups], table="campaigns")[groups]
    else:
        groups = pd.Series(groups)
        g = c["customer_id"].map(groups)
    present = set(g.dropna().unique())
    if isinstance(getattr(groups, "dtype", None), pd.CategoricalDtype):  # the categories' order (low < mid < high)
        keys = [k for k in groups.cat.categories if k in present]
    elif isinstance(groups, str) and isinstance(c[groups].dtype, pd.CategoricalDtype):
        keys = [k for k in c[groups].cat.categories if k in present]
    else:
        keys = sorted(present, key=str)
    rows = {}
    for key in keys:
        m = (g == key).to_numpy()
        rows[key] = effect_row(diff_in_means(c["_y"].to_numpy()[m], c["treated"].to_numpy()[m], confidence_level))
    if not rows:
        raise ValueError("groups: no campaign customer has a group value")
    out = pd.DataFrame.from_dict(rows, orient="index").rename(columns={"ate": "uplift"})
    out.index.name = "group"
    return out


@dataclass(frozen=True, repr=False)
class HeterogeneityTest(Result):
    """Test that the uplift is the same in every group (:func:`uplift_heterogeneity`).

    Attributes
    ----------
    chi2 : float
        Cochran's Q statistic.
    df : int
        Degrees of freedom (groups - 1).
    p_value : float
    """

    chi2: float
    df: int
    p_value: float


def uplift_heterogeneity(by_group: pd.DataFrame) -> HeterogeneityTest:
    """Wald test of equal uplift across groups (Cochran's Q on :func:`uplift_by_group`).

    Parameters
    ----------
    by_group : DataFrame
        Output of :func:`uplift_by_group` (``uplift`` and ``se`` per group).

    Returns
    -------
    HeterogeneityTest
        ``chi2``, ``df``, ``p_value``.

    Notes
    -----
    With inverse-variance weights ``w_g = 1 / se_g^2`` and their weighted
    mean ``u_bar``, ``Q = sum_g w_g (u_g - u_bar)^2`` is chi-square with
    ``G - 1`` degrees of freedom when every group has the same uplift (the
    groups are disjoint, so their estimates are independent). Groups with a
    zero standard error are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"uplift": [0.10, 0.02], "se": [0.02, 0.02]}, index=["low", "high"])
    >>> r = uplift_heterogeneity(t)
    >>> round(r.chi2, 2), r.df, round(r.p_value, 4)
    (8.0, 1, 0.0047)
    """
    from scipy import stats

    require_columns(by_group, ["uplift", "se"], table="by_group")
    t = by_group[(by_group["se"] > 0) & by_group["uplift"].notna()]
    if len(t) < 2:
        raise ValueError("by_group: at least two groups with a positive standard error are needed")
    w = 1.0 / t["se"].to_numpy(float) ** 2
    u = t["uplift"].to_numpy(float)
    q = float(np.sum(w * (u - np.sum(w * u) / w.sum()) ** 2))
    df = len(t) - 1
    return HeterogeneityTest(chi2=q, df=df, p_value=float(stats.chi2.sf(q, df)))


def split_campaign(campaigns: pd.DataFrame, *, evaluation_share: float = 0.5, random_state: int = 0,
                   outcome: str = "responded") -> tuple[pd.Index, pd.Index]:
    """Split a campaign's customers into a part to fit an uplift model on and a part to evaluate it on.

    Parameters
    ----------
    campaigns : DataFrame
        The ``campaigns`` table.
    evaluation_share : float, default 0.5
        Share of the customers held out for the evaluation.
    random_state : int
        Seed of the split.
    outcome : str
        Binary outcome column.

    Returns
    -------
    (fit_ids, evaluation_ids) : tuple of Index
        ``customer_id`` s, disjoint; the split is stratified by treatment arm
        and outcome, so both parts keep the campaign's mix.

    Notes
    -----
    Evaluating an uplift model (its Qini curve, the profit of targeting by
    it) on the customers it was fitted on flatters it; cross-fitting
    (:func:`tlearner_uplift` without ``evaluate_on``) removes the bias of
    each customer's own score, but the scores still depend on the other
    customers' outcomes, and the usual intervals of the evaluation come out
    too narrow. Scores from a model fitted on the other part of the campaign
    are fixed with respect to the evaluation customers, so the intervals of
    :func:`~crmlab.analysis.uplift.curves.qini_coefficient` and
    :func:`~crmlab.analysis.uplift.targeting.targeting_comparison` on them are
    valid.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": range(40), "treated": [True, False] * 20, "responded": [1, 0, 0, 0] * 10})
    >>> fit_ids, eval_ids = split_campaign(c)
    >>> len(fit_ids), len(eval_ids), len(fit_ids.intersection(eval_ids))
    (20, 20, 0)
    """
    from sklearn.model_selection import train_test_split

    c = campaign_frame(campaigns, outcome).drop_duplicates("customer_id")
    if not 0 < evaluation_share < 1:
        raise ValueError(f"evaluation_share: must be in (0, 1) (got {evaluation_share!r})")
    strata = c["treated"].astype(int).to_numpy() * 2 + c["_y"].to_numpy(int)
    fit, ev = train_test_split(c["customer_id"].to_numpy(), test_size=evaluation_share, random_state=random_state,
                               stratify=strata)
    return pd.Index(fit, name="customer_id"), pd.Index(ev, name="customer_id")


def tlearner_uplift(
    features: pd.DataFrame,
    campaigns: pd.DataFrame,
    *,
    evaluate_on: pd.Index | None = None,
    outcome: str = "responded",
    model: Literal["logistic", "gbm"] = "logistic",
    n_folds: int = 5,
    random_state: int = 0,
) -> pd.Series:
    """T-learner uplift scores: cross-fitted for the whole campaign, or fitted on one part for another.

    Parameters
    ----------
    features : DataFrame
        Pre-campaign features indexed by ``customer_id`` (e.g.
        :func:`~crmlab.analysis.churn.prediction.churn_features` at the send date).
    campaigns : DataFrame
        The ``campaigns`` table.
    evaluate_on : Index, optional
        Customers to score with models fitted on the *other* campaign
        customers (see :func:`split_campaign`). Without it every campaign
        customer is scored by cross-fitting.
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
    With cross-fitting each customer's score comes from models fitted on the
    other folds, so it is not flattered by over-fitting to the customer's
    own outcome; to evaluate the scores with intervals
    (:func:`~crmlab.analysis.uplift.curves.qini_coefficient`,
    :func:`~crmlab.analysis.uplift.targeting.targeting_comparison`), score a
    held-out part of the campaign (``evaluate_on``, :func:`split_campaign`).

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
    >>> held = tlearner_uplift(pd.DataFrame({"x": x}, index=ids), c, evaluate_on=pd.Index(ids[:100]))
    >>> len(held), bool(held[x[:100] > 0].mean() > held[x[:100] <= 0].mean())
    (100, True)
    """
    from sklearn.model_selection import StratifiedKFold

    c = campaign_frame(campaigns, outcome).drop_duplicates("customer_id").set_index("customer_id")
    idx = c.index.intersection(features.index)
    if len(idx) < 10 * n_folds:
        raise ValueError(f"features/campaigns: only {len(idx)} campaign customers have features")
    X = features.loc[idx]
    t = c.loc[idx, "treated"].to_numpy(bool)
    y = c.loc[idx, "_y"].to_numpy(int)

    def fit_predict(tr: np.ndarray, te: np.ndarray) -> np.ndarray:
        preds = []
        for arm in (True, False):
            sel = tr[t[tr] == arm]
            if len(sel) == 0 or len(np.unique(y[sel])) < 2:
                preds.append(np.full(len(te), y[sel].mean() if len(sel) else 0.0))
                continue
            m = train_churn_model(X.iloc[sel], pd.Series(y[sel], index=X.index[sel]), model=model,
                                  random_state=random_state)
            preds.append(m.predict_proba(X.iloc[te])[:, 1])
        return preds[0] - preds[1]

    if evaluate_on is not None:
        held = idx.isin(pd.Index(evaluate_on))
        if held.all() or not held.any():
            raise ValueError("evaluate_on: must name some, but not all, campaign customers with features")
        te = np.flatnonzero(held)
        return pd.Series(fit_predict(np.flatnonzero(~held), te), index=idx[te], name="uplift")
    strata = t.astype(int) * 2 + y
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=random_state)
    score = np.empty(len(idx))
    for tr, te in folds.split(X, strata):
        score[te] = fit_predict(tr, te)
    return pd.Series(score, index=idx, name="uplift")
