"""The data contract: tables, keys, columns, types and rules.

One :class:`Table` per table of a dataset; each column is described once
(:class:`Column`) and that description drives everything else: the pandera
schema used to validate a table, the dtypes used to read a CSV, and the data
dictionary in ``datasets/README.md`` (:func:`data_dictionary_markdown`).

Validation errors never surface as a pandas traceback: :func:`validate_table`
and :func:`validate_dataset` raise :class:`ValidationError`, whose message
names the file, the column, the rule and up to five offending rows with their
line numbers in the file.

Examples
--------
>>> import pandas as pd
>>> from crmlab.schema import validate_table, ValidationError
>>> bad = pd.DataFrame({"sku": ["A", "A"], "category": ["tv", "toaster"]})
>>> try:
...     validate_table(bad, "products", source="products.csv", required_only=True)
... except ValidationError as e:
...     print(str(e).splitlines()[0])
products.csv: 2 problem(s)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from .domain import CATEGORIES, CHANNELS, EVENT_TYPES, ORDER_STATUSES, STORE_FORMATS, TIERS

__all__ = [
    "Column",
    "Table",
    "CONTRACT",
    "ValidationError",
    "Problem",
    "validate_table",
    "validate_dataset",
    "coerce_table",
    "csv_read_kwargs",
    "data_dictionary_markdown",
    "pandera_schema",
    "DATE_RANGE",
    "MAX_INT",
]

@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``kind`` is one of ``str, int, float, bool, date, datetime``. ``allowed``
    restricts values to a set of codes; ``lo``/``hi`` bound numbers.
    ``required`` columns must be present; optional ones are documented extras.
    """

    name: str
    kind: str
    description: str
    nullable: bool = False
    required: bool = True
    allowed: tuple[str, ...] | None = None
    lo: float | None = None
    hi: float | None = None
    unique: bool = False
    pii: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    description: str
    columns: tuple[Column, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)  # (column, table, column)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


C = Column
_ITEMS = [f"adv_{i}" for i in range(1, 5)] + [f"price_{i}" for i in range(1, 5)] + \
    [f"service_{i}" for i in range(1, 6)] + [f"quality_{i}" for i in range(1, 5)]

