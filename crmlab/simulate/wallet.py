"""Share of wallet (钱包份额) and store switching: two extra survey questions.

Generative model
----------------
Every customer *i* has a latent share ``s_i`` of their 3C and appliance
spending that goes to the retailer:

    s_i ~ Beta(m_i * phi, (1 - m_i) * phi),
    logit(m_i) = wallet_share_base_log_odds
                 + wallet_share_log_odds_per_log_rate * log(purchase_rate of i's segment / 1.5)
                 + wallet_share_log_odds_per_sat_sd * u_i

with ``phi = wallet_share_precision`` and ``u_i`` the latent satisfaction (sd 1;
the same ``u`` that drives the survey answers and lowers the churn hazard).
Heavier-buying segments and more satisfied customers give the retailer a
larger share: low loyalty is the norm, most customers split their spending.

A respondent states ``wallet_share = 10 * round(10 * s_i)`` (0-100 in steps of
10: people answer in round numbers) and visits ``stores_visited = min(1 + X_i,
6)`` different 3C retailers a month, ``X_i ~ Poisson(stores_visited_rate * (1 -
s_i))``: customers who buy elsewhere shop around (CONTEXT: about half of
consumers visit three or more stores a month).

Both columns come from their own random stream (``wallet``), drawn for every
customer of a chunk in customer order, so adding them leaves every other
column of every table unchanged.

Truth (``truth["lifecycle"]``) integrates ``s_i`` out given ``m_i``: the
expected stated share is ``10 * sum_k P(s >= 0.05 + 0.1 k)``, ``k = 0..9``; the
chance of 3+ stores is ``1 - E[exp(-L)(1 + L)]`` with ``L = rate * (1 - s)``,
through the confluent hypergeometric function (the moment generating function of
a Beta variable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..config import Scenario

__all__ = ["simulate_wallet", "wallet_mean", "expected_stated_share", "p_three_plus_stores", "wallet_sums",
           "REFERENCE_RATE", "MAX_STORES"]

#: Purchase rate (orders a year) at which the segment term of the share's log-odds is zero.
REFERENCE_RATE = 1.5
#: ``stores_visited`` is capped here ("6 or more").
MAX_STORES = 6


def wallet_mean(scenario: Scenario, segment: np.ndarray, satisfaction: np.ndarray) -> np.ndarray:
    """Mean ``m_i`` of each customer's latent share of wallet (0-1).

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> m = wallet_mean(get_scenario("tiny"), np.array([4, 3, 3]), np.array([0.0, 0.0, 1.0]))
    >>> bool(m[0] < m[1] < m[2])
    True
    """
    rate = np.array([s.purchase_rate for s in scenario.segments], float)[np.asarray(segment, np.int64)]
    eta = (scenario.wallet_share_base_log_odds
           + scenario.wallet_share_log_odds_per_log_rate * np.log(rate / REFERENCE_RATE)
           + scenario.wallet_share_log_odds_per_sat_sd * np.asarray(satisfaction, float))
    return 1 / (1 + np.exp(-eta))


def expected_stated_share(mean: np.ndarray, precision: float) -> np.ndarray:
    """Expected stated share (0-100, rounded to tens) given the latent mean ``m`` and the Beta precision.

    Examples
    --------
    >>> import numpy as np
    >>> expected_stated_share(np.array([0.5]), 4.0).round(6).tolist()
    [50.0]
    """
    from scipy.special import betainc

    m = np.asarray(mean, float)
    a, b = m * precision, (1 - m) * precision
    edges = 0.05 + 0.1 * np.arange(10)
    return 10 * (1 - betainc(a[:, None], b[:, None], edges[None, :])).sum(axis=1)


def p_three_plus_stores(mean: np.ndarray, precision: float, rate: float) -> np.ndarray:
    """P(``stores_visited`` >= 3) given the latent mean share (the Beta integrated out).

    Examples
    --------
    >>> import numpy as np
    >>> p = p_three_plus_stores(np.array([0.2, 0.8]), 4.0, 2.8)
    >>> bool(0 < p[1] < p[0] < 1)
    True
    """
    from scipy.special import hyp1f1

    m = np.asarray(mean, float)
    a, b = m * precision, (1 - m) * precision
    # t = 1 - s ~ Beta(b, a): E[exp(-r t)] and E[r t exp(-r t)]
    e0 = hyp1f1(b, a + b, -rate)
    e1 = rate * b / (a + b) * hyp1f1(b + 1, a + b + 1, -rate)
    return 1 - e0 - e1


def simulate_wallet(scenario: Scenario, rng: np.random.Generator, *, segment: np.ndarray,
                    satisfaction: np.ndarray) -> dict[str, np.ndarray]:
    """Latent share of wallet and the two answers for every customer of a chunk.

    Parameters
    ----------
    scenario : Scenario
    rng : Generator
        The chunk's ``wallet`` stream (draws in customer order, whoever responds).
    segment, satisfaction : ndarray (n,)
        Latent segment code and satisfaction ``u`` of each customer.

    Returns
    -------
    dict of arrays (n,)
        ``mean`` (``m_i``), ``share`` (latent ``s_i``), ``wallet_share`` (stated,
        0-100 in tens), ``stores_visited`` (1-6).

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> w = simulate_wallet(get_scenario("tiny"), np.random.default_rng(0), segment=np.zeros(1000, int),
    ...                     satisfaction=np.zeros(1000))
    >>> set(np.unique(w["wallet_share"])) <= set(range(0, 101, 10)), int(w["stores_visited"].max()) <= 6
    (True, True)
    """
    m = wallet_mean(scenario, segment, satisfaction)
    phi = scenario.wallet_share_precision
    s = rng.beta(m * phi, (1 - m) * phi)
    x = rng.poisson(scenario.stores_visited_rate * (1 - s))
    return dict(mean=m, share=s, wallet_share=(10 * np.round(10 * s)).astype(np.int64),
                stores_visited=np.minimum(1 + x, MAX_STORES).astype(np.int64))


def wallet_sums(scenario: Scenario, mean: np.ndarray, buyer: np.ndarray, resp: np.ndarray,
                overall: np.ndarray, recommend: np.ndarray) -> dict[str, Any]:
    """The chunk's sums for the share-of-wallet truth (merged by addition over chunks).

    Parameters
    ----------
    mean : ndarray (n,)
        ``m_i`` of every customer of the chunk.
    buyer : ndarray of bool (n,)
        Customers with at least one order (the population).
    resp : ndarray of int (k,)
        Respondents (local customer index), aligned with ``overall`` and ``recommend``.
    overall, recommend : ndarray (k,)
        Their answers: overall satisfaction (1-5) and recommend (0-10).

    Returns
    -------
    dict of float arrays: ``pop`` [n, sum E[stated], sum P(3+ stores)],
    ``resp`` [n, sum y, sum P(3+), sum x, sum x^2, sum x y] with
    ``x`` the overall satisfaction and ``y`` E[stated]; ``nps`` [n, sum y] for
    detractors (0-6), passives (7-8), promoters (9-10); ``sat`` [n, sum y] for
    overall satisfaction 1-3 and 4-5.
    """
    phi, rate = scenario.wallet_share_precision, scenario.stores_visited_rate
    y_all = expected_stated_share(mean, phi)
    p_all = p_three_plus_stores(mean, phi, rate)
    y, p3 = y_all[resp], p_all[resp]
    x = np.asarray(overall, float)
    rec = np.asarray(recommend, float)
    nps_groups = [rec <= 6, (rec >= 7) & (rec <= 8), rec >= 9]
    sat_groups = [x <= 3, x >= 4]
    return dict(
        pop=np.array([float(buyer.sum()), float(y_all[buyer].sum()), float(p_all[buyer].sum())]),
        resp=np.array([float(len(resp)), float(y.sum()), float(p3.sum()), float(x.sum()), float((x * x).sum()),
                       float((x * y).sum())]),
        nps=np.array([[float(g.sum()), float(y[g].sum())] for g in nps_groups]),
        sat=np.array([[float(g.sum()), float(y[g].sum())] for g in sat_groups]),
    )
