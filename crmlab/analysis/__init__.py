"""Methods the notebooks teach, small and unit-tested, one module per topic.

* :mod:`crmlab.analysis.facts` - stylized facts of a dataset (realism checks);
* :mod:`crmlab.analysis.survey` - reliability, factors, key drivers, IPA, NPS;
* :mod:`crmlab.analysis.churn` - churn windows and labels, churn models, failure hazard ratios;
* :mod:`crmlab.analysis.clv` - BG/NBD P(alive) and expected purchases (:mod:`crmlab.analysis.clv.bgnbd`);
* :mod:`crmlab.analysis.uplift` - retention campaigns: effect, uplift, targeting, profit;
* :mod:`crmlab.analysis.rfm` - RFM, customer pyramid, behavioural segments, CLV;
* :mod:`crmlab.analysis.causal` - loyalty-programme evaluation (DiD, matching, bunching, breakage);
* :mod:`crmlab.analysis.basket` - baskets, association rules, decoys, time of day;
* :mod:`crmlab.analysis.survival` - time to churn, Kaplan-Meier, log-rank, counting-process data, Cox.

Every function takes tables of the data contract and works on real extracts too; none reads the
truth.
"""

import importlib
from typing import Any

from .facts import FACT_LABELS, stylized_facts

_MODULES = ("basket", "causal", "churn", "clv", "facts", "rfm", "survey", "survival", "uplift")

__all__ = [*_MODULES, "FACT_LABELS", "stylized_facts", "counting_process", "cox_hazard_ratios"]


def __getattr__(name: str) -> Any:
    """Import the topic modules on first use: they pull in scikit-learn, statsmodels and mlxtend,
    which ``crmlab describe`` or ``stylized_facts`` do not need."""
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in ("counting_process", "cox_hazard_ratios"):
        return getattr(importlib.import_module(".survival", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
