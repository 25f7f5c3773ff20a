"""Findings computed from the run's estimates: sentences that are true for *these* data.

Every student gets their own dataset and researchers bring their own, so a
notebook may not print a fixed sentence about the data. A :class:`Claim` is a
sentence produced from an estimate and its confidence interval:

* :func:`directional` says "rises" / "falls" only when the interval excludes
  the null value, and otherwise that the data at this size cannot tell;
* :func:`leader` says that one option is the largest ("service drives
  satisfaction most", "targeting by uplift earns the most") only when the
  interval of its lead over the runner-up excludes zero.

The sentences come from a :class:`crmlab.i18n.Messages` catalogue, so the
same code prints them in English or Chinese. Each claim records the numbers
behind it (``estimate``, ``ci``, ``null``) and ``supported`` - true exactly
when the interval excludes the null - and goes into ``results.json`` under
``claims``, where the claims audit (``scripts/audit_claims.py``) checks it
against the truth over many seeds.

Message keys: a directional claim with id ``ID`` needs ``ID.up``, ``ID.down``
and ``ID.unclear``; a leader claim needs ``ID.leader`` and ``ID.unclear``.
Templates may use ``{estimate}``, ``{ci_low}``, ``{ci_high}``, ``{level}``
(the confidence level) and any extra values passed by the caller
(``{leader}`` and ``{runner_up}`` for leader claims).

Examples
--------
>>> from crmlab.analysis._results import Estimate
>>> from crmlab.analysis.claims import directional
>>> from crmlab.i18n import Messages
>>> texts = Messages({
...     "lift.up": {"en": "Members buy more: {estimate:+.0%} ({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}).",
...                 "zh": "会员购买更多：{estimate:+.0%}（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}）。"},
...     "lift.down": {"en": "Members buy less: {estimate:+.0%} ({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}).",
...                   "zh": "会员购买更少：{estimate:+.0%}（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}）。"},
...     "lift.unclear": {"en": "These data cannot tell: {estimate:+.0%} ({level:.0%} CI {ci_low:+.0%} to {ci_high:+.0%}).",
...                      "zh": "数据不足以判断：{estimate:+.0%}（{level:.0%} 置信区间 {ci_low:+.0%} 至 {ci_high:+.0%}）。"},
... })
>>> c = directional("lift", Estimate(0.12, 0.03, 0.21), texts)
>>> c.text, c.supported
('Members buy more: +12% (95% CI +3% to +21%).', True)
>>> directional("lift", Estimate(0.05, -0.02, 0.12), texts, lang="zh").text
'数据不足以判断：+5%（95% 置信区间 -2% 至 +12%）。'
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Iterable, Mapping

from ..i18n import Messages, check_lang
from ._results import Estimate, Result

__all__ = ["Claim", "directional", "leader", "claims_json"]


@dataclasses.dataclass(frozen=True, repr=False)
class Claim(Result):
    """A sentence about the data and the numbers that justify it.

    Attributes
    ----------
    id : str
        Stable identifier (``"loyalty.did_effect"``), the key of the claims audit.
    text : str
        The sentence the notebook shows.
    estimate : float
        The estimate the sentence is about (for a leader claim: the leader's
        lead over the runner-up).
    ci : tuple of float
        Its confidence interval ``(low, high)``.
    null : float
        The value meaning "no effect" / "no difference".
    supported : bool
        True exactly when ``ci`` excludes ``null`` (the sentence then uses a
        directional word; otherwise it says the data cannot tell).
    detail : dict
        What the estimate refers to when that depends on the run (for a leader
        claim: ``{"leader": ..., "runner_up": ...}``), so that the audit can
        look up the matching truth.
    """

    id: str
    text: str
    estimate: float
    ci: tuple[float, float]
    null: float
    supported: bool
    detail: dict = dataclasses.field(default_factory=dict)

    @property
    def direction(self) -> int:
        """+1 if supported above the null, -1 if supported below it, 0 if not supported."""
        if not self.supported:
            return 0
        return 1 if self.ci[0] > self.null else -1

    def __str__(self) -> str:
        return self.text


def _values(est: Estimate) -> dict[str, Any]:
    return {"estimate": est.estimate, "ci_low": est.ci_low, "ci_high": est.ci_high, "level": est.confidence_level}


def _as_estimate(est: Any) -> Estimate:
    if isinstance(est, Estimate):
        return est
    if isinstance(est, (tuple, list)) and len(est) == 3:
        return Estimate(float(est[0]), float(est[1]), float(est[2]))
    fields = ("estimate", "ci_low", "ci_high")
    if all(hasattr(est, f) for f in fields):
        return Estimate(*(float(getattr(est, f)) for f in fields),
                        confidence_level=float(getattr(est, "confidence_level", 0.95)))
    raise TypeError(f"expected an Estimate, a result with estimate/ci_low/ci_high, or (estimate, low, high); "
                    f"got {type(est).__name__}")


def directional(claim_id: str, est: Any, messages: Messages, *, null: float = 0.0, lang: str = "en",
                detail: Mapping[str, Any] | None = None, **values: Any) -> Claim:
    """A claim that an effect is above or below ``null`` - made only when the interval says so.

    Parameters
    ----------
    claim_id : str
        Identifier; also the prefix of the message keys ``.up``, ``.down``, ``.unclear``.
    est : Estimate, result with ``estimate``/``ci_low``/``ci_high``, or (estimate, low, high)
    messages : Messages
        The catalogue holding the three sentences.
    null : float, default 0
        "No effect" (1 for ratios).
    lang : {"en", "zh"}
    detail : mapping, optional
        Recorded on the claim (what the estimate refers to, e.g. a segment).
    **values
        Extra template values.
    """
    check_lang(lang)
    e = _as_estimate(est)
    supported = e.excludes(null)
    key = "unclear" if not supported else ("up" if e.ci_low > null else "down")
    text = messages(f"{claim_id}.{key}", lang, **{**_values(e), **values})
    return Claim(claim_id, text, float(e.estimate), (float(e.ci_low), float(e.ci_high)), float(null), supported,
                 dict(detail or {}))


def leader(claim_id: str, estimates: Mapping[Any, Any], messages: Messages, *,
           difference: Any | None = None, names: Mapping[Any, str] | None = None, lang: str = "en",
           **values: Any) -> Claim:
    """A claim that one option has the largest value - made only when its lead is clear.

    Parameters
    ----------
    claim_id : str
        Identifier; also the prefix of the message keys ``.leader`` and ``.unclear``.
    estimates : mapping option -> Estimate (or (estimate, low, high))
        At least two options.
    messages : Messages
    difference : Estimate, optional
        The leader's lead over the runner-up with its interval (for example
        from a bootstrap of the difference). If omitted, the conservative
        interval ``(leader.low - runner_up.high, leader.high - runner_up.low)``
        is used: the lead is then supported only when the two intervals do not
        overlap.
    names : mapping option -> display name, optional
        How options appear in the sentence (e.g. :func:`crmlab.i18n.label`).
    lang : {"en", "zh"}
    **values
        Extra template values.

    Notes
    -----
    Template values: ``{leader}``, ``{runner_up}``, ``{leader_estimate}``,
    ``{runner_up_estimate}`` and the lead's ``{estimate}``, ``{ci_low}``,
    ``{ci_high}``, ``{level}``.
    """
    check_lang(lang)
    ests = {k: _as_estimate(v) for k, v in estimates.items()}
    if len(ests) < 2:
        raise ValueError(f"{claim_id}: a leader claim needs at least two options, got {len(ests)}")
    finite = {k: v for k, v in ests.items() if not math.isnan(v.estimate)}
    if len(finite) < 2:
        raise ValueError(f"{claim_id}: fewer than two options have an estimate")
    order = sorted(finite, key=lambda k: finite[k].estimate, reverse=True)
    top, second = order[0], order[1]
    a, b = finite[top], finite[second]
    if difference is None:
        diff = Estimate(a.estimate - b.estimate, a.ci_low - b.ci_high, a.ci_high - b.ci_low, a.confidence_level)
    else:
        diff = _as_estimate(difference)
    supported = diff.excludes(0.0) and diff.ci_low > 0
    show = (lambda k: names.get(k, str(k))) if names else str
    text = messages(f"{claim_id}.{'leader' if supported else 'unclear'}", lang,
                    **{**_values(diff), "leader": show(top), "runner_up": show(second),
                       "leader_estimate": a.estimate, "runner_up_estimate": b.estimate, **values})
    return Claim(claim_id, text, float(diff.estimate), (float(diff.ci_low), float(diff.ci_high)), 0.0, supported,
                 {"leader": str(top), "runner_up": str(second)})


def claims_json(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """The ``claims`` entry of ``results.json``: one object per claim, ids unique."""
    out, seen = [], set()
    for c in claims:
        if c.id in seen:
            raise ValueError(f"claim id {c.id!r} used twice")
        seen.add(c.id)
        row = {"id": c.id, "text": c.text, "estimate": c.estimate, "ci": list(c.ci), "null": c.null,
               "supported": c.supported}
        if c.detail:
            row["detail"] = dict(c.detail)
        out.append(row)
    return out
