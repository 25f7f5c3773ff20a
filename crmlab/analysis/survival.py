"""Survival data with time-varying covariates, and Cox hazard ratios.

A service failure raises a customer's churn hazard *from the moment it
happens*. Putting "ever had a failure" into a Cox model as a fixed covariate
credits the failure with the time the customer survived before it (immortal
time bias). The remedy is the counting-process layout: one row per customer
and period during which the covariates are constant, ``(start, stop]``, with
the event flag on the last row (Andersen & Gill 1982).

Examples
--------
>>> import pandas as pd
>>> subjects = pd.DataFrame({"id": [1, 2], "start": [0.0, 0.0], "stop": [10.0, 8.0], "event": [1, 0]})
>>> events = pd.DataFrame({"id": [1, 1], "time": [3.0, 6.0], "kind": ["late", "late"]})
>>> cp = counting_process(subjects, events, kinds=["late"])
>>> print(cp[["id", "start", "stop", "event", "late"]].to_string(index=False))
 id  start  stop  event  late
  1    0.0   3.0      0     0
  1    3.0   6.0      0     1
  1    6.0  10.0      1     2
  2    0.0   8.0      0     0
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["counting_process", "cox_hazard_ratios"]


def counting_process(
    subjects: pd.DataFrame,
    events: pd.DataFrame,
    *,
    kinds: Sequence[str],
    id_col: str = "id",
    start_col: str = "start",
    stop_col: str = "stop",
    event_col: str = "event",
    time_col: str = "time",
    kind_col: str = "kind",
) -> pd.DataFrame:
    """Split each subject's follow-up at the times its covariates change.

    Parameters
    ----------
    subjects : DataFrame
        One row per subject: id, entry time, exit time, event flag (1 = the
        outcome happened at the exit time).
    events : DataFrame
        Covariate-changing events: id, time, kind. Each event adds 1 to the
        cumulative count of its kind from its time on; events at or before
        entry count from entry, events at or after exit are ignored.
    kinds : sequence of str
        The kinds to count (one output column each).

    Returns
    -------
    DataFrame with ``id, start, stop, event`` and one count column per kind,
    sorted by id and start. Extra subject columns are carried along.
    """
    s = subjects.rename(columns={id_col: "id", start_col: "start", stop_col: "stop", event_col: "event"})
    e = events.rename(columns={id_col: "id", time_col: "time", kind_col: "kind"})[["id", "time", "kind"]]
    e = e[e["kind"].isin(kinds)].merge(s[["id", "start", "stop"]], on="id", how="inner")
    e = e[e["time"] < e["stop"]]
    e = e.assign(time=np.maximum(e["time"].to_numpy(float), e["start"].to_numpy(float)))
    counts = (
        pd.crosstab([e["id"], e["time"]], e["kind"]).reindex(columns=list(kinds), fill_value=0)
        if len(e) else pd.DataFrame(columns=list(kinds), index=pd.MultiIndex.from_arrays([[], []], names=["id", "time"]))
    )
    counts = counts.reset_index().rename(columns={"time": "start"})
    breaks = counts.loc[counts["start"] > counts["id"].map(s.set_index("id")["start"]), ["id", "start"]]
    rows = pd.concat([s[["id", "start"]], breaks], ignore_index=True).drop_duplicates()
    rows = rows.sort_values(["id", "start"], kind="stable").reset_index(drop=True)
    nxt = rows.groupby("id")["start"].shift(-1)
    stop = rows["id"].map(s.set_index("id")["stop"])
    rows["stop"] = nxt.fillna(stop).to_numpy(float)
    last = nxt.isna()
    rows["event"] = np.where(last, rows["id"].map(s.set_index("id")["event"]), 0).astype(int)
    rows = rows.merge(counts, on=["id", "start"], how="left")
    rows[list(kinds)] = rows[list(kinds)].fillna(0).astype(int)
    rows[list(kinds)] = rows.groupby("id")[list(kinds)].cumsum()
    extra = [c for c in s.columns if c not in ("id", "start", "stop", "event")]
    if extra:
        rows = rows.merge(s[["id", *extra]], on="id", how="left")
    rows = rows[rows["stop"] > rows["start"]].reset_index(drop=True)
    return rows.rename(columns={"id": id_col, "start": start_col, "stop": stop_col, "event": event_col})


def cox_hazard_ratios(
    data: pd.DataFrame,
    covariates: Sequence[str],
    *,
    start: str | None = "start",
    stop: str = "stop",
    event: str = "event",
    offset: str | None = None,
    strata: str | None = None,
) -> pd.DataFrame:
    """Fit a Cox proportional-hazards model and return hazard ratios.

    Uses :class:`statsmodels.duration.hazard_regression.PHReg` (works with
    pandas 3; ``lifelines`` does not). ``start`` gives delayed entry, which
    is what the counting-process layout needs.

    Returns
    -------
    DataFrame indexed by covariate with ``hazard_ratio, ci_low, ci_high, p_value``.
    """
    from statsmodels.duration.hazard_regression import PHReg

    X = data[list(covariates)].to_numpy(float)
    kw = {}
    if start is not None:
        kw["entry"] = data[start].to_numpy(float)
    if offset is not None:
        kw["offset"] = data[offset].to_numpy(float)
    if strata is not None:
        kw["strata"] = data[strata].to_numpy()
    res = PHReg(data[stop].to_numpy(float), X, status=data[event].to_numpy(int), **kw).fit()
    ci = np.exp(res.conf_int())
    return pd.DataFrame(
        {"hazard_ratio": np.exp(res.params), "ci_low": ci[:, 0], "ci_high": ci[:, 1], "p_value": res.pvalues},
        index=pd.Index(list(covariates), name="covariate"),
    )
