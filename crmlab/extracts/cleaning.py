"""The cleaning log and the documented rules for what an extract lacks.

Cleaning is never silent: every row an importer drops, fixes or fills goes
through :class:`CleaningLog`, which keeps one step per reason and source file
(with up to five line numbers) and writes the cleaning report
(``Dataset.manifest["cleaning"]``). Columns an extract cannot fill get the
documented constants of :data:`EXTRACT_DEFAULTS`; products get
:data:`DEFAULT_CATEGORY` (non-merchandise codes get ``service``).

Examples
--------
>>> import pandas as pd
>>> lines = pd.DataFrame({"sku": ["A", "POST", " "], "_src": "a.csv", "_line": [2, 3, 4]})
>>> log = CleaningLog()
>>> lines = drop_blank(lines, ["sku"], log)
>>> category_of("tv")(lines["sku"]).tolist()
['tv', 'service']
>>> log.steps[0]["reason"], log.steps[0]["lines"]
('blank line', [4])
>>> log.report("csv", [{"rows": 3}], {"products": lines}, {})["kept_rows"]
2
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from ..domain import CATEGORIES
from ..schema import CONTRACT

__all__ = [
    "DEFAULT_CATEGORY",
    "UNKNOWN_CITY_TIER",
    "NON_MERCHANDISE_CODES",
    "EXTRACT_DEFAULTS",
    "CleaningLog",
    "drop_rows",
    "is_blank",
    "drop_blank",
    "category_of",
    "fill_defaults",
    "fill_nullable",
]

#: Category given to products of an extract without a product hierarchy
#: (the contract's categories are fixed; override with ``category=``).
DEFAULT_CATEGORY = "accessory"

#: ``customers.city_tier`` of a customer whose city is unknown. The contract
#: requires a tier 1-5; an extract has none, so every customer gets this same
#: constant: the column carries no information and must not be analysed.
UNKNOWN_CITY_TIER = 5

#: Online Retail stock codes that are not merchandise (postage, fees,
#: manual adjustments, discounts, samples); their products get category ``service``.
NON_MERCHANDISE_CODES: frozenset[str] = frozenset({
    "POST", "DOT", "C2", "M", "BANK CHARGES", "AMAZONFEE", "D", "S", "B", "CRUK", "PADS", "ADJUST",
    "ADJUST2", "TEST001", "TEST002",
})

#: Constant values for contract columns an extract cannot fill; every use is
#: recorded in the cleaning report (action ``filled``). ``None`` = left empty.
EXTRACT_DEFAULTS: dict[str, dict[str, Any]] = {
    "customers": {"gender": None, "birth_year": None, "province": "unknown", "province_name": "unknown",
                  "city": "unknown", "city_name": "unknown", "city_tier": UNKNOWN_CITY_TIER,
                  "is_member": False},
    "orders": {"store_id": None, "payment": None, "coupon_id": None},
    "order_items": {"discount": 0.0},
    "products": {"brand": "unknown"},
}

_DEFAULT_NOTES = {
    "customers.city_tier": "placeholder the contract requires: constant, do not analyse",
    "customers.province": "placeholder: location unknown",
    "customers.city": "placeholder: location unknown",
    "customers.is_member": "no loyalty data in the extract",
}


class CleaningLog:
    """Collects cleaning steps; one step per reason and source file.

    A step is ``{"action", "reason", "rows", "column", "file", "lines"}``;
    ``action`` is ``dropped``, ``fixed``, ``filled``, ``derived`` or ``note``.
    """

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []

    def rows(self, action: str, reason: str, frame: pd.DataFrame, mask: np.ndarray | pd.Series,
             column: str | None = None) -> None:
        """Record the rows of ``frame`` (with ``_src``, ``_line``) selected by ``mask``, one step per file."""
        mask = np.asarray(mask, bool)
        if not mask.any():
            return
        sel = frame.loc[mask, ["_src", "_line"]]
        for src, g in sel.groupby("_src", sort=False):
            self.steps.append({"action": action, "reason": reason, "rows": int(len(g)), "column": column,
                               "file": str(src), "lines": [int(x) for x in g["_line"].iloc[:5]]})

    def table(self, action: str, reason: str, rows: int, column: str | None = None) -> None:
        """Record a step about a whole table or column (no file lines), if ``rows`` > 0."""
        if rows:
            self.steps.append({"action": action, "reason": reason, "rows": int(rows), "column": column,
                               "file": None, "lines": []})

    def report(self, kind: str, sources: list[dict[str, Any]], tables: Mapping[str, pd.DataFrame],
               profile: Mapping[str, Any]) -> dict[str, Any]:
        """The cleaning report: input, dropped and kept rows, the steps, the raw-file profile, output rows."""
        n_in = int(sum(s["rows"] for s in sources))
        dropped = int(sum(s["rows"] for s in self.steps if s["action"] == "dropped"))
        return {
            "kind": kind,
            "input_rows": n_in,
            "dropped_rows": dropped,
            "kept_rows": n_in - dropped,
            "steps": self.steps,
            "profile": dict(profile),
            "output_rows": {k: int(len(v)) for k, v in tables.items()},
        }


def drop_rows(frame: pd.DataFrame, mask: np.ndarray | pd.Series, log: CleaningLog, reason: str,
              column: str | None = None) -> pd.DataFrame:
    """``frame`` without the rows of ``mask``, which are logged as dropped for ``reason``."""
    mask = np.asarray(mask, bool)
    log.rows("dropped", reason, frame, mask, column)
    return frame.loc[~mask].reset_index(drop=True)


def is_blank(s: pd.Series) -> np.ndarray:
    """Missing or whitespace-only cells."""
    empty = s.isna()
    if not pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_datetime64_any_dtype(s):
        empty = empty | s.astype("str").str.strip().eq("")
    return empty.to_numpy()


def drop_blank(frame: pd.DataFrame, columns: list[str], log: CleaningLog) -> pd.DataFrame:
    """Drop (and log) the lines whose ``columns`` are all blank."""
    blank = np.ones(len(frame), bool)
    for c in columns:
        blank &= is_blank(frame[c])
    return drop_rows(frame, blank, log, "blank line")


def category_of(category: str) -> Callable[[pd.Series], pd.Series]:
    """A function sku -> contract category: ``category``, or ``service`` for :data:`NON_MERCHANDISE_CODES`.

    Raises ValueError at once when ``category`` is not a contract category.
    """
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")

    def fn(sku: pd.Series) -> pd.Series:
        service = sku.str.upper().isin(NON_MERCHANDISE_CODES).to_numpy()
        return pd.Series(np.where(service, "service", category), index=sku.index, dtype="str")

    return fn


def fill_defaults(df: pd.DataFrame, table: str, log: CleaningLog) -> pd.DataFrame:
    """Add the documented constant defaults of ``table`` (those not already present)."""
    for col, value in EXTRACT_DEFAULTS.get(table, {}).items():
        if col in df.columns:
            continue
        df[col] = pd.Series([value] * len(df), index=df.index, dtype=object)
        what = "left empty" if value is None else f"set to {value!r}"
        why = _DEFAULT_NOTES.get(f"{table}.{col}", "documented default")
        log.table("filled", f"not in the extract: {what} ({why})", len(df), f"{table}.{col}")
    return df


def fill_nullable(df: pd.DataFrame, table: str, log: CleaningLog) -> pd.DataFrame:
    """Add the required but nullable columns of ``table`` the extract lacks, empty (logged)."""
    for c in CONTRACT[table].columns:
        if c.required and c.nullable and c.name not in df.columns:
            df[c.name] = pd.Series([None] * len(df), index=df.index, dtype=object)
            log.table("filled", "not in the extract: left empty", len(df), f"{table}.{c.name}")
    return df

