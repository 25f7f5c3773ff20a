"""Did the loyalty programme raise purchasing? Causal evaluation of a loyalty programme.

Loyalty programmes look far more effective in naive comparisons than they are:
customers who already buy a lot are the ones who enrol (self-selection), so
members out-buy non-members whatever the programme does (Leenheer et al. 2007
find naive estimates several times the causal effect). This package builds the
customer x month panel and the estimators a notebook needs to show the naive
number first and the causal one next.

One module per method:

* :mod:`~crmlab.analysis.loyalty.panel` - :func:`monthly_panel` (the customer x
  month panel around enrolment) and :func:`naive_member_effect` (the naive
  member vs non-member comparison);
* :mod:`~crmlab.analysis.loyalty.did` - imputation difference-in-differences:
  :func:`did_effect`, :func:`did_event_study`, :func:`pretrend_test`,
  :func:`effect_by_segment` (the machinery is in ``_imputation``);
* :mod:`~crmlab.analysis.loyalty.did` also: :func:`effect_heterogeneity` (Wald
  test that the effect is the same for every buyer type);
* :mod:`~crmlab.analysis.loyalty.fade` - :func:`fade_effect` (early minus late
  months, with an interval);
* :mod:`~crmlab.analysis.loyalty.launch` - :func:`launch_effect`: the
  staggered city launch as a natural experiment (intention-to-treat, and per
  enrolled member);
* :mod:`~crmlab.analysis.loyalty.matching` - :func:`propensity_matching`;
* :mod:`~crmlab.analysis.loyalty.compare` - :func:`common_members`,
  :func:`same_members` (one member set for every estimator) and
  :func:`naive_did_ratio` (the overstatement, with a bootstrap interval);
* :mod:`~crmlab.analysis.loyalty.tiers` - :func:`tier_threshold_view`,
  :func:`bunching_estimate` (bunching at a tier threshold);
* :mod:`~crmlab.analysis.loyalty.points` - :func:`points_breakage` (breakage
  and the points liability).

Estimators return tables (DataFrames) or small frozen result objects
(:class:`DidEffect`, :class:`NaiveComparison`, ...) whose fields are read as
attributes; intervals take ``confidence_level=0.95``. Every function takes
tables of the data contract (:mod:`crmlab.schema`) or the panel built by
:func:`monthly_panel`, and works on real extracts: none reads planted truth.

References
----------
Leenheer, J., van Heerde, H. J., Bijmolt, T. H. A. & Smidts, A. (2007). Do
loyalty programs really enhance behavioral loyalty? *IJRM* 24(1).

Examples
--------
>>> import crmlab
>>> from crmlab.analysis import loyalty
>>> data = crmlab.make_retail_crm("tiny", seed=1)
>>> panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of="2025-06-30")
>>> did = loyalty.did_effect(panel, months=(1, 5))
>>> did.ci_low < did.effect < did.ci_high
True
"""

from .compare import RatioEstimate, common_members, naive_did_ratio, same_members
from .did import (DidEffect, HeterogeneityTest, PretrendTest, did_effect, did_event_study, effect_by_segment,
                  effect_heterogeneity, pretrend_test)
from .fade import FadeEffect, fade_effect
from .launch import LaunchEffect, launch_effect, launch_panel
from .matching import MatchingEffect, propensity_matching
from .panel import NaiveComparison, monthly_panel, naive_member_effect, rate_ratio
from .points import POINT_VALUE, Breakage, points_breakage
from .tiers import Bunching, bunching_estimate, tier_threshold_view

__all__ = [
    "monthly_panel",
    "naive_member_effect",
    "rate_ratio",
    "did_effect",
    "did_event_study",
    "pretrend_test",
    "effect_by_segment",
    "effect_heterogeneity",
    "fade_effect",
    "launch_panel",
    "launch_effect",
    "common_members",
    "same_members",
    "naive_did_ratio",
    "propensity_matching",
    "tier_threshold_view",
    "bunching_estimate",
    "points_breakage",
    "NaiveComparison",
    "DidEffect",
    "PretrendTest",
    "FadeEffect",
    "HeterogeneityTest",
    "LaunchEffect",
    "RatioEstimate",
    "MatchingEffect",
    "Bunching",
    "Breakage",
    "POINT_VALUE",
]
