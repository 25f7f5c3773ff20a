"""Whom to target with a retention offer, and what it earns: rules compared on a randomised campaign.

Target by uplift, not by risk: some customers leave whatever we do, and
"sleeping dogs" react badly to being contacted (Ascarza 2018).

References
----------
Ascarza, E. (2018). Retention futility: targeting high-risk customers might
be ineffective. *Journal of Marketing Research* 55(1), 80-98.

Neslin, S. A., Gupta, S., Kamakura, W., Lu, J. & Mason, C. H. (2006).
Defection detection: measuring and understanding the predictive accuracy of
customer churn models. *Journal of Marketing Research* 43(2), 204-211.

Examples
--------
>>> from crmlab.analysis.uplift.targeting import retention_profit
>>> retention_profit(10_000, 0.1, 0.05, 2_000.0, 30.0)
70000.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, fraction, positive_int
from .._results import DEFAULT_CONFIDENCE, Estimate, Result
from ._common import arm_weights, campaign_frame, diff_in_means, effect_row, percentile_ci

__all__ = ["TargetingComparison", "targeting_comparison", "retention_profit"]


@dataclass(frozen=True, repr=False)
class TargetingComparison(Result):
    """Profit of targeting rules estimated on a randomised campaign (:func:`targeting_comparison`).

    Attributes
    ----------
    table : DataFrame
        Indexed by ``strategy`` (``random``, ``risk``, ``uplift``):
        ``n_targeted``, ``uplift``, ``ci_low``, ``ci_high`` (uplift in the
        targeted group, Neyman interval), ``incremental_responses``,
        ``value_per_response`` (mean value of the targeted customers, the
        ``LTV`` of the formula), ``cost_per_contact`` (mean offer cost of a
        treated customer in the group), ``value_gain`` (incremental
        responses times their value, yuan), ``cost`` (offer cost of contacting
        the group, yuan), ``profit`` (``value_gain - cost``),
        ``profit_ci_low``, ``profit_ci_high`` (bootstrap).
    differences : DataFrame
        Indexed by ``"uplift - risk"``, ``"uplift - random"``, ``"risk -
        random"``: ``estimate``, ``ci_low``, ``ci_high`` of the profit
        difference (bootstrap).
    weights : DataFrame
        Indexed by ``customer_id``, one column per strategy: how much of each
        customer a rule targets (1 or 0; ``budget_share`` for ``random``).
    values : Series
        The value of a response of each customer used (``customer_id``).
    budget_share : float
    n_boot : int
    confidence_level : float
    """

    table: pd.DataFrame
    differences: pd.DataFrame
    weights: pd.DataFrame
    values: pd.Series
    budget_share: float
    n_boot: int
    confidence_level: float = DEFAULT_CONFIDENCE

    def difference(self, a: str, b: str) -> Estimate:
        """Profit of strategy ``a`` minus that of ``b``, with its bootstrap interval."""
        key = f"{a} - {b}"
        if key in self.differences.index:
            r = self.differences.loc[key]
            return Estimate(float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"]), self.confidence_level)
        r = self.differences.loc[f"{b} - {a}"]
        return Estimate(-float(r["estimate"]), -float(r["ci_high"]), -float(r["ci_low"]), self.confidence_level)

    def lead(self) -> tuple[str, str, Estimate]:
        """The most profitable strategy, the runner-up and the leader's lead (bootstrap interval)."""
        top = self.table["profit"].sort_values(ascending=False, kind="stable").index
        return str(top[0]), str(top[1]), self.difference(str(top[0]), str(top[1]))

    def expected_profit(self, uplift: pd.Series, cost: pd.Series) -> pd.Series:
        """Each rule's profit if every customer's uplift and expected offer cost were known.

        ``sum_S tau_i * mean_S(V) - sum_S cost_i`` over the customers a rule
        targets (weighted as in ``weights``): the quantity the ``profit``
        column estimates. ``uplift`` and ``cost`` (expected cost of treating
        each customer: contact plus offer value times the probability of
        redeeming it) are Series by ``customer_id``; missing customers count 0.
        """
        w = self.weights.to_numpy(float)
        tau = pd.Series(uplift).reindex(self.weights.index).fillna(0.0).to_numpy(float)
        c = pd.Series(cost).reindex(self.weights.index).fillna(0.0).to_numpy(float)
        v = self.values.reindex(self.weights.index).to_numpy(float)
        out = (tau @ w) * (v @ w) / w.sum(axis=0) - c @ w
        return pd.Series(out, index=self.weights.columns, name="expected_profit")


