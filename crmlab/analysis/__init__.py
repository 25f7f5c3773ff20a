"""Methods the notebooks teach, small and unit-tested, one module per topic.

* :mod:`crmlab.analysis.survey` - reliability, factors, key drivers, IPA, NPS;
* :mod:`crmlab.analysis.churn` - churn windows, survival, hazard ratios, churn models, BG/NBD, uplift;
* :mod:`crmlab.analysis.rfm` - RFM, customer pyramid, behavioural segments, CLV;
* :mod:`crmlab.analysis.causal` - loyalty-programme evaluation (DiD, matching, bunching, breakage);
* :mod:`crmlab.analysis.basket` - baskets, association rules, decoys, time of day;
* :mod:`crmlab.analysis.survival` - counting-process data and Cox hazard ratios.

Every function takes tables of the data contract and works on real extracts too; none reads the
truth.
"""

import importlib
from typing import Any

_MODULES = ("basket", "causal", "churn", "rfm", "survey", "survival")

__all__ = [*_MODULES, "counting_process", "cox_hazard_ratios"]


def __getattr__(name: str) -> Any:
    """Import the topic modules on first use: they pull in scikit-learn, statsmodels and mlxtend,
    which ``crmlab describe`` does not need."""
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("counting_process", "cox_hazard_ratios"):
        return getattr(importlib.import_module(".survival", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
