"""Churn analysis for a non-contractual retailer: defining churn, predicting it, explaining it.

A retailer never learns that a customer has left: there is no contract to
cancel, only orders that stop coming. One module per method:

* :mod:`~crmlab.analysis.churn.definition` - inter-purchase gaps, a
  data-driven inactivity window, churn labels at a cutoff, service failures
  per order, churn with and without failures (:func:`interpurchase_gaps`,
  :func:`suggest_window`, :func:`churn_labels`, :func:`failure_counts`,
  :func:`churn_by_failure`);
* :mod:`~crmlab.analysis.churn.prediction` - features at a cutoff,
  out-of-time validation, a churn model, AUC and top-decile lift, gains and
  calibration tables (:func:`churn_features`, :func:`out_of_time_split`,
  :func:`train_churn_model`, :func:`predict_churn`,
  :func:`evaluate_churn_model`, :func:`gains_table`,
  :func:`calibration_table`);
* :mod:`~crmlab.analysis.churn.dropout` - the latent-dropout model and the
  churn hazard ratio of each kind of service failure
  (:func:`fit_dropout_model`, :func:`dropout_loglik`,
  :func:`failure_hazard_ratios`).

Related methods live in their own modules: survival curves and Cox models in
:mod:`crmlab.analysis.survival`, BG/NBD P(alive) in
:mod:`crmlab.analysis.clv.bgnbd`, retention campaigns and uplift in
:mod:`crmlab.analysis.uplift`. The failure kinds are
:data:`crmlab.domain.FAILURE_KINDS`.

All functions take tables that follow the data contract
(:mod:`crmlab.schema`) and work on real extracts as well as on synthetic
data. Dates such as ``cutoff`` and ``as_of`` are always parameters.

Examples
--------
>>> import pandas as pd
>>> from crmlab.analysis import churn
>>> orders = pd.DataFrame({"customer_id": ["a", "a", "b"], "status": "completed",
...     "order_ts": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-02-01"])})
>>> churn.interpurchase_gaps(orders).tolist()
[10.0]
"""

from .definition import churn_by_failure, churn_labels, failure_counts, interpurchase_gaps, suggest_window
from .dropout import DropoutFit, dropout_loglik, failure_hazard_ratios, fit_dropout_model
from .prediction import (
    Calibration,
    ChurnModelEvaluation,
    OutOfTimeSplit,
    calibration_table,
    churn_features,
    evaluate_churn_model,
    gains_table,
    out_of_time_split,
    predict_churn,
    train_churn_model,
)

__all__ = [
    "interpurchase_gaps",
    "suggest_window",
    "churn_labels",
    "failure_counts",
    "churn_by_failure",
    "churn_features",
    "OutOfTimeSplit",
    "out_of_time_split",
    "train_churn_model",
    "predict_churn",
    "ChurnModelEvaluation",
    "evaluate_churn_model",
    "gains_table",
    "Calibration",
    "calibration_table",
    "DropoutFit",
    "fit_dropout_model",
    "dropout_loglik",
    "failure_hazard_ratios",
]
