"""The satisfaction survey: four dimensions, overall satisfaction, NPS, competitors.

Generative model
----------------
Each respondent has four latent dimension scores (advertising/promotion 宣传,
price 价格, service 服务, quality 质量)

    eta_d = 0.55 * u + sqrt(1 - 0.55^2) * e_d + offset_d - shifts_d

where ``u`` is the customer's latent satisfaction (the same ``u`` that lowers
the churn hazard, so satisfaction predicts later churn), ``offset_d`` sets each
dimension's performance level (for importance-performance analysis) and
``shifts_d`` subtract the service failures the customer experienced before
answering (late/failed delivery and failed installation lower service; a
price-change cancellation lowers price; an expired coupon lowers advertising).

Item *k* of dimension *d* is ``x = l_dk * eta_d + sqrt(1 - l_dk^2) * e``
(loadings 0.65-0.85) cut into a 1-5 Likert scale with negatively skewed
thresholds (top-2-box ``survey_top2box``). Overall satisfaction is
``O = sum_d w_d eta_d + noise`` with the planted key-driver weights ``w``
(service and quality strongest); the 0-10 recommend score is
``0.85 * O_std + noise`` cut so that the expected NPS is ``survey_nps_target``.

Two kinds of driver weights are recorded in ``truth.json`` (``survey``):

* ``driver_weights`` - the *structural* weights ``w`` above (normalised to sum
  to 1): how overall satisfaction is built from the latent dimensions
  ``eta``. No analysis of the answers estimates them directly: the analyst
  sees 1-5 items, not ``eta``.
* ``relative_weight_shares`` - what a key-driver analysis of the answers
  estimates: Johnson's relative weights (shares of R^2) of the regression of
  the 1-5 overall satisfaction on the dimension scores (item means), in the
  population the model implies (:func:`relative_weight_shares`: one large
  draw of respondents from the same model, with a fixed internal seed).
  Measurement error of the item means, the Likert cuts and the service
  failures (which move single dimensions) make these differ from the
  structural weights; the ranking is the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Scenario

__all__ = ["ITEMS", "DIMENSIONS", "COMPETITORS", "simulate_survey", "LOADINGS", "relative_weight_shares",
           "failure_shift", "failure_counts", "expected_answers"]

DIMENSIONS = ("advertising", "price", "service", "quality")
_PREFIX = {"advertising": "adv", "price": "price", "service": "service", "quality": "quality"}

#: item -> (dimension, loading). The wording of the questionnaire (English and Chinese) is
#: :func:`crmlab.analysis.survey.instrument`.
ITEMS: dict[str, tuple[str, float]] = {
    "adv_1": ("advertising", 0.74),
    "adv_2": ("advertising", 0.80),
    "adv_3": ("advertising", 0.68),
    "adv_4": ("advertising", 0.72),
    "price_1": ("price", 0.78),
    "price_2": ("price", 0.82),
    "price_3": ("price", 0.70),
    "price_4": ("price", 0.66),
    "service_1": ("service", 0.80),
    "service_2": ("service", 0.76),
    "service_3": ("service", 0.72),
    "service_4": ("service", 0.70),
    "service_5": ("service", 0.84),
    "quality_1": ("quality", 0.68),
    "quality_2": ("quality", 0.82),
    "quality_3": ("quality", 0.74),
    "quality_4": ("quality", 0.78),
}
LOADINGS = {k: v[1] for k, v in ITEMS.items()}
_OFFSET = np.array([0.0, -0.15, -0.05, 0.25])  # performance level per dimension
_RHO = 0.55  # loading of each dimension on general satisfaction
_OVERALL_NOISE = 0.45
_RECOMMEND_LOADING = 0.85
#: Competitors the respondents also use, their shares, and Suning's edge over each in the latent
#: comparison ``0.5 * eta_price + 0.5 * eta_service + edge + N(0, 0.8^2)``, cut at 0.45 ("better")
#: and -0.55 ("worse").
COMPETITORS = ("gome", "jd", "tmall")
_COMPETITOR_SHARE = (0.30, 0.45, 0.25)
_COMPETITOR_EDGE = np.array([0.3, -0.2, -0.1])
_COMPARISON_NOISE = 0.8
_BETTER, _WORSE = 0.45, -0.55
#: Share of respondents who answer in a store (the others in the app); drawn at random.
_STORE_SHARE = 0.6

_COMMENTS = {
    "zh_CN": {
        "late": ["送货太慢了，说好的12小时送达没有做到。", "物流延误，等了好几天。"],
        "install": ["空调安装拖了好几天，说好的24小时内安装呢？", "安装师傅迟迟不来。"],
        "price": ["下单后说价格涨了两百块，订单被取消，很失望。", "订单被单方面取消，理由是价格调整。"],
        "coupon": ["电子券过期了都不知道，有效期写得不清楚。", "优惠券莫名其妙就用不了了。"],
        "good": ["服务很好，会继续在苏宁买。", "送货安装都很及时，满意。", "正品有保障，价格也合适。"],
        "neutral": ["还可以吧，价格再便宜点就好了。", "一般般，和京东差不多。"],
        "bad": ["体验不太好，考虑去京东买。", "客服处理问题太慢。"],
    },
    "en_US": {
        "late": ["Delivery was late; the 12-hour promise was not kept.", "The parcel took days longer than promised."],
        "install": ["The air conditioner was installed days late, not within 24 hours.", "The installer never showed up on time."],
        "price": ["My order was cancelled after the price went up by 200 yuan.", "They cancelled my order because of a price change."],
        "coupon": ["My e-coupon expired and the expiry date was hidden.", "The coupon stopped working without notice."],
        "good": ["Great service, I will keep buying here.", "Delivery and installation were quick.", "Genuine products at fair prices."],
        "neutral": ["It's okay; prices could be lower.", "About the same as JD."],
        "bad": ["Not a good experience, I'll try JD next time.", "Customer service was slow to fix my problem."],
    },
}


def _cuts(top2box: float) -> np.ndarray:
    """Standard-normal thresholds for a 1-5 scale with the given top-2-box share."""
    from scipy.stats import norm

    p5 = 0.38 * top2box
    probs = np.array([0.03, 0.05, 1 - top2box - 0.08, top2box - p5, p5])
    return norm.ppf(np.cumsum(probs)[:-1])


def _nps_cuts(nps_target: float) -> np.ndarray:
    """Thresholds of the 0-10 recommend scale (10 cut points)."""
    from scipy.stats import norm

    promoters = 0.45 + (nps_target - 30) / 200
    detractors = 0.15 - (nps_target - 30) / 200
    low = detractors * np.array([0.07, 0.14, 0.23, 0.37, 0.53, 0.73, 1.0])  # 0..6
    passive = 1 - promoters - detractors
    mid = detractors + passive * np.array([0.45, 1.0])  # 7, 8
    high = 1 - promoters * 0.48  # 9 vs 10
    q = np.concatenate([low, mid, [high]])
    return norm.ppf(np.clip(q, 1e-6, 1 - 1e-6))


def _cut(x: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    return np.searchsorted(cuts, x).astype(np.int64)


def failure_shift(counts: np.ndarray, unresolved: np.ndarray) -> np.ndarray:
    """How much the service failures a respondent experienced lower each latent dimension.

    Parameters
    ----------
    counts : ndarray (m, 6)
        Events of each kind of :data:`crmlab.domain.EVENT_TYPES` before the answer.
    unresolved : ndarray (m,)
        Unresolved complaints before the answer.

    Returns
    -------
    ndarray (m, 4)
        Shifts of advertising, price, service and quality: an expired coupon lowers
        advertising (hidden terms) and a little price, a price-change cancellation lowers
        price, late or failed delivery and failed installation lower service, and an
        unresolved complaint lowers service more.

    Examples
    --------
    >>> import numpy as np
    >>> failure_shift(np.array([[1, 0, 0, 1, 0, 0]]), np.array([1])).round(2).tolist()
    [[0.0, 0.8, 1.2, 0.0]]
    """
    counts = np.asarray(counts, float).reshape(-1, 6)
    unresolved = np.asarray(unresolved, float).reshape(-1)
    shift = np.zeros((len(counts), 4))
    shift[:, 0] = 0.6 * counts[:, 4]  # expired coupon -> advertising (hidden terms)
    shift[:, 1] = 0.8 * counts[:, 3] + 0.2 * counts[:, 4]  # price-change cancellation -> price
    shift[:, 2] = 0.5 * (counts[:, 0] + counts[:, 1] + counts[:, 2]) + 0.7 * unresolved
    return shift


def failure_counts(service_events: pd.DataFrame, customer_id: pd.Series | np.ndarray,
                   answered: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each respondent's service events before answering, counted by kind, from the events table.

    Parameters
    ----------
    service_events : DataFrame
        The ``service_events`` table (``customer_id``, ``event_ts``, ``event_type``, ``resolved``).
    customer_id, answered : array-like (m,)
        Respondents and the times of their answers.

    Returns
    -------
    counts : ndarray (m, 6)
        Events of each kind of :data:`crmlab.domain.EVENT_TYPES` before the answer.
    unresolved : ndarray (m,)
        Complaints before the answer that were not resolved.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event_type": ["late_delivery", "complaint", "complaint"],
    ...                    "event_ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-03-01"]),
    ...                    "resolved": [None, False, True]})
    >>> c, u = failure_counts(ev, ["a", "b"], pd.to_datetime(["2024-02-01", "2024-02-01"]))
    >>> c.tolist(), u.tolist()
    ([[1.0, 0.0, 0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]], [1.0, 0.0])
    """
    from ..domain import EVENT_TYPES

    resp = pd.DataFrame({"customer_id": np.asarray(customer_id, dtype=object),
                         "answered": pd.to_datetime(np.asarray(answered))})
    resp["row"] = np.arange(len(resp))
    ev = pd.DataFrame({"customer_id": service_events["customer_id"].to_numpy(dtype=object),
                       "ts": pd.to_datetime(service_events["event_ts"]),
                       "kind": pd.Categorical(service_events["event_type"], categories=EVENT_TYPES).codes,
                       "unresolved": (service_events["event_type"] == "complaint").to_numpy()
                       & ~service_events["resolved"].astype("boolean").fillna(False).to_numpy(bool)})
    m = resp.merge(ev, on="customer_id", how="inner")
    m = m[(m["ts"] < m["answered"]) & (m["kind"] >= 0)]
    counts = np.zeros((len(resp), len(EVENT_TYPES)))
    np.add.at(counts, (m["row"].to_numpy(), m["kind"].to_numpy(np.int64)), 1.0)
    unresolved = np.zeros(len(resp))
    np.add.at(unresolved, m["row"].to_numpy(), m["unresolved"].to_numpy(float))
    return counts, unresolved


