"""What do the free-text comments talk about? Keyword themes by satisfaction level.

The survey's open question (``comment``) is where customers name what went
wrong. :func:`comment_themes` codes each comment into themes by keywords (in
Chinese and English) and tabulates how often each theme comes up among the
dissatisfied, the neutral and the satisfied respondents - the first step of a
content analysis, which a reader then checks by reading the comments.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.survey.comments import comment_themes
>>> sv = pd.DataFrame({"comment": ["送货太慢了", "Delivery was late", "服务很好", None],
...                    "overall_satisfaction": [1, 2, 5, 4]})
>>> out = comment_themes(sv)
>>> int(out.loc["delivery", "n"]), round(float(out.loc["delivery", "share"]), 3)
(2, 0.667)
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ..._checks import check_confidence_level, require_columns
from .._proportions import wilson_interval
from .._results import DEFAULT_CONFIDENCE

__all__ = ["THEMES", "BANDS", "comment_themes"]

#: theme -> keywords (a comment has the theme if it contains any keyword; case-insensitive)
THEMES: dict[str, tuple[str, ...]] = {
    "delivery": ("送货", "物流", "送达", "配送", "delivery", "deliver", "parcel"),
    "installation": ("安装", "install"),
    "price": ("价格", "涨价", "便宜", "价钱", "price", "cheap"),
    "coupon": ("优惠券", "电子券", "券", "coupon"),
    "customer service": ("客服", "投诉", "customer service", "complain"),
    "competitor": ("京东", "天猫", "国美", "jd", "tmall", "gome"),
    "praise": ("满意", "很好", "及时", "保障", "great", "quick", "genuine"),
}

#: satisfaction bands: name -> levels of overall satisfaction
BANDS: dict[str, tuple[int, ...]] = {"dissatisfied": (1, 2), "neutral": (3,), "satisfied": (4, 5)}


def comment_themes(
    survey: pd.DataFrame,
    themes: Mapping[str, Sequence[str]] | None = None,
    *,
    comment: str = "comment",
    level: str = "overall_satisfaction",
    bands: Mapping[str, Sequence[int]] | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE,
) -> pd.DataFrame:
    """How often each theme comes up in the comments, overall and by satisfaction band.

    Parameters
    ----------
    survey : DataFrame
        Responses with the ``comment`` column (missing or empty = no comment) and ``level``.
    themes : mapping theme -> keywords, optional
        Default :data:`THEMES`. A comment may have several themes or none.
    comment, level : str
        Column names.
    bands : mapping band -> levels, optional
        Default :data:`BANDS` (1-2 dissatisfied, 3 neutral, 4-5 satisfied).
    confidence_level : float, default 0.95
        Of the Wilson intervals of the overall share.

    Returns
    -------
    DataFrame
        Indexed by theme: ``n`` (comments with the theme), ``share`` (of all comments)
        with its Wilson interval ``ci_low`` / ``ci_high``, and for each band the share of
        that band's comments that have the theme (NaN if the band has no comment).

    Notes
    -----
    Keyword coding is crude: it misses synonyms and negations ("not late") and counts a
    word in any sense. Read a sample of the comments of each theme before trusting the
    counts, and extend the keyword lists for real data.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"comment": ["价格太贵", "安装很及时，满意", "一般"], "overall_satisfaction": [2, 5, 3]})
    >>> out = comment_themes(sv)
    >>> out.loc["price", ["dissatisfied", "satisfied"]].tolist()
    [1.0, 0.0]
    >>> int(out.loc["praise", "n"])
    1
    """
    require_columns(survey, [comment, level], table="survey")
    check_confidence_level(confidence_level)
    themes = dict(THEMES if themes is None else themes)
    bands = dict(BANDS if bands is None else bands)
    text = survey[comment].astype("object")
    has = text.notna() & (text.astype(str).str.strip() != "")
    d = pd.DataFrame({"text": text[has].astype(str).str.lower(), "level": survey.loc[has, level]})
    if d.empty:
        raise ValueError(f"no response has a {comment!r}")
    rows = {}
    for theme, words in themes.items():
        hit = np.zeros(len(d), bool)
        for w in words:
            hit |= d["text"].str.contains(str(w).lower(), regex=False).to_numpy(bool)
        row = {"n": int(hit.sum()), "share": float(hit.mean())}
        lo, hi = wilson_interval(hit.sum(), len(hit), confidence_level)
        row["ci_low"], row["ci_high"] = min(max(float(lo), 0.0), row["share"]), max(min(float(hi), 1.0), row["share"])
        for band, levels in bands.items():
            inside = d["level"].isin(list(levels)).to_numpy(bool)
            row[band] = float(hit[inside].mean()) if inside.any() else float("nan")
        rows[theme] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "theme"
    return out