CONTRACT: dict[str, Table] = {
    t.name: t
    for t in (
        Table("customers", ("customer_id",), "The customer archive (档案): one row per registered customer.", (
            C("customer_id", "str", "Customer identifier (`C` + 7 digits).", unique=True),
            C("signup_date", "date", "Registration date."),
            C("signup_channel", "str", "Channel of registration (empty in an extract that does not record it "
              "for customers without orders).", allowed=CHANNELS, nullable=True),
            C("gender", "str", "Gender as registered.", nullable=True, allowed=("female", "male")),
            C("birth_year", "int", "Year of birth.", nullable=True, lo=1900, hi=2020),
            C("province", "str", "Province code (snake_case pinyin, e.g. `jiangsu`)."),
            C("province_name", "str", "Province display name in the dataset's locale."),
            C("city", "str", "City code (snake_case pinyin, e.g. `nanjing`)."),
            C("city_name", "str", "City display name in the dataset's locale."),
            C("city_tier", "int", "City tier 1 (Beijing, Shanghai, Guangzhou, Shenzhen) to 5.", lo=1, hi=5),
            C("is_member", "bool", "Enrolled in the loyalty programme by the end of the window."),
            C("name", "str", "Full name (PII; absent with `--no-pii`).", required=False, pii=True),
            C("phone", "str", "Mobile phone number (PII).", required=False, pii=True),
            C("email", "str", "E-mail address (PII).", required=False, pii=True),
        )),
        Table("stores", ("store_id",), "Physical stores.", (
            C("store_id", "str", "Store identifier (`S` + 4 digits).", unique=True),
            C("name", "str", "Store name in the dataset's locale."),
            C("format", "str", "Store format.", allowed=STORE_FORMATS),
            C("city", "str", "City code."),
            C("city_name", "str", "City display name."),
            C("province", "str", "Province code."),
            C("province_name", "str", "Province display name."),
            C("city_tier", "int", "City tier 1-5.", lo=1, hi=5),
            C("open_date", "date", "Opening date; the store has no sales before it."),
        )),
        Table("products", ("sku",), "The product catalogue (the same in every synthetic dataset).", (
            C("sku", "str", "Stock-keeping unit.", unique=True),
            C("category", "str", "Product category.", allowed=CATEGORIES),
            C("subcategory", "str", "Finer product group; the item level of basket analysis."),
            C("brand", "str", "Brand."),
            C("name", "str", "Product name (English)."),
            C("name_zh", "str", "Product name (Chinese).", required=False),
            C("list_price", "float", "List price, yuan.", lo=0),
        )),
        Table("orders", ("order_id",), "Order headers: one row per order, any channel.", (
            C("order_id", "str", "Order identifier (`O` + 8 digits, in time order).", unique=True),
            C("customer_id", "str", "Ordering customer."),
            C("order_ts", "datetime", "Time the order was placed (local time)."),
            C("channel", "str", "Sales channel.", allowed=CHANNELS),
            C("store_id", "str", "Store of an in-store order; empty for web and app orders.", nullable=True),
            C("status", "str", "Final status.", allowed=ORDER_STATUSES),
            C("payment", "str", "Payment method.", nullable=True),
            C("coupon_id", "str", "Coupon applied to the order, if any.", nullable=True),
            C("order_value", "float", "Net value of the order's lines, yuan (sum of quantity x unit_price - discount).",
              required=False, nullable=True),
            C("home_delivery", "bool", "Delivered to the customer's home, so the 12-hour delivery promise applies "
              "(online orders and big appliances bought in a store; not for cancelled orders).", required=False,
              nullable=True),
            C("installation", "bool", "An installation was due after delivery (TV, washer, air conditioner), so the "
              "24-hour installation promise applies.", required=False, nullable=True),
        ), foreign_keys=(("customer_id", "customers", "customer_id"), ("store_id", "stores", "store_id"))),
        Table("order_items", ("order_id", "line_no"), "Order lines.", (
            C("order_id", "str", "Order."),
            C("line_no", "int", "Line number within the order, from 1.", lo=1),
            C("sku", "str", "Product."),
            C("quantity", "int", "Units.", lo=1),
            C("unit_price", "float", "Price per unit, yuan.", lo=0),
            C("discount", "float", "Discount on the whole line, yuan.", lo=0, nullable=True),
        ), foreign_keys=(("order_id", "orders", "order_id"), ("sku", "products", "sku"))),
        Table("service_events", ("event_id",), "Service failures and complaints after an order.", (
            C("event_id", "str", "Event identifier.", unique=True),
            C("customer_id", "str", "Customer."),
            C("order_id", "str", "Order the event belongs to.", nullable=True),
            C("event_ts", "datetime", "When the event happened."),
            C("event_type", "str", "What happened.", allowed=EVENT_TYPES),
            C("resolved", "bool", "For complaints: resolved to the customer's satisfaction; empty otherwise.",
              nullable=True),
            C("value_yuan", "float", "Price increase (price_change_cancel) or coupon value (expired_coupon), yuan.",
              required=False, nullable=True),
            C("followed_up", "bool", "For complaints: the call centre called the customer back (回访) after the "
              "complaint was resolved; empty for other events.", required=False, nullable=True),
        ), foreign_keys=(("customer_id", "customers", "customer_id"), ("order_id", "orders", "order_id"))),
        Table("loyalty", ("customer_id",), "Loyalty-programme members.", (
            C("customer_id", "str", "Member.", unique=True),
            C("enrol_date", "date", "Enrolment date."),
            C("tier", "str", "Tier from the last annual evaluation.", allowed=TIERS),
            C("points_balance", "int", "Points balance at the end of the window (1 point = 0.01 yuan)."),
            C("qualifying_spend", "float", "Completed spend in the 365 days before the last tier evaluation, yuan.",
              required=False, nullable=True, lo=0),
            C("tier_date", "date", "Date of the last tier evaluation (31 December).", required=False, nullable=True),
            C("city_launch_date", "date", "Launch date of the programme in the member's city.", required=False,
              nullable=True),
        ), foreign_keys=(("customer_id", "customers", "customer_id"),)),
        Table("points_ledger", (), "Points earned, redeemed and expired.", (
            C("customer_id", "str", "Member."),
            C("ts", "datetime", "Time of the entry."),
            C("kind", "str", "Entry type.", allowed=("earn", "redeem", "expire")),
            C("points", "int", "Points (+ earned, - redeemed or expired)."),
            C("order_id", "str", "Order that earned the points.", nullable=True, required=False),
        ), foreign_keys=(("customer_id", "customers", "customer_id"), ("order_id", "orders", "order_id"))),
        Table("campaigns", ("campaign_id", "customer_id"), "Retention campaign: targeted customers, randomised to offer or control.", (
            C("campaign_id", "str", "Campaign."),
            C("customer_id", "str", "Targeted customer."),
            C("treated", "bool", "Received the offer (True) or held out as control (False)."),
            C("offer_cost", "float", "Cost of contact and redeemed offer, yuan.", lo=0),
            C("sent_date", "date", "Send date."),
            C("responded", "bool", "Placed a (not cancelled) order within the response window."),
        ), foreign_keys=(("customer_id", "customers", "customer_id"),)),
        Table("survey", ("response_id",), "Satisfaction survey responses (1-5 Likert items, 0-10 recommend).", (
            C("response_id", "str", "Response identifier.", unique=True),
            C("customer_id", "str", "Respondent (empty for anonymous responses).", nullable=True),
            C("response_date", "datetime", "When the questionnaire was answered."),
            *[C(i, "int", f"Item {i} (1 = strongly disagree ... 5 = strongly agree).", nullable=True, lo=1, hi=5)
              for i in _ITEMS],
            C("overall_satisfaction", "int", "Overall satisfaction, 1-5.", nullable=True, lo=1, hi=5),
            C("recommend", "int", "Likelihood to recommend, 0-10 (NPS question).", nullable=True, lo=0, hi=10),
            C("competitor", "str", "Competitor the respondent also uses.", nullable=True),
            C("competitor_comparison", "str", "Suning compared with that competitor.", nullable=True,
              allowed=("better", "same", "worse")),
            C("survey_channel", "str", "Where the questionnaire was answered.", required=False, nullable=True),
            C("comment", "str", "Free-text comment.", required=False, nullable=True),
            C("wallet_share", "int", "Stated share (0-100, in steps of 10) of the respondent's 3C/appliance "
              "spending in the last 12 months that went to Suning (share of wallet, 钱包份额).",
              required=False, nullable=True, lo=0, hi=100),
            C("stores_visited", "int", "Number of different 3C retailers (stores or sites) the respondent visited "
              "in the last month, 1-6 (6 = six or more).", required=False, nullable=True, lo=1, hi=6),
        ), foreign_keys=(("customer_id", "customers", "customer_id"),)),
    )
}