def expected_answers(scenario: Scenario, satisfaction: np.ndarray, shift: np.ndarray) -> pd.DataFrame:
    """Expected NPS contribution and competitor comparison of each respondent, given the latent attitudes.

    The truth behind group comparisons of the answers: for a respondent with latent
    satisfaction ``u`` and failure shifts ``shift``, the model of :func:`simulate_survey`
    with the dimension, overall, recommend and comparison noise integrated out.

    Parameters
    ----------
    scenario : Scenario
    satisfaction : ndarray (m,)
        Latent satisfaction ``u`` (``truth_customers.satisfaction``).
    shift : ndarray (m, 4)
        Failure shifts (:func:`failure_shift`).

    Returns
    -------
    DataFrame
        One row per respondent: ``nps`` = 100 * (P(promoter) - P(detractor)) and, for each
        competitor ``c`` of :data:`COMPETITORS`, ``net_c`` = P("better") - P("worse") had
        the respondent named ``c`` (the competitor is drawn independently of the attitudes).
        The mean of ``nps`` over a group is the group's expected NPS.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> out = expected_answers(get_scenario("tiny"), np.array([-2.0, 0.0, 2.0]), np.zeros((3, 4)))
    >>> bool(out["nps"].is_monotonic_increasing), bool((out["net_gome"] > out["net_jd"]).all())
    (True, True)
    """
    from scipy.stats import norm

    u = np.asarray(satisfaction, float).reshape(-1)
    shift = np.asarray(shift, float).reshape(len(u), len(DIMENSIONS))
    w = np.array(scenario.driver_weights, float)
    w = w / w.sum()
    cov = np.full((4, 4), _RHO**2) + np.eye(4) * (1 - _RHO**2)
    sd_o = float(np.sqrt(w @ cov @ w + _OVERALL_NOISE**2))
    s2 = 1 - _RHO**2  # variance of a dimension's own noise
    a = _RECOMMEND_LOADING
    mean_r = a * (_RHO * u * w.sum() - shift @ w) / sd_o
    sd_r = np.sqrt(a**2 * (s2 * (w @ w) + _OVERALL_NOISE**2) / sd_o**2 + (1 - a**2))
    ncuts = _nps_cuts(scenario.survey_nps_target)
    p_prom = 1 - norm.cdf((ncuts[8] - mean_r) / sd_r)
    p_detr = norm.cdf((ncuts[6] - mean_r) / sd_r)
    out = pd.DataFrame({"nps": 100 * (p_prom - p_detr)})
    base = _RHO * u + 0.5 * (_OFFSET[1] + _OFFSET[2]) - 0.5 * (shift[:, 1] + shift[:, 2])
    sd_c = np.sqrt(0.5 * s2 + _COMPARISON_NOISE**2)
    for c, edge in zip(COMPETITORS, _COMPETITOR_EDGE):
        mu = base + edge
        out[f"net_{c}"] = (1 - norm.cdf((_BETTER - mu) / sd_c)) - norm.cdf((_WORSE - mu) / sd_c)
    return out


