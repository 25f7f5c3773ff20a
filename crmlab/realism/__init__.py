"""Realism checks: how a dataset compares with what real retail data look like.

Works on any dataset that follows the data contract - a synthetic preset or
an imported extract - and never reads the truth:

* :mod:`crmlab.realism.facts` - :func:`stylized_facts` (one-time buyers,
  revenue concentration, inter-purchase times, basket sizes, seasonality,
  channel mix, survey scores) and their labels :data:`FACT_LABELS`;
* :mod:`crmlab.realism.scoring` - :func:`realism_facts` (the stylized facts
  plus the facts realism is usually argued with), :func:`scorecard` (one or
  two datasets next to reference ranges from real public data, with
  verdicts), :func:`format_scorecard`, :func:`scorecard_json`,
  :func:`plot_scorecard`.

Orders count as purchases by the one rule of :func:`crmlab.domain.counted_orders`
(every function takes ``statuses``).

Examples
--------
>>> import crmlab
>>> from crmlab.realism import FACT_LABELS, scorecard, stylized_facts
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> set(stylized_facts(data)) == set(FACT_LABELS)
True
>>> scorecard(data, names=("tiny",)).loc["top20_revenue_share", "verdict tiny"] in ("inside", "outside")
True
"""

from .facts import FACT_LABELS, stylized_facts
from .scoring import (
    REFERENCES,
    SCORECARD_LABELS,
    Reference,
    format_scorecard,
    plot_scorecard,
    realism_facts,
    scorecard,
    scorecard_json,
    seasonality_strength,
    verdict,
)

__all__ = [
    "FACT_LABELS",
    "stylized_facts",
    "Reference",
    "REFERENCES",
    "SCORECARD_LABELS",
    "realism_facts",
    "seasonality_strength",
    "scorecard",
    "scorecard_json",
    "format_scorecard",
    "plot_scorecard",
    "verdict",
]