# ----------------------------------------------------------------------------- errors
@dataclass
class Problem:
    """One failed rule: where, what, and a few offending rows."""

    table: str
    column: str | None
    rule: str
    n_rows: int = 0
    examples: list[tuple[Any, Any]] = field(default_factory=list)  # (line or row, value)

    def render(self, source: str, line_offset: int | None) -> str:
        where = f"column '{self.column}'" if self.column else ("manifest.json" if self.table == "manifest" else "table")
        head = f"  - {where}: {self.rule}"
        if self.n_rows:
            head += f" ({self.n_rows} row{'s' if self.n_rows != 1 else ''})"
        if not self.examples:
            return head
        label = "line" if line_offset is not None else "row"
        ex = ", ".join(f"{label} {int(i) + (line_offset or 0)}: {v!r}" for i, v in self.examples)
        return f"{head}; e.g. {ex}"


class ValidationError(ValueError):
    """A table or dataset breaks the data contract.

    Attributes
    ----------
    problems : list of (source, Problem)
    """

    def __init__(self, problems: list[tuple[str, Problem]], line_offsets: Mapping[str, int | None] | None = None):
        self.problems = problems
        self.line_offsets = dict(line_offsets or {})
        by_source: dict[str, list[Problem]] = {}
        for src, p in problems:
            by_source.setdefault(src, []).append(p)
        lines = []
        for src, ps in by_source.items():
            lines.append(f"{src}: {len(ps)} problem(s)")
            lines += [p.render(src, self.line_offsets.get(src)) for p in ps]
        super().__init__("\n".join(lines))