def _answers(scenario: Scenario, eta: np.ndarray, rng: np.random.Generator
             ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, float]:
    """1-5 items and overall satisfaction from the latent dimensions ``eta`` (m x 4).

    Returns the answers (item columns and ``overall_satisfaction``), the
    continuous overall satisfaction, its systematic part and its noise sd.
    """
    m = len(eta)
    cuts = _cuts(scenario.survey_top2box)
    rows: dict[str, np.ndarray] = {}
    for item, (dim, load) in ITEMS.items():
        d = DIMENSIONS.index(dim)
        x = load * eta[:, d] + np.sqrt(1 - load**2) * rng.standard_normal(m)
        rows[item] = _cut(x, cuts) + 1
    w = np.array(scenario.driver_weights, float)
    w = w / w.sum()
    cov = np.full((4, 4), _RHO**2) + np.eye(4) * (1 - _RHO**2)
    sd_o = float(np.sqrt(w @ cov @ w + _OVERALL_NOISE**2))
    signal = (eta - _OFFSET) @ w / sd_o  # standardised systematic part
    o_noise = _OVERALL_NOISE / sd_o
    overall = signal + o_noise * rng.standard_normal(m)
    rows["overall_satisfaction"] = _cut(overall, cuts) + 1
    return rows, overall, signal, o_noise


