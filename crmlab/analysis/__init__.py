"""Methods the notebooks teach, small and unit-tested, one module per topic.

* :mod:`crmlab.analysis.facts` - stylized facts of a dataset (realism checks);
* :mod:`crmlab.analysis.survey` - reliability, factors, key drivers, IPA, NPS;
* :mod:`crmlab.analysis.churn` - churn windows, survival, hazard ratios, churn models, BG/NBD, uplift;
* :mod:`crmlab.analysis.rfm` - RFM, customer pyramid, behavioural segments, CLV;
* :mod:`crmlab.analysis.causal` - loyalty-programme evaluation (DiD, matching, bunching, breakage);
* :mod:`crmlab.analysis.basket` - baskets, association rules, decoys, time of day;
* :mod:`crmlab.analysis.survival` - counting-process data and Cox hazard ratios.

Every function takes tables of the data contract and works on real extracts too; none reads the
truth.
"""

from . import basket, causal, churn, facts, rfm, survey, survival
from .facts import FACT_LABELS, stylized_facts
from .survival import counting_process, cox_hazard_ratios

__all__ = ["basket", "causal", "churn", "facts", "rfm", "survey", "survival", "FACT_LABELS", "stylized_facts",
           "counting_process", "cox_hazard_ratios"]
