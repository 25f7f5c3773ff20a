"""Retention campaigns: the effect of a randomised offer, uplift, targeting and its profit.

One module per method:

* :mod:`~crmlab.analysis.uplift.effect` - average treatment effect of a
  randomised campaign (:func:`campaign_effect`), the effect within groups
  (:func:`uplift_by_group`) and a test that it differs between them
  (:func:`uplift_heterogeneity`), T-learner uplift scores
  (:func:`tlearner_uplift`), cross-fitted or fitted on one part of the
  campaign to be evaluated on the other (:func:`split_campaign`);
* :mod:`~crmlab.analysis.uplift.curves` - how well a score ranks customers by
  uplift: the uplift curve (:func:`uplift_curve`), Radcliffe's Qini curve
  (:func:`qini_curve`) and Qini coefficient with a bootstrap interval
  (:func:`qini_coefficient`; :func:`oracle_qini_coefficient` from known
  uplifts);
* :mod:`~crmlab.analysis.uplift.targeting` - profit of targeting by churn
  risk, by uplift or at random, with bootstrap intervals of the differences
  (:func:`targeting_comparison`), and the retention-profit formula
  (:func:`retention_profit`).

Target by uplift, not by risk: some customers leave whatever we do, and
"sleeping dogs" react badly to being contacted (Ascarza 2018).

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis.uplift import campaign_effect
>>> c = pd.DataFrame({"customer_id": list("abcdefgh"), "treated": [True] * 4 + [False] * 4,
...                   "responded": [1, 1, 1, 0, 1, 0, 0, 0]})
>>> campaign_effect(c).ate
0.5
"""

from .curves import QiniCoefficient, oracle_qini_coefficient, qini_coefficient, qini_curve, uplift_curve
from .effect import (
    CampaignEffect,
    HeterogeneityTest,
    campaign_effect,
    split_campaign,
    tlearner_uplift,
    uplift_by_group,
    uplift_heterogeneity,
)
from .targeting import TargetingComparison, retention_profit, targeting_comparison

__all__ = [
    "CampaignEffect",
    "campaign_effect",
    "uplift_by_group",
    "HeterogeneityTest",
    "uplift_heterogeneity",
    "split_campaign",
    "tlearner_uplift",
    "uplift_curve",
    "qini_curve",
    "QiniCoefficient",
    "qini_coefficient",
    "oracle_qini_coefficient",
    "TargetingComparison",
    "targeting_comparison",
    "retention_profit",
]