def _johnson_shares(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights of the predictors ``x`` for ``y``, as shares of R^2.

    The formula of :func:`crmlab.analysis.survey.relative_weights` (which the
    simulator may not import: it is a higher layer); a test checks that the two agree.
    """
    c = np.corrcoef(np.column_stack([x, y]), rowvar=False)
    evals, evecs = np.linalg.eigh(c[:-1, :-1])
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    raw = (lam**2) @ np.linalg.solve(lam, c[:-1, -1]) ** 2
    return raw / raw.sum()


def relative_weight_shares(
    scenario: Scenario,
    satisfaction: np.ndarray,
    shift: np.ndarray,
    *,
    n: int = 200_000,
    seed: int = 20_240_618,
) -> dict[str, float] | None:
    """Population relative-weight shares that the survey model implies for the observed answers.

    The estimand of a key-driver analysis of the answers (Johnson's relative
    weights of the regression of the 1-5 overall satisfaction on the four
    dimension scores, each the mean of its items, as shares of R^2), computed
    once on a large draw of ``n`` respondents from the model of
    :func:`simulate_survey`: latent satisfaction and failure shifts resampled
    from the respondents of the dataset, new dimension noise, item noise and
    overall-satisfaction noise. Deterministic: a fixed internal seed, its own
    random stream (the tables do not change).

    Parameters
    ----------
    scenario : Scenario
    satisfaction : ndarray (m,)
        Latent satisfaction ``u`` of the respondents.
    shift : ndarray (m, 4)
        Their failure shifts of the four dimensions.
    n : int, default 200,000
        Simulated respondents (Monte Carlo error of a share about 0.002).
    seed : int
        Internal seed.

    Returns
    -------
    dict or None
        Dimension -> share (sums to 1), rounded to 4 digits; None without respondents.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.config import get_scenario
    >>> u = np.random.default_rng(0).standard_normal(500)
    >>> w = relative_weight_shares(get_scenario("tiny"), u, np.zeros((500, 4)), n=20_000)
    >>> max(w, key=w.get), round(sum(w.values()), 3)
    ('service', 1.0)
    """
    satisfaction = np.asarray(satisfaction, float)
    if len(satisfaction) == 0:
        return None
    shift = np.asarray(shift, float).reshape(len(satisfaction), len(DIMENSIONS))
    order = np.lexsort((*shift.T[::-1], satisfaction))  # independent of the order of the respondents
    rng = np.random.default_rng(seed)
    pick = order[rng.integers(0, len(order), int(n))]
    u = satisfaction[pick]
    eta = _RHO * u[:, None] + np.sqrt(1 - _RHO**2) * rng.standard_normal((len(u), 4)) + _OFFSET - shift[pick]
    answers, _, _, _ = _answers(scenario, eta, rng)
    scores = np.column_stack([np.mean([answers[k] for k, v in ITEMS.items() if v[0] == d], axis=0)
                              for d in DIMENSIONS])
    shares = _johnson_shares(scores, answers["overall_satisfaction"].astype(float))
    return {d: round(float(s), 4) for d, s in zip(DIMENSIONS, shares)}


def simulate_survey(
    scenario: Scenario,
    rng: np.random.Generator,
    *,
    first_order_day: np.ndarray,
    satisfaction: np.ndarray,
    ev_cust: np.ndarray,
    ev_type: np.ndarray,
    ev_t: np.ndarray,
    ev_unresolved: np.ndarray,
) -> tuple[dict[str, np.ndarray], float]:
    """Survey responses of one chunk.

    Returns
    -------
    rows : dict of arrays (``cust``, ``t``, item columns, ``overall_satisfaction``,
        ``recommend``, ``competitor``, ``competitor_comparison``, ``comment``,
        ``survey_channel``; and, for the truth, ``latent_satisfaction`` and
        ``latent_shift``: the respondents' ``u`` and failure shifts, m x 4)
    expected_nps_sum : float
        Sum over respondents of P(promoter) - P(detractor) given their latent
        attitudes (divide by the number of respondents for the truth NPS).
    """
    n = len(first_order_day)
    d0 = float(scenario.survey_day)
    eligible = first_order_day < d0
    resp = np.flatnonzero(eligible & (rng.random(n) < scenario.survey_response_rate))
    m = len(resp)
    t = d0 + np.floor(rng.random(m) * scenario.survey_days) + (10 + rng.random(m) * 10) / 24
    # failures experienced before answering
    pos = np.full(n, -1)
    pos[resp] = np.arange(m)
    p = pos[ev_cust]
    sel = (p >= 0)
    sel[sel] = ev_t[sel] < t[p[sel]]
    counts = np.zeros((m, 6))
    np.add.at(counts, (p[sel], ev_type[sel].astype(np.int64)), 1.0)
    unresolved = np.zeros(m)
    np.add.at(unresolved, p[sel], ev_unresolved[sel].astype(float))
    shift = failure_shift(counts, unresolved)
    u = satisfaction[resp]
    eta = _RHO * u[:, None] + np.sqrt(1 - _RHO**2) * rng.standard_normal((m, 4)) + _OFFSET - shift

    rows: dict[str, np.ndarray] = {"cust": resp, "t": t}
    answers, overall, signal, o_noise = _answers(scenario, eta, rng)
    rows.update(answers)
    rows["latent_satisfaction"], rows["latent_shift"] = u, shift  # for the truth (relative_weight_shares)
    a = _RECOMMEND_LOADING
    rec_noise = np.sqrt(1 - a**2)
    r = a * overall + rec_noise * rng.standard_normal(m)
    ncuts = _nps_cuts(scenario.survey_nps_target)
    rows["recommend"] = _cut(r, ncuts)
    # expected NPS given the latent attitudes (integrating out item-level noise)
    from scipy.stats import norm

    sd_r = np.sqrt((a * o_noise) ** 2 + rec_noise**2)
    mean_r = a * signal
    p_prom = 1 - norm.cdf((ncuts[8] - mean_r) / sd_r)
    p_detr = norm.cdf((ncuts[6] - mean_r) / sd_r)
    expected_nps_sum = float((p_prom - p_detr).sum() * 100)

    comp = rng.choice(3, size=m, p=list(_COMPETITOR_SHARE))
    rows["competitor"] = np.array(COMPETITORS)[comp]
    cmp = 0.5 * eta[:, 1] + 0.5 * eta[:, 2] + rng.normal(0, _COMPARISON_NOISE, m) + _COMPETITOR_EDGE[comp]
    rows["competitor_comparison"] = np.where(cmp > _BETTER, "better", np.where(cmp < _WORSE, "worse", "same"))
    rows["survey_channel"] = np.where(rng.random(m) < _STORE_SHARE, "store", "app")
    # free-text comments (40% leave one)
    bank = _COMMENTS[scenario.locale]
    has = rng.random(m) < 0.4
    pick = rng.random(m)
    topic = np.select(
        [counts[:, 3] > 0, counts[:, 2] > 0, counts[:, 0] + counts[:, 1] > 0, counts[:, 4] > 0,
         rows["overall_satisfaction"] >= 4, rows["overall_satisfaction"] == 3],
        ["price", "install", "late", "coupon", "good", "neutral"],
        "bad",
    )
    comment = np.empty(m, dtype=object)
    for key, texts in bank.items():
        k = np.flatnonzero(topic == key)
        comment[k] = np.array(texts, dtype=object)[np.minimum((pick[k] * len(texts)).astype(int), len(texts) - 1)]
    comment[~has] = None
    rows["comment"] = comment
    return rows, expected_nps_sum
