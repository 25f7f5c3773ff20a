"""Methods the notebooks teach, small and unit-tested.

* :mod:`crmlab.analysis.facts` - stylized facts of a dataset (realism checks);
* :mod:`crmlab.analysis.survival` - counting-process data and Cox hazard ratios.
"""

from .facts import FACT_LABELS, stylized_facts
from .survival import counting_process, cox_hazard_ratios

__all__ = ["FACT_LABELS", "stylized_facts", "counting_process", "cox_hazard_ratios"]