# ----------------------------------------------------------------------------- ranges
#: Every date and time of a dataset lies in this range: a 3C retailer's CRM data
#: cannot be older than 1990 (Suning was founded that year) or later than 2100.
DATE_RANGE: tuple[pd.Timestamp, pd.Timestamp] = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-12-31 23:59:59"))
#: The largest whole number a contract column may hold (exactly representable as a float).
MAX_INT = 2**53
#: Days after the end of a synthetic dataset's window in which service events
#: (deliveries, installations of the last orders) may still happen.
WINDOW_GRACE_DAYS: dict[tuple[str, str], int] = {("service_events", "event_ts"): 60}
#: Columns that must lie inside a synthetic dataset's window ``[start, end]``.
WINDOW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("customers", "signup_date"), ("orders", "order_ts"), ("service_events", "event_ts"),
    ("loyalty", "enrol_date"), ("points_ledger", "ts"), ("campaigns", "sent_date"), ("survey", "response_date"),
)


# ----------------------------------------------------------------------------- dtypes
_PANDAS_DTYPE = {"str": "str", "int": "Int64", "float": "float64", "bool": "boolean"}


def csv_read_kwargs(table: str, columns: Iterable[str] | None = None) -> dict[str, Any]:
    """``pandas.read_csv`` keyword arguments that read ``table`` with contract dtypes.

    Dates are read as text and converted by :func:`coerce_table`, so that a bad
    date is reported with its line instead of failing inside pandas.
    """
    spec = CONTRACT[table]
    present = set(columns) if columns is not None else set(spec.names)
    dtype = {}
    for c in spec.columns:
        if c.name in present:
            dtype[c.name] = "str" if c.kind in ("str", "date", "datetime", "bool", "int") else "str"
    return dict(dtype=dtype, keep_default_na=False, na_values=[""])


def _to_bool(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    m = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False, "t": True, "f": False}
    low = s.astype("str").str.strip().str.lower()
    out = low.map(m)
    bad = s.notna() & out.isna()
    return out.astype("boolean"), bad


#: dtype that :func:`coerce_table` gives a column of (kind, nullable), where it is always the same.
_FINAL_DTYPE: dict[tuple[str, bool], Any] = {
    ("str", False): pd.api.types.pandas_dtype("str"), ("str", True): pd.api.types.pandas_dtype("str"),
    ("float", False): np.dtype("float64"), ("float", True): np.dtype("float64"),
    ("int", False): np.dtype("int64"), ("int", True): pd.Int64Dtype(),
    ("bool", False): np.dtype(bool), ("bool", True): pd.BooleanDtype(),
}


def coerce_table(df: pd.DataFrame, table: str, *, source: str | None = None,
                 line_offset: int | None = None) -> pd.DataFrame:
    """Convert a table read as text (or with loose dtypes) to contract dtypes.

    Values that cannot be converted raise :class:`ValidationError` naming the
    column and rows. Unknown extra columns are kept as they are.
    """
    spec = CONTRACT[table]
    src = source or table
    out = df.copy()
    problems: list[Problem] = []
    for c in spec.columns:
        if c.name not in out.columns:
            continue
        s = out[c.name]
        final = _FINAL_DTYPE.get((c.kind, c.nullable))
        if final is not None and s.dtype == final:
            continue  # already what the steps below produce (e.g. a table straight from the simulator)
        if c.kind == "str":
            out[c.name] = s.astype("str").where(s.notna(), None).astype("str")
            continue
        if c.kind in ("int", "float"):
            if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
                num = s.astype("float64")
                bad = pd.Series(False, index=s.index)
            else:
                txt = s.astype("str").str.strip().str.replace(",", "", regex=False)
                num = pd.to_numeric(txt, errors="coerce")
                bad = s.notna() & (txt != "") & num.isna()
            if c.kind == "int":
                frac = num.notna() & (num != np.floor(num.fillna(0)))
                bad = bad | frac
            if bad.any():
                problems.append(_problem(table, c.name, f"not a valid {'integer' if c.kind == 'int' else 'number'}",
                                         s, bad))
                continue
            if c.kind == "int":
                huge = (num.abs() > MAX_INT).fillna(False).astype(bool)
                if huge.any():
                    problems.append(_problem(table, c.name, f"integer out of range (more than {MAX_INT:.0e} in size)",
                                             s, huge))
                    continue
            out[c.name] = num.round().astype("Int64") if c.kind == "int" else num.astype("float64")
            if c.kind == "int" and not c.nullable and not out[c.name].isna().any():
                out[c.name] = out[c.name].astype("int64")
        elif c.kind == "bool":
            if pd.api.types.is_bool_dtype(s):
                out[c.name] = s.astype("boolean") if c.nullable else s.astype(bool)
                continue
            val, bad = _to_bool(s)
            if bad.any():
                problems.append(_problem(table, c.name, "not a boolean (True/False)", s, bad))
                continue
            out[c.name] = val if (c.nullable or val.isna().any()) else val.astype(bool)
        elif c.kind in ("date", "datetime"):
            if pd.api.types.is_datetime64_any_dtype(s):
                ts = s
                bad = pd.Series(False, index=s.index)
            else:
                txt = s.astype("str").str.strip()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ts = pd.to_datetime(txt, errors="coerce", format="ISO8601")
                bad = s.notna() & (txt != "") & ts.isna()
            if bad.any():
                problems.append(_problem(table, c.name, "not a date/time in ISO format (YYYY-MM-DD[ HH:MM:SS])",
                                         s, bad))
                continue
            ts = pd.to_datetime(ts).astype("datetime64[s]")
            out[c.name] = ts.dt.normalize() if c.kind == "date" else ts
    if problems:
        raise ValidationError([(src, p) for p in problems], {src: line_offset})
    return out


