"""Order lines: what is in each basket, at what price.

Generative model
----------------
* The **main item** comes from the order's main category (drawn by the purchase
  process); within it a SKU is chosen with probability proportional to
  ``popularity * exp(premium_i * z_price)``, where ``z_price`` is the
  standardised log list price inside the category, so price-tier preference
  is a stable customer trait (Gamma-Gamma-like spend heterogeneity).
* **Up-sell** (购买升级): in the tiered categories
  (:data:`~crmlab.domain.TIERED_CATEGORIES`, tiers 1-3 of
  :func:`~crmlab.domain.price_tiers`) the main item's logit gets
  ``upsell_log_odds_per_year * tenure_years * tier`` on top, where
  ``tenure_years`` is the time since the customer's signup at the order. Summed
  over the SKUs of a tier, this is an adjacent-category logit shift: the
  log-odds of tier ``j + 1`` against tier ``j`` rise by
  ``upsell_log_odds_per_year`` per year of tenure, for every customer, on top of
  their own stable price preference. Consequence used by the estimator
  (:func:`crmlab.analysis.upsell.upsell_drift`): for two purchases of one
  customer in one category, ``dt`` years apart, in different tiers, the chance
  that the later one is the higher tier is
  ``logistic(upsell_log_odds_per_year * dt * |tier difference|)`` whatever the
  customer's price preference (it cancels).
* **Planted cross-sell rules** ``A -> B`` (:data:`~crmlab.simulate.catalog.BASKET_RULES`):
  an order whose main category is ``A`` contains ``B`` with probability
  ``basket_rule_confidence[r]``; any other order with the background rate
  ``basket_background_rate``. The consequents are never chosen otherwise, so
  ``P(B | A)`` is exactly the planted confidence.
* The **decoy** (a USB-C cable) joins any order with probability
  ``basket_decoy_rate``, independently of everything: high support and
  confidence in many rules, lift ~ 1.
* Extended warranties and trade-in collection join big-ticket orders; a
  Poisson number of unrelated extras (small appliances, accessories) joins any
  order.
* Prices: ``unit_price`` is the list price; ``discount`` (yuan, whole line) is
  a random markdown, deeper on festival days, plus the coupon on the main line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import MAIN_CATEGORIES, N_PRICE_TIERS, TIERED_CATEGORIES, price_tiers
from .catalog import BASKET_RULES, DECOY_SUBCATEGORY

__all__ = ["simulate_items", "rule_truth", "ItemArrays", "tier_probabilities", "upsell_pair_sums"]

ItemArrays = dict[str, np.ndarray]

_PLANTED = {b for _, b in BASKET_RULES} | {DECOY_SUBCATEGORY}
_BIG_TICKET = ("tv", "fridge", "washer", "ac", "phone", "laptop")


class _Catalog:
    """Index structures over the product table for fast vectorised choice."""

    def __init__(self, products: pd.DataFrame):
        self.p = products.reset_index(drop=True)
        self.price = self.p["list_price"].to_numpy(float)
        self.logpop = np.log(self.p["popularity"].to_numpy(float))
        sub = self.p["subcategory"].to_numpy()
        cat = self.p["category"].to_numpy()
        self.by_sub = {s: np.flatnonzero(sub == s) for s in np.unique(sub)}
        self.main = {}
        self.zprice = np.zeros(len(self.p))
        for c in MAIN_CATEGORIES:
            rows = np.flatnonzero((cat == c) & ~np.isin(sub, list(_PLANTED)))
            lp = np.log(self.price[rows])
            self.zprice[rows] = (lp - lp.mean()) / (lp.std() + 1e-9)
            self.main[c] = rows
        extra = (np.isin(cat, ["small_appliance", "accessory"])) & ~np.isin(sub, list(_PLANTED))
        self.extra = np.flatnonzero(extra)
        self.cat_of_row = cat
        self.tier = price_tiers(self.p).fillna(0).to_numpy(np.int64).astype(float)  # 0: not tiered

    def choose_in(self, rng: np.random.Generator, rows: np.ndarray, m: int, shift: np.ndarray | None = None) -> np.ndarray:
        """Choose ``m`` SKUs among ``rows`` by popularity (+ per-draw logit shift)."""
        logits = np.broadcast_to(self.logpop[rows], (m, len(rows))).copy()
        if shift is not None:
            logits += shift
        g = logits - np.log(-np.log(rng.random((m, len(rows)))))
        return rows[g.argmax(axis=1)]


def simulate_items(
    scenario: Scenario,
    rng: np.random.Generator,
    products: pd.DataFrame,
    orders: dict[str, np.ndarray],
    premium: np.ndarray,
    season: np.ndarray,
    forced_sku: np.ndarray | None = None,
    tier_shift: np.ndarray | None = None,
) -> ItemArrays:
    """Draw the lines of every order.

    Parameters
    ----------
    orders : dict of arrays
        ``category`` (main category code), ``t`` (days since start),
        ``coupon`` (bool) per order; index = local order id.
    premium : ndarray
        The ordering customer's price-tier preference, per order.
    season : ndarray
        Daily demand multipliers (festival days get deeper markdowns).
    forced_sku : ndarray, optional
        Catalogue row of the main item per order (used for tier top-up orders);
        ``-1`` means draw it.
    tier_shift : ndarray, optional
        Per order, the up-sell shift of the log-odds of each next price tier
        (``upsell_log_odds_per_year * tenure_years``); None means no shift.

    Returns
    -------
    dict of arrays ``order, line_no, sku_row, quantity, unit_price, discount``.
    """
    cat_ = _Catalog(products)
    m = len(orders["category"])
    main_cat = orders["category"].astype(np.int64)
    main_row = np.full(m, -1, dtype=np.int64)
    for k, c in enumerate(MAIN_CATEGORIES):
        sel = np.flatnonzero(main_cat == k)
        if len(sel):
            rows = cat_.main[c]
            shift = premium[sel, None] * cat_.zprice[rows][None, :]
            if tier_shift is not None:
                shift = shift + tier_shift[sel, None] * cat_.tier[rows][None, :]
            main_row[sel] = cat_.choose_in(rng, rows, len(sel), shift)
    if forced_sku is not None:
        main_row = np.where(forced_sku >= 0, forced_sku, main_row)
        main_cat = np.where(
            forced_sku >= 0,
            pd.Series(cat_.cat_of_row[np.maximum(forced_sku, 0)]).map({c: i for i, c in enumerate(MAIN_CATEGORIES)})
            .fillna(-1).to_numpy(np.int64),
            main_cat,
        )

    parts_order = [np.arange(m)]
    parts_row = [main_row]
    # planted rules
    for r, (a, b) in enumerate(BASKET_RULES):
        conf = scenario.basket_rule_confidence[r]
        p = np.where(main_cat == MAIN_CATEGORIES.index(a), conf, scenario.basket_background_rate)
        sel = np.flatnonzero(rng.random(m) < p)
        parts_order.append(sel)
        parts_row.append(cat_.choose_in(rng, cat_.by_sub[b], len(sel)))
    # decoy
    sel = np.flatnonzero(rng.random(m) < scenario.basket_decoy_rate)
    parts_order.append(sel)
    parts_row.append(cat_.choose_in(rng, cat_.by_sub[DECOY_SUBCATEGORY], len(sel)))
    # services on big tickets
    big = np.isin(main_cat, [MAIN_CATEGORIES.index(c) for c in _BIG_TICKET])
    for sub, p in (("extended_warranty", 0.12), ("trade_in", 0.05)):
        if sub == "trade_in":
            big_only = np.isin(main_cat, [MAIN_CATEGORIES.index(c) for c in ("tv", "fridge", "washer", "ac")])
            sel = np.flatnonzero(big_only & (rng.random(m) < p))
        else:
            sel = np.flatnonzero(big & (rng.random(m) < p))
        parts_order.append(sel)
        parts_row.append(cat_.choose_in(rng, cat_.by_sub[sub], len(sel)))
    # unrelated extras
    n_extra = rng.poisson(scenario.basket_extra_items, m)
    sel = np.repeat(np.arange(m), n_extra)
    parts_order.append(sel)
    parts_row.append(cat_.choose_in(rng, cat_.extra, len(sel)))

    order = np.concatenate(parts_order)
    row = np.concatenate(parts_row)
    is_main = np.zeros(len(order), bool)
    is_main[:m] = True
    # stable order of lines: main first, then in the order drawn
    idx = np.lexsort((np.arange(len(order)), order))
    order, row, is_main = order[idx], row[idx], is_main[idx]
    # the same SKU drawn twice for one order becomes one line with a larger quantity
    key = pd.Series(order.astype(np.int64) * len(cat_.p) + row)
    repeats = key.map(key.value_counts()).to_numpy() - 1
    keep = ~key.duplicated().to_numpy()
    order, row, is_main, repeats = order[keep], row[keep], is_main[keep], repeats[keep]
    line_no = pd.Series(order).groupby(order).cumcount().to_numpy() + 1

    cat_rows = cat_.cat_of_row[row]
    q = np.ones(len(order), dtype=np.int64)
    u = rng.random(len(order))
    acc = is_main & (cat_rows == "accessory")
    q[acc & (u > 0.80)] = 2
    q[acc & (u > 0.95)] = 3
    q[is_main & (cat_rows == "small_appliance") & (u > 0.93)] = 2
    q += repeats
    price = cat_.price[row]
    day = np.minimum(orders["t"][order].astype(np.int64), len(season) - 1)
    festival = season[day] > 1.4
    v = rng.random(len(order))
    rate = np.where(v < 0.3, 0.02 + 0.06 * rng.random(len(order)), 0.0) + np.where(festival, 0.06, 0.0)
    line_value = q * price
    coupon_value = np.select(
        [line_value < 500, line_value < 2000, line_value < 5000], [20.0, 50.0, 100.0], 200.0
    )
    coupon = is_main & orders["coupon"][order]
    disc = line_value * rate + np.where(coupon, coupon_value, 0.0)
    disc = np.round(np.minimum(disc, 0.5 * line_value), 2)
    return dict(order=order, line_no=line_no, sku_row=row, quantity=q, unit_price=price, discount=disc)


def tier_probabilities(products: pd.DataFrame, category: np.ndarray, premium: np.ndarray,
                       tier_shift: np.ndarray) -> np.ndarray:
    """Probability of each price tier of the main item of each order, given the latent traits.

    Parameters
    ----------
    products : DataFrame
        The catalogue (with ``popularity``).
    category : ndarray (m,)
        Main category code of each order (into :data:`~crmlab.domain.MAIN_CATEGORIES`).
    premium, tier_shift : ndarray (m,)
        The customer's price preference and the order's up-sell shift (as in
        :func:`simulate_items`).

    Returns
    -------
    ndarray (m, N_PRICE_TIERS)
        Rows of the tiered categories sum to 1; other rows are 0.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.simulate.catalog import simulate_products
    >>> p = tier_probabilities(simulate_products(), np.array([0, 0, 6]), np.zeros(3), np.array([0.0, 1.0, 0.0]))
    >>> p.sum(axis=1).round(6).tolist(), bool(p[1, 2] > p[0, 2])
    ([1.0, 1.0, 0.0], True)
    """
    cat_ = _Catalog(products)
    m = len(category)
    out = np.zeros((m, N_PRICE_TIERS))
    category = np.asarray(category, np.int64)
    for c in TIERED_CATEGORIES:
        sel = np.flatnonzero(category == MAIN_CATEGORIES.index(c))
        if not len(sel):
            continue
        rows = cat_.main[c]
        logit = (cat_.logpop[rows][None, :] + premium[sel, None] * cat_.zprice[rows][None, :]
                 + tier_shift[sel, None] * cat_.tier[rows][None, :])
        w = np.exp(logit - logit.max(axis=1, keepdims=True))
        w /= w.sum(axis=1, keepdims=True)
        for j in range(N_PRICE_TIERS):
            out[sel, j] = w[:, cat_.tier[rows] == j + 1].sum(axis=1)
    return out


def upsell_pair_sums(cust: np.ndarray, category: np.ndarray, t: np.ndarray, counted: np.ndarray,
                     prob: np.ndarray) -> np.ndarray:
    """Expected up, same and down moves between consecutive purchases in a tiered category.

    Pairs are consecutive counted orders of one customer whose main items are
    in the same tiered category (in time order). With tier probabilities
    ``p`` (earlier) and ``q`` (later), a pair moves up with probability
    ``sum_{j > k} p_k q_j`` (down likewise; the draws are independent given
    the latent traits).

    Returns
    -------
    ndarray (4,)
        ``[pairs, expected up, expected same, expected down]`` (sums, for merging chunks).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[1.0, 0, 0], [0, 0.5, 0.5], [0, 0, 1.0]])
    >>> upsell_pair_sums(np.array([0, 0, 1]), np.zeros(3), np.array([1.0, 2.0, 3.0]), np.ones(3, bool), p).tolist()
    [1.0, 1.0, 0.0, 0.0]
    """
    tiered = counted & (prob.sum(axis=1) > 0)
    idx = np.flatnonzero(tiered)
    idx = idx[np.lexsort((t[idx], category[idx], cust[idx]))]
    if len(idx) < 2:
        return np.zeros(4)
    a, b = idx[:-1], idx[1:]
    same_unit = (cust[a] == cust[b]) & (category[a] == category[b])
    a, b = a[same_unit], b[same_unit]
    p, q = prob[a], prob[b]
    cp = np.cumsum(p, axis=1)  # P(earlier tier <= j)
    up = (q[:, 1:] * cp[:, :-1]).sum(axis=1)
    same = (p * q).sum(axis=1)
    return np.array([float(len(a)), float(up.sum()), float(same.sum()), float((1 - up - same).sum())])


def rule_truth(scenario: Scenario, main_category_counts: np.ndarray) -> list[dict]:
    """Expected confidence and lift of each planted rule.

    ``main_category_counts`` is the expected number of orders per main
    category (sum of the choice probabilities of all orders). With
    ``P(A)`` the expected share of orders whose main item is in ``A``,
    ``c`` the planted confidence and ``b`` the background rate,
    ``lift = c / (P(A) c + (1 - P(A)) b)``.
    """
    total = main_category_counts.sum()
    out = []
    for r, (a, b) in enumerate(BASKET_RULES):
        pa = main_category_counts[MAIN_CATEGORIES.index(a)] / total
        c, bg = scenario.basket_rule_confidence[r], scenario.basket_background_rate
        pb = pa * c + (1 - pa) * bg
        out.append(dict(antecedent=a, consequent=b, confidence=round(float(c), 6),
                        support=round(float(pa * c), 6), lift=round(float(c / pb), 4)))
    return out
