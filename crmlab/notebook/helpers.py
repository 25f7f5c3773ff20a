"""Small helpers the lessons share: getting the data, checking what is there, saving results.

They keep the notebooks readable: one call to get a dataset from the
parameters cell (:func:`get_data`), one to state which tables a notebook needs
(:func:`require_tables`), one to write ``results.json`` (:func:`write_results`),
one to compare estimates with the truth when it is known (:func:`truth_check`).
The notebooks import them as ``from crmlab.notebook import get_data, ...``.

Examples
--------
>>> from crmlab.notebook import get_data, require_tables
>>> data = get_data(preset="tiny", seed=1)
>>> require_tables(data, ["customers", "orders"])
>>> require_tables({"orders": None}, ["survey"], purpose="the survey notebook")
Traceback (most recent call last):
...
crmlab.notebook.helpers.MissingTablesError: the survey notebook needs the table(s) survey; this dataset has: orders
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Dataset

__all__ = ["get_data", "require_tables", "MissingTablesError", "orders_with_value", "write_results", "truth_check",
           "to_jsonable"]


class MissingTablesError(RuntimeError):
    """The dataset lacks tables a notebook (or a section of one) needs."""


def get_data(data_dir: str | None = None, preset: str = "classroom", seed: int = 0,
             n_customers: int | None = None) -> Dataset:
    """The dataset a notebook works on, from its parameters.

    Parameters
    ----------
    data_dir : str, optional
        A dataset folder (synthetic or a real extract) or a named dataset; loaded if given.
    preset : str, default "classroom"
        Otherwise the named preset: the bundled classroom dataset for
        ``preset="classroom", seed=0`` with the default size, else generated.
    seed : int, default 0
    n_customers : int, optional
        Size override of the preset.

    Returns
    -------
    crmlab.dataset.Dataset

    Examples
    --------
    >>> data = get_data(preset="tiny", seed=1)
    >>> data.truth is not None, "orders" in data
    (True, True)
    """
    from .._resources import bundled_dataset
    from ..dataset import make_retail_crm
    from ..io import load_dataset

    if data_dir:
        return load_dataset(data_dir)
    if preset == "classroom" and seed == 0 and n_customers is None and bundled_dataset("classroom"):
        return load_dataset("classroom")
    overrides = {} if n_customers is None else {"n_customers": int(n_customers)}
    return make_retail_crm(preset, seed=seed, **overrides)


def require_tables(data: Mapping[str, Any], tables: Iterable[str], *, purpose: str = "this notebook") -> None:
    """Stop with a clear message if ``data`` lacks any of ``tables``.

    Raises
    ------
    MissingTablesError
        Naming the missing tables and the tables the dataset has.
    """
    missing = [t for t in tables if t not in data]
    if missing:
        have = ", ".join(data) or "none"
        raise MissingTablesError(f"{purpose} needs the table(s) {', '.join(missing)}; this dataset has: {have}")


def orders_with_value(data: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The orders table with ``order_value`` (computed from the lines when an extract lacks it).

    See :func:`crmlab.domain.order_values` for the rule.

    Raises
    ------
    MissingTablesError
        Neither ``orders.order_value`` nor the ``order_items`` table is available.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": ["a", "b"]})
    >>> items = pd.DataFrame({"order_id": ["a", "a"], "quantity": [1, 2], "unit_price": [10.0, 5.0]})
    >>> orders_with_value({"orders": orders, "order_items": items})["order_value"].tolist()
    [20.0, 0.0]
    """
    from ..domain import order_values

    items = data["order_items"] if "order_items" in data else None
    try:
        return data["orders"].assign(order_value=order_values(data["orders"], items).round(2))
    except ValueError:
        raise MissingTablesError("order values need either orders.order_value or the order_items table") from None


def to_jsonable(x: Any) -> Any:
    """``x`` as plain JSON values: what :func:`write_results` writes.

    Result objects (:class:`crmlab.analysis._results.Result`) become their
    ``to_dict()``; DataFrames lists of records; Series dicts; NumPy scalars and
    arrays Python numbers and lists; floats are rounded to 6 decimals and NaN or
    infinity become ``None``; timestamps at midnight become dates.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.analysis._results import Estimate
    >>> to_jsonable({"n": np.int64(3), "x": float("nan"), "e": Estimate(0.1234567891, 0.1, 0.2)})
    {'n': 3, 'x': None, 'e': {'estimate': 0.123457, 'ci_low': 0.1, 'ci_high': 0.2, 'confidence_level': 0.95}}
    """
    from ..analysis._results import Result

    if isinstance(x, Result):
        return to_jsonable(x.to_dict())
    if isinstance(x, dict):
        return {str(k): to_jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [to_jsonable(v) for v in x]
    if isinstance(x, pd.DataFrame):
        return to_jsonable(x.to_dict(orient="records"))
    if isinstance(x, pd.Series):
        return to_jsonable(x.to_dict())
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return None if math.isnan(v) or math.isinf(v) else round(v, 6)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.ndarray):
        return to_jsonable(x.tolist())
    if isinstance(x, pd.Timestamp):
        return str(x.date()) if x == x.normalize() else str(x)
    return x


def write_results(results: Mapping[str, Any], output_dir: str | Path = ".", name: str = "results.json") -> Path:
    """Write a notebook's key estimates as JSON (atomically) and return the path.

    Values may be numbers, text, lists, dicts, DataFrames, NumPy values or
    result objects (see :func:`to_jsonable`).

    Examples
    --------
    >>> import json, tempfile
    >>> from crmlab.analysis._results import Estimate
    >>> path = write_results({"lift": Estimate(0.12, 0.02, 0.22), "n": 3}, tempfile.mkdtemp())
    >>> path.name, json.loads(path.read_text())
    ('results.json', {'lift': {'estimate': 0.12, 'ci_low': 0.02, 'ci_high': 0.22, 'confidence_level': 0.95}, 'n': 3})
    """
    from .._fs import write_json_atomic

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    return write_json_atomic(to_jsonable(dict(results)), out / name)


def truth_check(rows: Iterable[tuple[str, Any, Any, str]]) -> pd.DataFrame:
    """A table comparing estimates with the truth.

    Parameters
    ----------
    rows : iterable of (quantity, estimate, truth, tolerance text)

    Returns
    -------
    pandas.DataFrame
        Indexed by ``quantity``, columns ``estimate``, ``truth``, ``tolerance``.

    Examples
    --------
    >>> truth_check([("NPS", 31.5, 30.0, "within 8 points")])  # doctest: +NORMALIZE_WHITESPACE
              estimate  truth        tolerance
    quantity
    NPS           31.5   30.0  within 8 points
    """
    df = pd.DataFrame(list(rows), columns=["quantity", "estimate", "truth", "tolerance"])
    return df.set_index("quantity")