def _problem(table: str, column: str | None, rule: str, values: pd.Series, bad: pd.Series) -> Problem:
    idx = np.flatnonzero(np.asarray(bad))
    ex = [(int(i), _py(values.iloc[i])) for i in idx[:5]]
    return Problem(table, column, rule, int(len(idx)), ex)


def _py(v: Any) -> Any:
    if isinstance(v, (np.generic,)):
        return v.item()
    if isinstance(v, pd.Timestamp):
        return str(v)
    return v


# ----------------------------------------------------------------------------- pandera
def pandera_schema(table: str, *, required_only: bool = False, keys: bool = True):
    """The pandera ``DataFrameSchema`` of a table (types, ranges, allowed codes, keys).

    With ``keys=False`` the uniqueness of the key columns is not part of the schema.
    """
    import pandera.pandas as pa

    spec = CONTRACT[table]
    cols = {}
    for c in spec.columns:
        checks = []
        if c.allowed is not None:
            checks.append(pa.Check.isin(list(c.allowed), error=f"value must be one of {', '.join(c.allowed)}"))
        if c.lo is not None:
            checks.append(pa.Check.ge(c.lo, error=f"value must be >= {c.lo:g}"))
        if c.hi is not None:
            checks.append(pa.Check.le(c.hi, error=f"value must be <= {c.hi:g}"))
        cols[c.name] = pa.Column(
            None, checks=checks, nullable=c.nullable, unique=c.unique and keys,
            required=c.required and not required_only or (c.name in spec.key),
        )
    return pa.DataFrameSchema(cols, strict=False, name=table,
                              unique=list(spec.key) if len(spec.key) > 1 and keys else None)


def _dtype_ok(c: Column, s: pd.Series) -> bool:
    if c.kind == "str":
        return pd.api.types.is_string_dtype(s) or s.dtype == object
    if c.kind == "int":
        return pd.api.types.is_integer_dtype(s)
    if c.kind == "float":
        return pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s)
    if c.kind == "bool":
        return pd.api.types.is_bool_dtype(s)
    return pd.api.types.is_datetime64_any_dtype(s)