_PAIRS = (("uplift", "risk"), ("uplift", "random"), ("risk", "random"))


def targeting_comparison(
    campaigns: pd.DataFrame,
    risk_score: pd.Series,
    uplift_score: pd.Series,
    *,
    budget_share: float = 0.3,
    value: float | pd.Series = 500.0,
    cost_column: str | None = "offer_cost",
    cost_per_contact: float = 1.0,
    confidence_level: float = DEFAULT_CONFIDENCE,
    n_boot: int = 2000,
    random_state: int = 0,
    outcome: str = "responded",
) -> TargetingComparison:
    """Profit of targeting the top ``budget_share`` by churn risk, by uplift, or at random.

    Parameters
    ----------
    campaigns : DataFrame
        The randomised ``campaigns`` table (the evaluation sample).
    risk_score : Series
        Churn risk by ``customer_id`` (e.g. :func:`~crmlab.analysis.churn.prediction.predict_churn`).
    uplift_score : Series
        Predicted uplift by ``customer_id`` (e.g. :func:`~crmlab.analysis.uplift.effect.tlearner_uplift`).
    budget_share : float
        Share of the campaign's customers that can be contacted.
    value : float or Series
        What a response (a retained customer) is worth, yuan: one number,
        or one per ``customer_id`` (e.g. an estimated customer lifetime
        value, :func:`crmlab.analysis.clv.simple.simple_clv`; customers
        without a value count 0). A rule values its responses at the mean
        value of the customers it targets.
    cost_column : str or None, default "offer_cost"
        Column of ``campaigns`` with the cost of each *treated* customer
        (contact plus the offer if redeemed); controls cost nothing. If the
        column is absent (or ``None``), every treated customer costs
        ``cost_per_contact``.
    cost_per_contact : float
        Used without a cost column.
    confidence_level : float, default 0.95
        Level of the intervals.
    n_boot : int, default 2000
        Bootstrap replicates of the profit intervals.
    random_state : int
        Seed of the bootstrap.
    outcome : str
        Binary outcome column.

    Returns
    -------
    TargetingComparison
        ``table`` (one row per strategy), ``differences`` (profit
        differences with intervals), ``weights`` (who each rule targets),
        ``values``.

    Notes
    -----
    A rule contacts the set *S* of the top ``k = budget_share * N``
    customers by its score (``random``: any ``k`` customers, estimated on
    all of them). Its profit is the retention formula of
    :func:`retention_profit`, ``N p (gamma LTV - c)``, with ``N p = k``:

    ``profit_S = k (uplift_S * LTV_S - c_S)``

    where ``uplift_S`` is the treated-minus-control response rate in *S*
    (randomisation makes it unbiased for the mean uplift of *S*),
    ``LTV_S`` the mean value of the customers in *S* and ``c_S`` the mean
    offer cost of the treated customers in *S* (it estimates the expected
    cost of contacting a customer of *S*: contact plus the offer value times
    the chance of redeeming it - redeemed also by those who would have
    bought anyway). The estimand is ``sum_S tau_i * LTV_S - sum_S cost_i``
    (:meth:`TargetingComparison.expected_profit`). Valuing every response of
    *S* at the group mean rather than at each responder's own value keeps
    the estimate from being dominated by a few very valuable customers.
    Intervals: a percentile bootstrap resampling treated and control
    customers separately, with the scores - and so the targeted sets - held
    fixed; differences between rules come from the same replicates.
    Targeting by risk aims at the customers most likely to leave, targeting
    by uplift at those whose behaviour the offer changes most; they need not
    coincide (Ascarza 2018). Scores must not be fitted on the evaluation
    sample (cross-fit, :func:`~crmlab.analysis.uplift.effect.tlearner_uplift`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> ids = [f"c{i}" for i in range(8)]
    >>> c = pd.DataFrame({"customer_id": ids, "treated": [True, False] * 4, "responded": [1, 0, 1, 0, 0, 0, 0, 0]})
    >>> up = pd.Series([4.0, 4, 3, 3, 0, 0, 0, 0], index=ids)
    >>> t = targeting_comparison(c, risk_score=-up, uplift_score=up, budget_share=0.5, value=10.0, n_boot=200)
    >>> t.table[["n_targeted", "uplift", "profit"]].to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'random': {'n_targeted': 4, 'uplift': 0.5, 'profit': 16.0},
     'risk': {'n_targeted': 4, 'uplift': 0.0, 'profit': -4.0},
     'uplift': {'n_targeted': 4, 'uplift': 1.0, 'profit': 36.0}}
    >>> t.lead()[:2]
    ('uplift', 'random')
    """
    fraction(budget_share, "budget_share")
    level = check_confidence_level(confidence_level)
    n_boot = positive_int(n_boot, "n_boot")
    c = campaign_frame(campaigns, outcome)
    y, t = c["_y"].to_numpy(float), c["treated"].to_numpy()
    ids = c["customer_id"].to_numpy()
    n = len(c)
    k = max(int(round(budget_share * n)), 4)
    if isinstance(value, pd.Series):
        v = c["customer_id"].map(value).fillna(0.0).to_numpy(float)
    else:
        v = np.full(n, float(value))
    if cost_column is not None and cost_column in c.columns:
        cost = np.where(t, pd.to_numeric(c[cost_column], errors="coerce").fillna(0.0).to_numpy(float), 0.0)
    else:
        cost = np.where(t, float(cost_per_contact), 0.0)
    M = np.zeros((n, 3))
    M[:, 0] = k / n
    rows = {"random": dict(effect_row(diff_in_means(y.astype(int), t, level)), n_targeted=k)}
    for j, (name, sc) in enumerate((("risk", risk_score), ("uplift", uplift_score)), start=1):
        s = c["customer_id"].map(pd.Series(sc)).to_numpy(float)
        if np.isnan(s).all():
            raise ValueError(f"{name}_score: no campaign customer has a score")
        top = np.argsort(-np.where(np.isnan(s), -np.inf, s), kind="stable")[:k]
        M[top, j] = 1.0
        rows[name] = dict(effect_row(diff_in_means(y[top].astype(int), t[top], level)), n_targeted=k)
    names = ["random", "risk", "uplift"]

    def parts(w: np.ndarray) -> tuple[np.ndarray, ...]:
        """Uplift, value per response and cost per contact of each rule for bootstrap counts ``w``."""
        with np.errstate(invalid="ignore", divide="ignore"):
            wt, wc = w * t, w * ~t
            nt, nc = wt @ M, wc @ M
            up = (wt * y) @ M / nt - (wc * y) @ M / nc
            ltv = (w * v) @ M / (w @ M)
            cpc = (wt * cost) @ M / nt
        return up, ltv, cpc

    up, ltv, cpc = (a[0] for a in parts(np.ones((1, n))))
    profit = k * (up * ltv - cpc)
    rng = np.random.default_rng(random_state)
    draws = []
    for size in np.diff(np.r_[np.arange(0, n_boot, 500), n_boot]):
        bu, bl, bc = parts(arm_weights(rng, t, int(size)))
        draws.append(k * (bu * bl - bc))
    draws = np.concatenate(draws)
    lo, hi = percentile_ci(draws, level)
    out = pd.DataFrame.from_dict(rows, orient="index").loc[names]
    out = out.rename(columns={"ate": "uplift"})
    out["incremental_responses"] = out["uplift"] * out["n_targeted"]
    out["value_per_response"], out["cost_per_contact"] = ltv, cpc
    out["value_gain"], out["cost"], out["profit"] = k * up * ltv, k * cpc, profit
    out["profit_ci_low"], out["profit_ci_high"] = lo, hi
    out.index.name = "strategy"
    table = out[["n_targeted", "uplift", "ci_low", "ci_high", "incremental_responses", "value_per_response",
                 "cost_per_contact", "value_gain", "cost", "profit", "profit_ci_low", "profit_ci_high"]]
    diffs = {}
    for a, b in _PAIRS:
        ia, ib = names.index(a), names.index(b)
        dlo, dhi = percentile_ci(draws[:, ia] - draws[:, ib], level)
        diffs[f"{a} - {b}"] = dict(estimate=float(profit[ia] - profit[ib]), ci_low=float(dlo), ci_high=float(dhi))
    differences = pd.DataFrame.from_dict(diffs, orient="index")
    differences.index.name = "difference"
    weights = pd.DataFrame(M, index=pd.Index(ids, name="customer_id"), columns=names)
    return TargetingComparison(table=table, differences=differences, weights=weights,
                               values=pd.Series(v, index=weights.index, name="value"),
                               budget_share=float(budget_share), n_boot=n_boot, confidence_level=level)


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
