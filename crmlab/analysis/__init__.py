"""Methods the notebooks teach, one module per method family, small and unit-tested.

* :mod:`crmlab.analysis.survey` - reliability, factors, key drivers, IPA, NPS, group comparisons;
* :mod:`crmlab.analysis.survival` - time to churn, Kaplan-Meier, log-rank, counting-process data, Cox;
* :mod:`crmlab.analysis.churn` - churn windows and labels, churn models, failure hazard ratios;
* :mod:`crmlab.analysis.clv` - BG/NBD P(alive) and expected purchases, simple CLV;
* :mod:`crmlab.analysis.uplift` - retention campaigns: effect, uplift, targeting, profit;
* :mod:`crmlab.analysis.rfm` - RFM, customer pyramid, 80/20;
* :mod:`crmlab.analysis.segmentation` - behavioural features, k-means, stability, profiles;
* :mod:`crmlab.analysis.segment_naming` - naming segments from their profile by stated rules;
* :mod:`crmlab.analysis.loyalty` - loyalty-programme evaluation (DiD, matching, bunching, breakage);
* :mod:`crmlab.analysis.basket` - baskets, association rules, decoys, cross-sell;
* :mod:`crmlab.analysis.basket_timing` - when baskets are bought (time of day);
* :mod:`crmlab.analysis.seasonality` - daily demand and festival effects (Chinese New Year, 618, Double 11);
* :mod:`crmlab.analysis.upsell` - up-sell: price-tier moves between repeat purchases, drift with tenure;
* :mod:`crmlab.analysis.wallet` - share of wallet and store switching from the survey, implied wallet;
* :mod:`crmlab.analysis.claims` - findings as sentences that hold for the run's data.

Every function takes tables of the data contract and works on real extracts too; none reads the
truth. The modules are imported on first use (``from crmlab.analysis import churn``): they pull
in scikit-learn, statsmodels and mlxtend.
"""

import importlib
from typing import Any

_MODULES = ("basket", "basket_timing", "churn", "claims", "clv", "loyalty", "rfm", "seasonality", "segment_naming",
            "segmentation",
            "survey", "survival", "uplift")
_MODULES += ("upsell", "wallet")  # lifecycle (07)

__all__ = list(_MODULES)


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