def validate_table(df: pd.DataFrame, table: str, *, source: str | None = None,
                   line_offset: int | None = None, required_only: bool = False, keys: bool = True) -> None:
    """Check one table against the contract; raise :class:`ValidationError`.

    Parameters
    ----------
    df : DataFrame
    table : str
        Table name in :data:`CONTRACT`.
    source : str, optional
        File name to show in messages (default: the table name).
    line_offset : int, optional
        Add this to a row position to get the line number in the file (2 for
        a CSV with a header line). Without it, messages give row positions.
    required_only : bool
        Only the key columns must be present (for real extracts).
    keys : bool, default True
        Check that the key is unique. ``False`` skips it (for tables whose
        keys are unique by construction, see :func:`validate_dataset`).
    """
    import pandera.errors as pe

    if table not in CONTRACT:
        raise KeyError(f"unknown table {table!r}; the contract has: {', '.join(CONTRACT)}")
    spec = CONTRACT[table]
    src = source or table
    problems: list[Problem] = []
    missing = [c.name for c in spec.columns
               if (c.required and not required_only or c.name in spec.key) and c.name not in df.columns]
    if missing:
        problems.append(Problem(table, missing[0] if len(missing) == 1 else None,
                                f"missing required column(s): {', '.join(missing)}"))
        raise ValidationError([(src, p) for p in problems], {src: line_offset})
    for c in spec.columns:
        if c.name in df.columns and not _dtype_ok(c, df[c.name]):
            problems.append(Problem(table, c.name, f"has dtype {df[c.name].dtype}, expected {c.kind}"))
    if problems:
        raise ValidationError([(src, p) for p in problems], {src: line_offset})
    frame = df.reset_index(drop=True)
    problems += _value_problems(frame, table)
    try:
        pandera_schema(table, required_only=required_only, keys=keys).validate(frame, lazy=True)
    except pe.SchemaErrors as err:
        problems += _from_pandera(table, frame, err)
    if problems:
        raise ValidationError([(src, p) for p in problems], {src: line_offset})


def _value_problems(frame: pd.DataFrame, table: str) -> list[Problem]:
    """What pandera's range checks let through: infinite numbers and impossible dates."""
    out: list[Problem] = []
    lo, hi = DATE_RANGE
    for c in CONTRACT[table].columns:
        if c.name not in frame.columns:
            continue
        s = frame[c.name]
        if c.kind in ("int", "float") and pd.api.types.is_float_dtype(s):
            bad = (s.notna() & ~np.isfinite(s.astype("float64"))).to_numpy()
            if bad.any():
                out.append(_problem(table, c.name, "not a finite number (inf)", s, bad))
        elif c.kind in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(s):
            bad = (s.notna() & ((s < lo) | (s > hi))).to_numpy()
            if bad.any():
                out.append(_problem(table, c.name, f"impossible date: outside {lo.date()} .. {hi.date()}", s, bad))
    return out


def _from_pandera(table: str, frame: pd.DataFrame, err) -> list[Problem]:
    fc = err.failure_cases
    out: list[Problem] = []
    for (col, check), g in fc.groupby([fc["column"].astype("str"), fc["check"].astype("str")], sort=False, dropna=False):
        col = None if col in ("None", "nan", "<NA>", table) else col
        rule = check
        if check == "not_nullable":
            rule = "missing values are not allowed"
        elif check == "field_uniqueness":
            rule = "values must be unique (duplicate key)"
        elif check.startswith("multiple_fields_uniqueness"):
            rule = "the key columns must be unique together (duplicate key)"
        elif check == "column_in_dataframe":
            rule = "required column is missing"
        idx = g["index"].dropna()
        idx = idx.astype("int64").drop_duplicates() if len(idx) else idx
        ex = []
        for i in list(idx[:5]):
            if col and col in frame.columns:
                ex.append((int(i), _py(frame[col].iloc[int(i)])))
            else:
                ex.append((int(i), g.loc[g["index"] == i, "failure_case"].iloc[0]))
        out.append(Problem(table, col, rule, int(len(idx)) if len(idx) else int(len(g)), ex))
    return out


def _isin(values: pd.Series, reference: pd.Series) -> pd.Series:
    """``values.isin(reference)`` via pyarrow (pandas 3's string ``isin`` loops in Python)."""
    return _isin_many([values], reference)[0]


