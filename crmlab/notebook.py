"""Small helpers the notebooks share: getting the data, checking what is there, saving results.

They keep the notebooks readable: one call to get a dataset from the
parameters cell, one to state which tables a notebook needs, one to write
``results.json``, one to compare estimates with the truth when it is known.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .dataset import Dataset

__all__ = ["get_data", "require_tables", "MissingTablesError", "write_results", "truth_check", "orders_with_value"]


class MissingTablesError(RuntimeError):
    """The dataset lacks tables a notebook (or a section of one) needs."""


def get_data(data_dir: str | None = None, preset: str = "classroom", seed: int = 0,
             n_customers: int | None = None) -> Dataset:
    """The dataset a notebook works on, from its parameters.

    ``data_dir`` given: load that folder (synthetic or a real extract).
    Otherwise the named preset: the committed classroom dataset for
    ``preset="classroom", seed=0`` with the default size, else generated.
    """
    from .dataset import make_retail_crm
    from ._resources import bundled_dataset
    from .io import load_dataset

    if data_dir:
        return load_dataset(data_dir)
    if preset == "classroom" and seed == 0 and n_customers is None and bundled_dataset("classroom"):
        return load_dataset("classroom")
    overrides = {} if n_customers is None else {"n_customers": int(n_customers)}
    return make_retail_crm(preset, seed=seed, **overrides)


def require_tables(data: Mapping[str, pd.DataFrame], tables: Iterable[str], *, purpose: str = "this notebook") -> None:
    """Stop with a clear message if ``data`` lacks any of ``tables``."""
    missing = [t for t in tables if t not in data]
    if missing:
        have = ", ".join(data) or "none"
        raise MissingTablesError(f"{purpose} needs the table(s) {', '.join(missing)}; this dataset has: {have}")


def orders_with_value(data: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The orders table with ``order_value`` (computed from the lines when an extract lacks it)."""
    from .domain import order_values

    items = data["order_items"] if "order_items" in data else None
    try:
        return data["orders"].assign(order_value=order_values(data["orders"], items).round(2))
    except ValueError:
        raise MissingTablesError("order values need either orders.order_value or the order_items table") from None


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, pd.DataFrame):
        return _jsonable(x.to_dict(orient="records"))
    if isinstance(x, pd.Series):
        return _jsonable(x.to_dict())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) or math.isinf(v) else round(v, 6)
    if isinstance(x, (np.bool_,)):
        return bool(x)
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if isinstance(x, pd.Timestamp):
        return str(x.date()) if x == x.normalize() else str(x)
    return x


def write_results(results: Mapping[str, Any], output_dir: str | Path = ".", name: str = "results.json") -> Path:
    """Write a notebook's key estimates as JSON (atomically) and return the path."""
    from .io import write_json_atomic

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    return write_json_atomic(_jsonable(dict(results)), out / name)


def truth_check(rows: Iterable[tuple[str, Any, Any, str]]) -> pd.DataFrame:
    """A table comparing estimates with the truth.

    Parameters
    ----------
    rows : iterable of (quantity, estimate, truth, tolerance text)
    """
    df = pd.DataFrame(list(rows), columns=["quantity", "estimate", "truth", "tolerance"])
    return df.set_index("quantity")
