"""The :class:`Dataset` container and the front door :func:`make_retail_crm`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import numpy as np
import pandas as pd

from .config import Scenario, get_scenario
from .schema import CONTRACT, coerce_table

__all__ = ["Dataset", "make_retail_crm"]


class Dataset(Mapping[str, pd.DataFrame]):
    """A CRM dataset: the contract's tables as DataFrames, plus the truth if known.

    Behaves like scikit-learn's ``Bunch``: ``data.orders`` and
    ``data["orders"]`` are the same table, ``list(data)`` names the tables
    present, ``len(data)`` counts them.

    Attributes
    ----------
    truth : dict or None
        The planted ground truth (content of ``truth.json``); ``None`` for a
        real extract or a student copy.
    truth_customers : DataFrame or None
        Latent traits per customer (segment, purchase rate, churn date, ...).
    manifest : dict or None
        What :func:`crmlab.save_dataset` recorded (scenario, versions, checksums).
    path : Path or None
        The folder the dataset was loaded from.
    generated : bool
        True for the output of :func:`make_retail_crm`: its identifiers are
        unique and its foreign keys resolve by construction, so
        :func:`crmlab.save_dataset` does not check them again (every other
        rule of the contract is checked; tables read from files are always
        checked in full).
    """

    def __init__(
        self,
        tables: Mapping[str, pd.DataFrame],
        *,
        truth: dict[str, Any] | None = None,
        truth_customers: pd.DataFrame | None = None,
        manifest: dict[str, Any] | None = None,
        path: str | Path | None = None,
        generated: bool = False,
    ):
        object.__setattr__(self, "_tables", {k: tables[k] for k in _ordered(tables)})
        object.__setattr__(self, "truth", truth)
        object.__setattr__(self, "truth_customers", truth_customers)
        object.__setattr__(self, "manifest", manifest)
        object.__setattr__(self, "path", Path(path) if path is not None else None)
        object.__setattr__(self, "generated", bool(generated))

    # Mapping protocol ---------------------------------------------------------
    def __getitem__(self, name: str) -> pd.DataFrame:
        try:
            return self._tables[name]
        except KeyError:
            have = ", ".join(self._tables) or "none"
            raise KeyError(f"this dataset has no table {name!r} (tables: {have})") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_"):
            raise AttributeError(name)
        tables = object.__getattribute__(self, "_tables")
        if name in tables:
            return tables[name]
        if name in CONTRACT:
            raise AttributeError(f"this dataset has no table {name!r} (a real extract may lack it)")
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Dataset is read-only; build a new one with Dataset({...})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._tables))

    # conveniences ---------------------------------------------------------------
    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables (a shallow copy of the mapping)."""
        return dict(self._tables)

    @property
    def scenario(self) -> Scenario | None:
        """The scenario that generated this dataset, if it is synthetic."""
        src = (self.truth or {}).get("scenario") or (self.manifest or {}).get("scenario")
        return Scenario.from_dict(src) if src else None

    @property
    def has_truth(self) -> bool:
        return self.truth is not None

    def without_truth(self) -> "Dataset":
        """A copy without the truth (what a student or a real extract has)."""
        return Dataset(self._tables, manifest=self.manifest, path=self.path, generated=self.generated)

    def describe(self) -> dict[str, Any]:
        """Row counts and stylized facts (see :func:`crmlab.realism.stylized_facts`)."""
        from .realism.facts import stylized_facts

        return {"rows": {k: len(v) for k, v in self._tables.items()}, **stylized_facts(self)}

    def __repr__(self) -> str:
        rows = ", ".join(f"{k}={len(v):,}" for k, v in self._tables.items())
        kind = "synthetic" if self.truth is not None else "no truth"
        return f"<crmlab.Dataset ({kind}): {rows}>"


def _ordered(tables: Mapping[str, Any]) -> list[str]:
    order = {k: i for i, k in enumerate(CONTRACT)}
    return sorted(tables, key=lambda k: (order.get(k, len(order)), k))


def make_retail_crm(
    preset: str | Scenario = "classroom",
    seed: int | np.random.Generator | None = 0,
    *,
    n_jobs: int = 1,
    progress: bool | Callable[[int], None] = False,
    **overrides: Any,
) -> Dataset:
    """Simulate a multichannel 3C retailer's CRM data with planted ground truth.

    Parameters
    ----------
    preset : {"tiny", "classroom", "research", "large"} or Scenario, default "classroom"
        Starting scenario. ``classroom`` is about 5,000 customers over two years.
    seed : int, numpy Generator or None, default 0
        Random seed (scikit-learn ``random_state`` conventions; ``None`` means 0,
        crmlab never draws unseeded randomness).
    n_jobs : int, default 1
        Worker processes for the customer chunks; the data is the same for any value.
    progress : bool or callable, default False
        Show a progress bar (``True``) or call ``progress(n_customers_done)``.
    **overrides
        Any :class:`~crmlab.config.Scenario` field, e.g. ``n_customers=2000``,
        ``hr_price_change_cancel=3.0``, ``locale="en_US"``, ``faults=True``.

    Returns
    -------
    Dataset
        Tables ``customers, stores, products, orders, order_items,
        service_events, loyalty, points_ledger, campaigns, survey``, with
        ``.truth`` (the planted effects) and ``.truth_customers`` (latent traits).

    Notes
    -----
    The generative model is documented module by module in
    :mod:`crmlab.simulate`: a Pareto/NBD-style purchase process with
    seasonality, churn hazards raised by service failures, a randomised
    retention campaign, a self-selected loyalty programme with a staggered
    city rollout, planted basket rules and a survey with a known factor
    structure. The same scenario always gives identical tables.

    Examples
    --------
    >>> import crmlab
    >>> data = crmlab.make_retail_crm("tiny", seed=1)
    >>> data.orders.columns[:4].tolist()
    ['order_id', 'customer_id', 'order_ts', 'channel']
    >>> data.truth["churn"]["hazard_ratios"]["price_change_cancel"]
    2.0
    """
    from .simulate._streams import check_random_state
    from .simulate.engine import simulate_tables
    from .simulate.faults import add_faults

    scenario = get_scenario(preset, seed=check_random_state(seed), **overrides)
    callback: Callable[[int], None] | None
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=scenario.n_customers, unit="customer", desc="simulating")
        callback = bar.update
    elif callable(progress):
        callback = progress
    else:
        callback = None
    try:
        tables, truth, truth_customers = simulate_tables(scenario, n_jobs=n_jobs, progress=callback)
    finally:
        if bar is not None:
            bar.close()
    if not scenario.pii:
        tables["customers"] = tables["customers"].drop(columns=["name", "phone", "email"], errors="ignore")
    tables = {name: coerce_table(df, name) for name, df in tables.items()}
    if scenario.faults:
        tables, fault_log = add_faults(scenario, tables)
        truth["faults"] = fault_log
    return Dataset(tables, truth=truth, truth_customers=truth_customers, generated=not scenario.faults)
