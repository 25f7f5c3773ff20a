"""Naming segments: from each segment's profile relative to all customers, by stated rules.

Clustering returns numbered groups; a name is a *claim about the profile* and
must say which rule produced it. :func:`describe_segments` names the segments
of **any** clustering (any *k*, any features, a real extract or synthetic
data) in three steps:

1. **Percentile ranks.** Every customer gets their percentile rank among all
   customers on recency (days since the last order), frequency and monetary
   value (mid-ranks for ties, so 0.5 is the middle customer), and on each
   buying habit present in the table (order mix, price tier, channel, age,
   city tier, average order value: :data:`HABITS`).
2. **Levels.** A segment is *high* on a measure when its members' mean
   percentile rank is at least ``0.60`` and *low* when it is at most ``0.40``
   (:data:`LEVEL_CUTOFFS`): a random group of customers sits near 0.50.
   Recency is days since the last order, so *low* reads "recent" and *high*
   "lapsed"; low frequency reads "one-time" when the segment's median customer
   bought once.
3. **Name.** The RFM words in that order ("lapsed one-time low-value buyers";
   "typical buyers" if none applies) plus, in brackets, the habit furthest
   from the middle that passes the same cut-offs ("(digital)"). Segments that
   still share a name get the next habit, then a number.

The ``rule`` column says, for each segment, which comparisons gave its name.
Ranks make the rule indifferent to units and skew (money, counts, shares),
which is what lets it work on any extract; cut-offs are parameters.

:func:`name_segments` is the other way to name: scoring each segment against
a list of *your* target names (for example the simulator's five buying
archetypes, :data:`ARCHETYPE_RULES`) and assigning names one-to-one. It
forces the given names onto whatever clusters come out, so use it only to
compare a clustering with names you expect (the truth check of the lessons).

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"recency_days": [10, 20, 15, 300, 320, 310],
...                   "frequency": [5, 6, 4, 1, 1, 1],
...                   "monetary": [900.0, 1200.0, 800.0, 50.0, 80.0, 60.0]})
>>> describe_segments(f, [0, 0, 0, 1, 1, 1])["name"].tolist()
['recent frequent high-value buyers', 'lapsed one-time low-value buyers']
>>> describe_segments(f, [0, 0, 0, 1, 1, 1], lang="zh")["name"].tolist()
['近期活跃的高频高价值客户', '沉睡的一次性低价值客户']
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from .._checks import require_columns
from ..i18n import Messages, check_lang

__all__ = [
    "LEVEL_CUTOFFS",
    "RFM_MEASURES",
    "HABITS",
    "NAMING_WORDS",
    "percentile_ranks",
    "describe_segments",
    "ARCHETYPE_RULES",
    "ARCHETYPE_NAMES",
    "name_segments",
]

#: ``(low, high)``: a segment is *low* on a measure when the mean percentile rank of its members is at
#: most ``low``, *high* when it is at least ``high``, else in the middle.
LEVEL_CUTOFFS: tuple[float, float] = (0.40, 0.60)

#: The RFM measures and their columns (of :func:`crmlab.analysis.rfm.rfm_table`), in the order of the name.
RFM_MEASURES: dict[str, str] = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}

#: Buying habits that can qualify a name: ``column -> (word key if high, word key if low)`` (``None``:
#: no word in that direction). Columns absent from the table are skipped; the order breaks ties.
HABITS: dict[str, tuple[str | None, str | None]] = {
    "digital_share": ("habit.digital", None),
    "home_share": ("habit.home", None),
    "small_share": ("habit.small", None),
    "price_tier": ("habit.premium", "habit.budget"),
    "channel_store": ("habit.store", None),
    "channel_app": ("habit.app", None),
    "channel_web": ("habit.web", None),
    "log_avg_spend": ("habit.big_orders", "habit.small_orders"),
    "avg_spend": ("habit.big_orders", "habit.small_orders"),
    "age": ("habit.older", "habit.younger"),
    "city_tier": ("habit.smaller_cities", "habit.bigger_cities"),
}

#: Words and sentences of the names and rules, in English and Chinese.
NAMING_WORDS = Messages({
    "recency.low": {"en": "recent", "zh": "近期活跃"},
    "recency.high": {"en": "lapsed", "zh": "沉睡"},
    "frequency.high": {"en": "frequent", "zh": "高频"},
    "frequency.low": {"en": "infrequent", "zh": "低频"},
    "frequency.one_time": {"en": "one-time", "zh": "一次性"},
    "monetary.high": {"en": "high-value", "zh": "高价值"},
    "monetary.low": {"en": "low-value", "zh": "低价值"},
    "name": {"en": "{words} buyers", "zh": "{words}客户"},
    "name.typical": {"en": "typical buyers", "zh": "一般客户"},
    "name.habits": {"en": "{name} ({habits})", "zh": "{name}（{habits}）"},
    "name.number": {"en": "{name} #{i}", "zh": "{name} #{i}"},
    "habit.digital": {"en": "digital", "zh": "数码产品"},
    "habit.home": {"en": "home appliances", "zh": "大家电"},
    "habit.small": {"en": "small items", "zh": "小家电与配件"},
    "habit.premium": {"en": "premium models", "zh": "高端机型"},
    "habit.budget": {"en": "budget models", "zh": "经济型机型"},
    "habit.store": {"en": "in store", "zh": "门店为主"},
    "habit.app": {"en": "app", "zh": "手机客户端为主"},
    "habit.web": {"en": "web", "zh": "网站为主"},
    "habit.big_orders": {"en": "large orders", "zh": "大额订单"},
    "habit.small_orders": {"en": "small orders", "zh": "小额订单"},
    "habit.older": {"en": "older", "zh": "年龄偏大"},
    "habit.younger": {"en": "younger", "zh": "年龄偏小"},
    "habit.smaller_cities": {"en": "smaller cities", "zh": "低线城市"},
    "habit.bigger_cities": {"en": "bigger cities", "zh": "高线城市"},
    "rule.high": {"en": "{measure} {pct:.2f} >= {cut:.2f}: {word}", "zh": "{measure} {pct:.2f} ≥ {cut:.2f}：{word}"},
    "rule.low": {"en": "{measure} {pct:.2f} <= {cut:.2f}: {word}", "zh": "{measure} {pct:.2f} ≤ {cut:.2f}：{word}"},
    "rule.one_time": {"en": "{measure} {pct:.2f} <= {cut:.2f}, median 1 order: {word}",
                      "zh": "{measure} {pct:.2f} ≤ {cut:.2f}，中位数为 1 单：{word}"},
    "rule.middle": {"en": "{measure} {pct:.2f}: middle", "zh": "{measure} {pct:.2f}：居中"},
    "rule.no_habit": {"en": "no habit beyond the cut-offs", "zh": "没有超出分界值的购买习惯"},
    "rule.sep": {"en": "; ", "zh": "；"},
    "rule.habit_sep": {"en": ", ", "zh": "、"},
    "measure.recency": {"en": "R", "zh": "R"},
    "measure.frequency": {"en": "F", "zh": "F"},
    "measure.monetary": {"en": "M", "zh": "M"},
})


def percentile_ranks(values: Any) -> pd.Series:
    """Percentile rank of each value among all values: ``(mid-rank - 0.5) / n``, in (0, 1).

    Tied values share their mid-rank, so a value held by 60 % of the customers
    (one order) gets 0.30 for all of them, and the mean rank of any set of
    customers drawn at random is about 0.5.

    Examples
    --------
    >>> percentile_ranks([1, 1, 1, 2, 5]).round(2).tolist()
    [0.3, 0.3, 0.3, 0.7, 0.9]
    """
    s = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values.astype(float)
    if s.isna().any():
        raise ValueError("values contain missing values; impute or drop them first")
    if len(s) == 0:
        raise ValueError("values is empty")
    return (s.rank(method="average") - 0.5) / len(s)


def _level(pct: float, cutoffs: tuple[float, float]) -> str:
    p = round(float(pct), 2)  # compared as shown, to two decimals
    return "high" if p >= cutoffs[1] else "low" if p <= cutoffs[0] else "middle"


def _check_cutoffs(cutoffs: Sequence[float]) -> tuple[float, float]:
    lo, hi = (float(c) for c in cutoffs)
    if not 0 < lo < 0.5 < hi < 1:
        raise ValueError(f"cutoffs must satisfy 0 < low < 0.5 < high < 1, got {tuple(cutoffs)!r}")
    return lo, hi


def describe_segments(
    customers: pd.DataFrame,
    labels: Any,
    *,
    lang: str = "en",
    cutoffs: Sequence[float] = LEVEL_CUTOFFS,
    habits: Mapping[str, tuple[str | None, str | None]] = HABITS,
) -> pd.DataFrame:
    """Name the segments of any clustering from their RFM levels and strongest habit, saying why.

    Parameters
    ----------
    customers : DataFrame
        One row per customer: ``recency_days``, ``frequency`` and
        ``monetary`` (an RFM table, :func:`crmlab.analysis.rfm.rfm_table`) and
        optionally habit columns of :data:`HABITS` (from
        :func:`crmlab.analysis.segmentation.behaviour_features`); no missing
        values in the columns used. The rows are the population the segments
        are compared with.
    labels : array-like (n,)
        Segment of each row (any hashable labels, any number of segments).
    lang : {"en", "zh"}, default "en"
        Language of ``name`` and ``rule``.
    cutoffs : (low, high), default :data:`LEVEL_CUTOFFS`
        Mean percentile rank at or below which a segment is *low* and at or
        above which it is *high*.
    habits : mapping, default :data:`HABITS`
        Habit columns and their words (keys of :data:`NAMING_WORDS`) if high
        and if low.

    Returns
    -------
    DataFrame indexed by segment (sorted), with ``n``, ``share``;
    ``recency_pct``, ``frequency_pct``, ``monetary_pct`` (mean percentile
    rank of the members) and ``recency_level``, ``frequency_level``,
    ``monetary_level`` (``"low"``, ``"middle"``, ``"high"``);
    ``median_frequency``; ``habit`` (the column of the strongest habit used in
    the name, ``""`` if none) and ``habit_pct``; ``name`` (unique) and
    ``rule`` (the comparisons that gave the name).

    Raises
    ------
    ValueError
        A required column is missing, a used column has missing values,
        ``labels`` has the wrong length, or ``cutoffs`` is not
        ``0 < low < 0.5 < high < 1``.

    Notes
    -----
    For a measure ``x`` and segment ``S``, ``pct_S = mean_{i in S} rank(x_i)``
    with ``rank`` from :func:`percentile_ranks` over all rows; it is compared
    with the cut-offs rounded to two decimals, as the rule shows it. The name is
    built as in the module docstring. Two segments with the same RFM levels
    are told apart by their strongest habits; segments that are alike on
    every habit too get ``#2``, ``#3`` (in label order). A name describes the
    segment *on average*: check the profile and its spread before acting on
    it.

    Examples
    --------
    Four segments, two alike on RFM and told apart by a habit; ties in the
    frequency column (most customers bought once) are handled by mid-ranks:

    >>> import pandas as pd
    >>> f = pd.DataFrame({"recency_days": [5, 9, 400, 380, 100, 120, 110, 90],
    ...                   "frequency": [6, 5, 1, 1, 2, 1, 1, 2],
    ...                   "monetary": [5e3, 4e3, 99.0, 80.0, 600.0, 500.0, 400.0, 700.0],
    ...                   "digital_share": [0.3, 0.2, 0.2, 0.3, 0.9, 0.8, 0.1, 0.1]})
    >>> t = describe_segments(f, ["a", "a", "b", "b", "c", "c", "d", "d"])
    >>> t["name"].tolist()
    ['recent frequent high-value buyers', 'lapsed one-time low-value buyers', 'typical buyers (digital)', 'typical buyers']
    >>> t.loc["c", "rule"]
    'R 0.56: middle; F 0.44: middle; M 0.50: middle; digital_share 0.88 >= 0.60: digital'
    """
    check_lang(lang)
    lo, hi = _check_cutoffs(cutoffs)
    if not isinstance(customers, pd.DataFrame):
        raise ValueError("customers must be a pandas DataFrame")
    require_columns(customers, list(RFM_MEASURES.values()), table="customers")
    labels = np.asarray(labels)
    if labels.shape != (len(customers),):
        raise ValueError(f"labels must have one entry per row of customers ({len(customers)}), got {labels.shape}")
    if len(customers) == 0:
        raise ValueError("customers is empty")
    used_habits = {c: w for c, w in habits.items() if c in customers.columns}
    for c, (up, down) in used_habits.items():
        for key in (up, down):
            if key is not None and key not in NAMING_WORDS:
                raise ValueError(f"habit {c!r}: no word {key!r} in NAMING_WORDS")
    cols = list(RFM_MEASURES.values()) + list(used_habits)
    ranks = pd.DataFrame({c: percentile_ranks(customers[c].reset_index(drop=True)) for c in cols})
    g = ranks.groupby(labels)
    pct = g.mean()
    size = g.size()
    median_f = customers["frequency"].reset_index(drop=True).astype(float).groupby(labels).median()

    W = lambda key: NAMING_WORDS(key, lang)  # noqa: E731
    out = pd.DataFrame(index=pct.index)
    out.index.name = "segment"
    out["n"] = size.astype(np.int64)
    out["share"] = size / len(customers)
    for m, c in RFM_MEASURES.items():
        out[f"{m}_pct"] = pct[c]
        out[f"{m}_level"] = [_level(p, (lo, hi)) for p in pct[c]]
    out["median_frequency"] = median_f

    bases, rules, quals = {}, {}, {}
    for seg in out.index:
        words, why = [], []
        for m, c in RFM_MEASURES.items():
            p, level = float(pct.loc[seg, c]), out.loc[seg, f"{m}_level"]
            measure = W(f"measure.{m}")
            if level == "middle":
                why.append(NAMING_WORDS("rule.middle", lang, measure=measure, pct=p))
                continue
            key = f"{m}.{level}"
            rule_key = f"rule.{level}"
            if m == "frequency" and level == "low" and float(median_f.loc[seg]) <= 1:
                key, rule_key = "frequency.one_time", "rule.one_time"
            words.append(W(key))
            why.append(NAMING_WORDS(rule_key, lang, measure=measure, pct=p, cut=hi if level == "high" else lo,
                                    word=W(key)))
        if not words:
            base = W("name.typical")
        elif lang == "zh":
            base = NAMING_WORDS("name", lang, words=(words[0] + ("的" if len(words) > 1 else "") + "".join(words[1:]))
                                if out.loc[seg, "recency_level"] != "middle" else "".join(words))
        else:
            base = NAMING_WORDS("name", lang, words=" ".join(words))
        # habits beyond the cut-offs, strongest first (ties: order of `habits`)
        cand = []
        for j, (c, (up, down)) in enumerate(used_habits.items()):
            p = float(pct.loc[seg, c])
            level = _level(p, (lo, hi))
            key = up if level == "high" else down if level == "low" else None
            if key is not None:
                cand.append((-abs(p - 0.5), j, c, p, level, key))
        cand.sort()
        cand = [x for i, x in enumerate(cand) if x[5] not in {y[5] for y in cand[:i]}]  # one column per word
        bases[seg], rules[seg], quals[seg] = base, why, cand

    n_q = {seg: 1 for seg in out.index}

    def compose(seg: Any) -> str:
        q = quals[seg][: n_q[seg]]
        if not q:
            return bases[seg]
        return NAMING_WORDS("name.habits", lang, name=bases[seg], habits=W("rule.habit_sep").join(W(x[5]) for x in q))

    while True:  # add habits to names that are still shared, while a member has one more
        names = {seg: compose(seg) for seg in out.index}
        grown = False
        for name in set(names.values()):
            group = [s for s in out.index if names[s] == name]
            if len(group) > 1 and any(n_q[s] < len(quals[s]) for s in group):
                for s in group:
                    n_q[s] += 1
                grown = True
        if not grown:
            break
    seen: dict[str, int] = {}
    final = {}
    for seg in out.index:
        name = names[seg]
        seen[name] = seen.get(name, 0) + 1
        final[seg] = name if seen[name] == 1 else NAMING_WORDS("name.number", lang, name=name, i=seen[name])
    out["habit"] = [quals[s][0][2] if quals[s] and n_q[s] >= 1 else "" for s in out.index]
    out["habit_pct"] = [quals[s][0][3] if quals[s] else np.nan for s in out.index]
    out["name"] = pd.Series(final)
    sep = W("rule.sep")
    out["rule"] = [
        sep.join(rules[s] + ([NAMING_WORDS(f"rule.{x[4]}", lang, measure=x[2], pct=x[3], cut=hi if x[4] == "high" else lo,
                                           word=W(x[5])) for x in quals[s][: n_q[s]]] or [W("rule.no_habit")]))
        for s in out.index
    ]
    return out


# ------------------------------------------------------------------ names given in advance
#: The simulator's five buying archetypes of a 3C retailer as naming rules for :func:`name_segments`:
#: ``name -> {profile column: weight}`` on the columns of
#: :func:`crmlab.analysis.segmentation.behaviour_features`. Only for comparing a clustering with the
#: planted segments of synthetic data; real data need not contain these groups.
ARCHETYPE_RULES: dict[str, dict[str, float]] = {
    "premium_loyalists": {"log_frequency": 1.0, "price_tier": 1.0},  # often, and dear models
    "tech_enthusiasts": {"digital_share": 1.0},  # phones, laptops
    "family_upgraders": {"home_share": 1.0},  # TV, fridge, washer, AC
    "bargain_hunters": {"small_share": 1.0, "price_tier": -1.0},  # small items, cheap models
    "occasional_shoppers": {"log_frequency": -1.0},  # rarely
}

#: The names of :data:`ARCHETYPE_RULES`, in order (the simulator's segment codes).
ARCHETYPE_NAMES: tuple[str, ...] = tuple(ARCHETYPE_RULES)


def _rule_scores(profiles: pd.DataFrame, rules: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """Fit of each segment (rows) to each name (columns): weighted sums of z-scores across segments."""
    if not rules:
        raise ValueError("rules is empty: give at least one name with its conditions")
    for name, weights in rules.items():
        if not weights:
            raise ValueError(f"rule {name!r} has no condition")
    need = list(dict.fromkeys(c for weights in rules.values() for c in weights))
    require_columns(profiles, ["n", *need], table="profiles")
    w = profiles["n"].astype(float).to_numpy()
    w = w / w.sum()

    def z(col: str) -> pd.Series:
        x = profiles[col].astype(float)
        m = float(np.sum(w * x))
        sd = float(np.sqrt(np.sum(w * (x - m) ** 2)))
        return (x - m) / sd if sd > 0 else x * 0.0

    zs = {c: z(c) for c in need}
    scores = {}
    for name, weights in rules.items():
        total: Any = 0.0
        for col, weight in weights.items():
            total = total + float(weight) * zs[col]
        scores[str(name)] = total
    return pd.DataFrame(scores, index=profiles.index)


def name_segments(profiles: pd.DataFrame, rules: Mapping[str, Mapping[str, float]]) -> dict[Any, str]:
    """Give each segment one of a list of names fixed in advance, the one its profile fits best.

    Unlike :func:`describe_segments`, which describes what each segment *is*,
    this assigns names you *expect* (one per segment), whatever the clusters
    look like: use it to compare a clustering with known groups, not to
    discover them.

    Parameters
    ----------
    profiles : DataFrame
        Output of :func:`crmlab.analysis.segmentation.segment_profiles` (one
        row per segment; any clustering): ``n`` and the columns the rules use.
    rules : mapping
        Ordered ``name -> {profile column: weight}`` (e.g.
        :data:`ARCHETYPE_RULES`). A segment fits a name by
        ``sum(weight * z(column))``, ``z`` being the column's deviation from
        the overall mean in units of its spread across segments (both
        weighted by segment size): a positive weight asks for "above
        average", a negative one for "below average".

    Returns
    -------
    dict
        Segment label -> name; names are unique. With more segments than
        names the extra ones are named after their best-fitting name plus a
        suffix (``"tech_enthusiasts_2"``).

    Raises
    ------
    ValueError
        ``profiles`` is empty or lacks a column a rule uses, or a rule is empty.

    Notes
    -----
    Names are assigned one-to-one to maximise the total fit (Hungarian
    algorithm, :func:`scipy.optimize.linear_sum_assignment`). The order of
    ``rules`` matters only for ties.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"n": [100, 100, 50], "log_frequency": [0.7, 0.8, 1.6],
    ...                      "price_tier": [-0.8, 0.0, 1.0], "home_share": [0.1, 0.8, 0.5],
    ...                      "digital_share": [0.3, 0.1, 0.3], "small_share": [0.6, 0.1, 0.2]})
    >>> name_segments(prof, ARCHETYPE_RULES)
    {0: 'bargain_hunters', 1: 'family_upgraders', 2: 'premium_loyalists'}
    >>> rules = {"frequent_buyers": {"log_frequency": 1.0}, "premium_buyers": {"price_tier": 1.0},
    ...          "price_sensitive": {"price_tier": -1.0}}
    >>> name_segments(prof, rules)
    {0: 'price_sensitive', 1: 'premium_buyers', 2: 'frequent_buyers'}
    """
    if len(profiles) == 0:
        raise ValueError("profiles is empty")
    S = _rule_scores(profiles, rules)
    names_in_order = list(S.columns)
    rows, cols = linear_sum_assignment(S.to_numpy(), maximize=True)
    names: dict[Any, str] = {S.index[r]: names_in_order[c] for r, c in zip(rows, cols)}
    used: dict[str, int] = {}
    for lab in S.index:
        if lab not in names:
            best = str(S.loc[lab].idxmax())
            used[best] = used.get(best, 1) + 1
            names[lab] = f"{best}_{used[best]}"
    return {lab: names[lab] for lab in S.index}
