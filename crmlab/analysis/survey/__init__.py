"""Satisfaction-survey analysis: reliability, factors, key drivers, NPS, churn link.

The questionnaire measures four dimensions with 1-5 Likert items - advertising
and promotion (宣传, ``adv_*``), price (价格, ``price_*``), service (服务,
``service_*``) and product quality (质量, ``quality_*``) - plus overall
satisfaction (1-5), the 0-10 recommend question of the Net Promoter Score and
a competitor comparison. The modules follow the order in which a survey is
analysed:

1. :mod:`~crmlab.analysis.survey.reliability` - measurement:
   :func:`item_columns`, :func:`cronbach_alpha`, :func:`alpha_interval`, :func:`reliability_table`,
   :func:`item_reliability`;
2. :mod:`~crmlab.analysis.survey.factors` - structure and scores:
   :func:`factorability`, :func:`factor_loadings`, :func:`primary_factor`,
   :func:`dimension_scores`;
3. :mod:`~crmlab.analysis.survey.drivers` - what matters: :func:`key_drivers`
   (standardised OLS, Johnson's relative weights and the Shapley/LMG
   decomposition of R^2), :func:`relative_weight_shares` (with bootstrap
   intervals), :func:`importance_performance` (Martilla & James 1977) and
   :func:`top2box`;
4. :mod:`~crmlab.analysis.survey.nps` - loyalty: :func:`nps`, :func:`nps_bootstrap`,
   :func:`nps_by_group`, :func:`nps_difference`;
5. :mod:`~crmlab.analysis.survey.groups` - :func:`compare_groups`,
   :func:`satisfaction_and_churn`, :func:`inactivity_gap`, :func:`competitor_comparison`;
6. :mod:`~crmlab.analysis.survey.sampling` - who answered: :func:`sampling_frame`,
   :func:`representativeness` (respondents vs the customer base, by survey channel);
7. :mod:`~crmlab.analysis.survey.instrument` - the questionnaire: :func:`instrument`
   (item wording in English and Chinese, constructs, answer scales);
8. :mod:`~crmlab.analysis.survey.comments` - the open question: :func:`comment_themes`
   (keyword themes by satisfaction band).

Every name is available from this package (``from crmlab.analysis import
survey; survey.key_drivers(...)``). Functions take tables that follow the data
contract (:mod:`crmlab.schema`), so they work on real survey extracts as well
as on synthetic data; missing answers are allowed (nullable integers) and
handled as each docstring says. Statistics come back as result objects
(:class:`KeyDrivers`, :class:`NPSEstimate`, ...) whose tables are plain
DataFrames.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis import survey
>>> df = pd.DataFrame({"adv_1": [1, 2, 4, 5], "adv_2": [2, 2, 4, 5],
...                    "price_1": [3, 4, 2, 5], "price_2": [3, 5, 2, 4]})
>>> survey.item_columns(df)
{'advertising': ['adv_1', 'adv_2'], 'price': ['price_1', 'price_2']}
>>> round(survey.cronbach_alpha(df[["adv_1", "adv_2"]]), 3)
0.977
>>> survey.nps([10, 9, 8, 7, 3])
20.0
"""

from .drivers import (
    QUADRANTS,
    ImportancePerformance,
    KeyDrivers,
    RelativeWeightShares,
    importance_performance,
    key_drivers,
    relative_weight_shares,
    relative_weights,
    shapley_r2,
    top2box,
    top2box_share,
)
from .comments import comment_themes
from .factors import Factorability, FactorLoadings, dimension_scores, factor_loadings, factorability, primary_factor
from .groups import (
    GroupComparison,
    InactivityGap,
    SatisfactionChurn,
    compare_groups,
    competitor_comparison,
    inactivity_gap,
    satisfaction_and_churn,
)
from .instrument import instrument
from .nps import NPSDifference, NPSEstimate, nps, nps_bootstrap, nps_by_group, nps_difference
from .reliability import (
    DIMENSION_PREFIXES,
    alpha_interval,
    cronbach_alpha,
    dimension_items,
    item_columns,
    item_reliability,
    reliability_table,
)
from .sampling import Representativeness, representativeness, sampling_frame

__all__ = [
    "DIMENSION_PREFIXES",
    "QUADRANTS",
    "Factorability",
    "FactorLoadings",
    "KeyDrivers",
    "RelativeWeightShares",
    "ImportancePerformance",
    "NPSEstimate",
    "GroupComparison",
    "SatisfactionChurn",
    "InactivityGap",
    "item_columns",
    "dimension_items",
    "cronbach_alpha",
    "alpha_interval",
    "reliability_table",
    "item_reliability",
    "factorability",
    "factor_loadings",
    "primary_factor",
    "dimension_scores",
    "relative_weights",
    "relative_weight_shares",
    "shapley_r2",
    "key_drivers",
    "importance_performance",
    "top2box",
    "top2box_share",
    "nps",
    "nps_bootstrap",
    "compare_groups",
    "satisfaction_and_churn",
    "inactivity_gap",
    "competitor_comparison",
    "NPSDifference",
    "nps_by_group",
    "nps_difference",
    "Representativeness",
    "sampling_frame",
    "representativeness",
    "instrument",
    "comment_themes",
]