def _isin_many(columns: list[pd.Series], reference: pd.Series) -> list[pd.Series]:
    """``[c.isin(reference) for c in columns]``, hashing ``reference`` once (pyarrow ``is_in``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        ref = pa.array(reference.dropna(), from_pandas=True)
        arrs = [pa.array(c, from_pandas=True) for c in columns]
        if len({a.type for a in arrs} | {ref.type}) != 1:
            raise pa.ArrowTypeError("mixed types")
        got = pc.is_in(pa.concat_arrays(arrs) if len(arrs) > 1 else arrs[0], value_set=ref)
        flags = np.asarray(got.to_numpy(zero_copy_only=False), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return [c.isin(reference) for c in columns]
    out, start = [], 0
    for c in columns:
        out.append(pd.Series(flags[start:start + len(c)], index=c.index))
        start += len(c)
    return out


def validate_dataset(tables: Mapping[str, pd.DataFrame], *, sources: Mapping[str, str] | None = None,
                     line_offsets: Mapping[str, int | None] | None = None, required_only: bool = False,
                     window: tuple[Any, Any] | None = None, keys: bool = True) -> None:
    """Validate every present table and the foreign keys between them.

    A dataset may hold any subset of the contract's tables (real extracts lack
    surveys or campaigns); foreign keys are checked where both tables exist.

    Besides each table's rules (:func:`validate_table`: types, codes, ranges,
    keys, finite numbers, dates within :data:`DATE_RANGE`), no order may be
    dated before its customer's signup date, and with ``window = (start,
    end)`` (a synthetic dataset's scenario) the dated events of
    :data:`WINDOW_COLUMNS` must lie inside it (service events up to 60 days
    after ``end``).

    Parameters
    ----------
    tables : mapping of table name -> DataFrame
    sources, line_offsets : mappings, optional
        File name and line offset per table, for the messages (see :func:`validate_table`).
    required_only : bool
        Only the key columns must be present (for real extracts).
    window : (start, end), optional
        The scenario's window of a synthetic dataset (see above).
    keys : bool, default True
        Check that keys are unique and that foreign keys resolve. ``False``
        skips these two checks - the slowest on large tables - and keeps every
        other rule (columns, types, codes, ranges, missing values). Only for
        tables whose identifiers are unique and consistent by construction,
        such as the output of :func:`crmlab.make_retail_crm`; data read from
        files is always checked in full.

    Examples
    --------
    >>> import crmlab
    >>> data = crmlab.make_retail_crm("tiny", seed=1)
    >>> validate_dataset(data.tables)
    >>> orphan = data.orders.assign(customer_id="C9999999")
    >>> try:  # doctest: +ELLIPSIS
    ...     validate_dataset({**data.tables, "orders": orphan})
    ... except ValidationError as e:
    ...     print(str(e).splitlines()[1].split(";")[0])
      - column 'customer_id': values not found in customers.customer_id (... rows)
    >>> validate_dataset({**data.tables, "orders": orphan}, keys=False)
    """
    sources = dict(sources or {})
    offsets = dict(line_offsets or {})
    problems: list[tuple[str, Problem]] = []
    off_by_src: dict[str, int | None] = {}
    unknown = [t for t in tables if t not in CONTRACT]
    for name, df in tables.items():
        if name not in CONTRACT:
            continue
        src = sources.get(name, name)
        off_by_src[src] = offsets.get(name)
        try:
            validate_table(df, name, source=src, line_offset=offsets.get(name), required_only=required_only,
                           keys=keys)
        except ValidationError as e:
            problems += e.problems
    if keys:
        # group the foreign keys by the column they reference, so that each is hashed once
        refs: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for name, df in tables.items():
            if name not in CONTRACT:
                continue
            for col, other, ocol in CONTRACT[name].foreign_keys:
                if other in tables and col in df.columns and ocol in tables[other].columns:
                    refs.setdefault((other, ocol), []).append((name, col))
        failed: dict[tuple[str, str], Problem] = {}
        for (other, ocol), users in refs.items():
            cols = [tables[name][col] for name, col in users]
            for (name, col), vals, found in zip(users, cols, _isin_many(cols, tables[other][ocol])):
                ok = vals.isna() | found
                if not ok.all():
                    failed[(name, col)] = _problem(name, col, f"values not found in {other}.{ocol}",
                                                   vals.reset_index(drop=True), ~ok.reset_index(drop=True))
        for name, df in tables.items():  # report in table order
            for col, _, _ in CONTRACT.get(name, Table(name, (), "", ())).foreign_keys:
                if (name, col) in failed:
                    problems.append((sources.get(name, name), failed[(name, col)]))
    if not problems:
        problems += [(sources.get(t, t), p) for t, p in _cross_problems(tables, window)]
    if unknown:
        warnings.warn(f"tables outside the contract were not validated: {', '.join(unknown)}", stacklevel=2)
    if problems:
        raise ValidationError(problems, off_by_src)


def _cross_problems(tables: Mapping[str, pd.DataFrame], window: tuple[Any, Any] | None) -> list[tuple[str, Problem]]:
    """Orders before the customer's signup; events outside a synthetic dataset's window."""
    out: list[tuple[str, Problem]] = []
    orders, customers = tables.get("orders"), tables.get("customers")
    if orders is not None and customers is not None and {"customer_id", "order_ts"} <= set(orders.columns) \
            and {"customer_id", "signup_date"} <= set(customers.columns) \
            and pd.api.types.is_datetime64_any_dtype(orders["order_ts"]) \
            and pd.api.types.is_datetime64_any_dtype(customers["signup_date"]):
        signup = customers.drop_duplicates("customer_id").set_index("customer_id")["signup_date"]
        when = orders["customer_id"].map(signup)
        bad = (orders["order_ts"].dt.normalize() < when.dt.normalize()).fillna(False).to_numpy(dtype=bool)
        if bad.any():
            vals = orders["order_ts"].astype("str").reset_index(drop=True) + " < signup " + \
                when.dt.strftime("%Y-%m-%d").reset_index(drop=True)
            out.append(("orders", _problem("orders", "order_ts", "order dated before the customer's signup_date",
                                           vals, bad)))
    if window is not None:
        start = pd.Timestamp(window[0]).normalize()
        end = pd.Timestamp(window[1]).normalize() + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
        for t, c in WINDOW_COLUMNS:
            df = tables.get(t)
            if df is None or c not in df.columns or not pd.api.types.is_datetime64_any_dtype(df[c]):
                continue
            hi = end + pd.Timedelta(days=WINDOW_GRACE_DAYS.get((t, c), 0))
            s = df[c].reset_index(drop=True)
            bad = (s.notna() & ((s < start) | (s > hi))).to_numpy()
            if bad.any():
                out.append((t, _problem(t, c, f"outside the simulated window {start.date()} .. {hi.date()} of the "
                                              "dataset's scenario", s, bad)))
    return out


# ----------------------------------------------------------------------------- docs
_RULES_MARKDOWN = """Rules that hold for every table (checked by `crmlab validate` and `crmlab.load_dataset`, and
by every importer; each broken rule is an error naming file, column, rule and lines):

- numbers are finite (no `inf`); whole numbers are at most 2^53 in size;
- dates and times lie between 1990-01-01 and 2100-12-31; in a synthetic dataset, customers'
  signups, orders, service events (up to 60 days after the end), enrolments, points, the campaign
  and the survey lie inside the scenario's window `start` .. `end`;
- no order is dated before its customer's `signup_date`;
- the folder matches its `manifest.json`: every table listed there is present, with the same row
  count and SHA-256 checksum (a file edited, cut or damaged after writing is an error;
  `load_dataset(..., validate=False)` only warns).

In CSV files written by crmlab, a text cell that a spreadsheet would run as a formula (it starts
with `=`, `+`, `-`, `@`, a tab or a carriage return) is written with a leading single quote
(`'=1+1`), so that Excel or LibreOffice shows it as text; numbers, and text that is a plain number
such as `-12.5`, are left alone. `crmlab.load_dataset` removes the quote again.

"""


def data_dictionary_markdown() -> str:
    """The data dictionary (the rules for every table, then all tables and columns) as Markdown."""
    out = [_RULES_MARKDOWN]
    for t in CONTRACT.values():
        key = ", ".join(t.key) if t.key else "(none)"
        out.append(f"### `{t.name}`\n\n{t.description} Key: `{key}`.\n")
        out.append("| column | type | required | description |\n|---|---|---|---|")
        for c in t.columns:
            extra = []
            if c.allowed:
                extra.append("one of " + ", ".join(f"`{a}`" for a in c.allowed))
            if c.lo is not None or c.hi is not None:
                extra.append(f"range {'' if c.lo is None else f'{c.lo:g}'}..{'' if c.hi is None else f'{c.hi:g}'}")
            if c.nullable:
                extra.append("may be empty")
            desc = c.description + (f" ({'; '.join(extra)})" if extra else "")
            out.append(f"| `{c.name}` | {c.kind} | {'yes' if c.required else 'no'} | {desc} |")
        if t.foreign_keys:
            fks = "; ".join(f"`{c}` -> `{o}.{oc}`" for c, o, oc in t.foreign_keys)
            out.append(f"\nForeign keys: {fks}.")
        out.append("")
    return "\n".join(out)
