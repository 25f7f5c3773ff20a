"""The contract's tables built from what an extract has.

Invoice-line extracts (Online Retail, CDNOW) have one table of lines:
:func:`tables_from_lines` builds ``orders``, ``order_items``, ``products``
and ``customers`` from it. Mapped extracts have some of the tables:
:func:`complete_tables` derives the missing ones (customers from orders,
products from order lines) and the required columns no extract has
(signup date = first order date, list price = median unit price, ...).
Every derived or filled column is a step of the
:class:`~crmlab.extracts.cleaning.CleaningLog`.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from crmlab.extracts.cleaning import CleaningLog
>>> lines = pd.DataFrame({"order_id": ["1", "1", "2"], "customer_id": ["c1", "c1", "c2"],
...                       "order_ts": pd.to_datetime(["2024-03-01 10:00"] * 2 + ["2024-03-02 09:00"]),
...                       "sku": ["A", "B", "A"], "description": ["Mug", "Cup", None],
...                       "quantity": [1, 2, 1], "unit_price": [3.0, 1.5, 3.0], "line_value": [3.0, 3.0, 3.0],
...                       "_src": "lines.csv", "_line": [2, 3, 4]})
>>> tables, origin = tables_from_lines(lines, channel="web", category="accessory", log=CleaningLog(),
...                                    cancel=np.zeros(3, bool))
>>> tables["orders"][["order_id", "order_value"]].values.tolist()
[['1', 6.0], ['2', 3.0]]
>>> tables["products"]["name"].tolist(), origin["customers"]["_line"].tolist()
(['Mug', 'Cup'], [2, 4])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._checks import as_datetimes
from ..schema import CONTRACT
from .cleaning import CleaningLog, category_of, fill_defaults, fill_nullable

__all__ = ["tables_from_lines", "complete_tables"]


def tables_from_lines(lines: pd.DataFrame, *, channel: str, category: str, log: CleaningLog,
                      cancel: np.ndarray) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Build orders, order_items, products and customers from cleaned invoice lines.

    ``lines`` has order_id, customer_id, order_ts, sku, description, quantity,
    unit_price, line_value, optional country, _src, _line; ``cancel`` marks
    lines of cancelled orders. Returns the tables and, per table, the file
    line each row comes from (for error messages). The invoice's first line
    decides the order's customer and time (conflicts are logged as fixed).
    """
    lines = lines.reset_index(drop=True)
    lines["_pos"] = np.arange(len(lines))
    lines["status"] = np.where(cancel, "cancelled", "completed")
    g = lines.groupby("order_id", sort=False)
    first_cust = g["customer_id"].transform("first")
    first_ts = g["order_ts"].transform("first")
    conflict = (lines["customer_id"] != first_cust) | (lines["order_ts"] != first_ts)
    log.rows("fixed", "customer id or time differs from the first line of its invoice: the first line's "
                      "value is used for the order", lines, conflict.to_numpy())
    lines["customer_id"], lines["order_ts"] = first_cust, first_ts

    head = lines.drop_duplicates("order_id").sort_values(["order_ts", "_pos"], kind="stable")
    rank = pd.Series(np.arange(len(head)), index=head["order_id"].to_numpy())
    value = lines.groupby("order_id", sort=False)["line_value"].sum()
    orders = pd.DataFrame({
        "order_id": head["order_id"].to_numpy(),
        "customer_id": head["customer_id"].to_numpy(),
        "order_ts": head["order_ts"].to_numpy(),
        "channel": channel,
        "status": head["status"].to_numpy(),
        "order_value": value.reindex(head["order_id"]).to_numpy().round(6),
    })
    log.table("filled", f"not in the extract: every order gets channel {channel!r} (documented default)",
              len(orders), "orders.channel")
    orders = fill_defaults(orders, "orders", log)
    orders = orders[[c for c in CONTRACT["orders"].names if c in orders.columns]]
    origin = {"orders": head[["_src", "_line"]].reset_index(drop=True)}

    lines["line_no"] = g.cumcount() + 1
    items_src = lines.assign(_rank=lines["order_id"].map(rank)).sort_values(["_rank", "line_no"], kind="stable")
    items = pd.DataFrame({
        "order_id": items_src["order_id"].to_numpy(),
        "line_no": items_src["line_no"].to_numpy(),
        "sku": items_src["sku"].to_numpy(),
        "quantity": items_src["quantity"].to_numpy(),
        "unit_price": items_src["unit_price"].to_numpy(),
    })
    items = fill_defaults(items, "order_items", log)
    origin["order_items"] = items_src[["_src", "_line"]].reset_index(drop=True)

    products, origin["products"] = _products_from_lines(lines, category, log)
    customers, origin["customers"] = _customers_from_lines(lines, channel, log)
    return {"customers": customers, "products": products, "orders": orders, "order_items": items}, origin


def _products_from_lines(lines: pd.DataFrame, category: str, log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    first = lines.drop_duplicates("sku")
    desc = lines.dropna(subset=["description"])
    counts = desc.groupby(["sku", "description"], sort=False).size()
    name = counts.groupby(level=0, sort=False).idxmax().map(lambda t: t[1]) if len(counts) else pd.Series(dtype="str")
    name = name.reindex(first["sku"].to_numpy())
    missing = name.isna().to_numpy()
    log.table("filled", "no description anywhere in the file: product name = stock code", int(missing.sum()),
              "products.name")
    name = pd.Series(np.where(missing, first["sku"].to_numpy(), name.to_numpy()), dtype="str")
    price = lines.groupby("sku", sort=False)["unit_price"].median().reindex(first["sku"].to_numpy())
    sku = pd.Series(first["sku"].to_numpy(), dtype="str")
    products = pd.DataFrame({
        "sku": sku,
        "category": category_of(category)(sku),
        "subcategory": name,
        "brand": "unknown",
        "name": name,
        "list_price": price.to_numpy().astype(float),
    })
    n = len(products)
    log.table("filled", f"not in the extract: category {category!r} (documented default; postage, fees and "
                        "adjustments get 'service')", n, "products.category")
    log.table("derived", "no product hierarchy in the extract: subcategory = product name", n, "products.subcategory")
    log.table("filled", "not in the extract: set to 'unknown' (documented default)", n, "products.brand")
    log.table("derived", "list price = median unit price of the product's lines", n, "products.list_price")
    return products, first[["_src", "_line"]].reset_index(drop=True)


def _customers_from_lines(lines: pd.DataFrame, channel: str, log: CleaningLog) -> tuple[pd.DataFrame, pd.DataFrame]:
    by_time = lines.sort_values(["order_ts", "_pos"], kind="stable")
    first = by_time.drop_duplicates("customer_id").sort_values("_pos", kind="stable")
    customers = pd.DataFrame({
        "customer_id": first["customer_id"].to_numpy(),
        "signup_date": first["order_ts"].dt.normalize().to_numpy(),
        "signup_channel": channel,
    })
    n = len(customers)
    log.table("derived", "not in the extract: signup date = date of the customer's first order", n,
              "customers.signup_date")
    log.table("filled", f"not in the extract: set to {channel!r} (the extract's only channel)", n,
              "customers.signup_channel")
    customers = fill_defaults(customers, "customers", log)
    if "country" in lines.columns:
        country = lines.dropna(subset=["country"]).drop_duplicates("customer_id").set_index("customer_id")["country"]
        customers["country"] = customers["customer_id"].map(country).astype("str")
    return customers, first[["_src", "_line"]].reset_index(drop=True)


def complete_tables(frames: dict[str, pd.DataFrame], log: CleaningLog, category: str) -> dict[str, pd.DataFrame]:
    """Derive missing tables and fill required columns the extract lacks (each fill is logged).

    ``frames`` are the mapped tables (with ``_src`` and ``_line``); customers
    are derived from orders, products from order lines, when not mapped.
    """
    frames = dict(frames)
    if "order_items" in frames:
        items = frames["order_items"]
        if "line_no" not in items:
            items["line_no"] = items.groupby("order_id", sort=False).cumcount() + 1
            log.table("derived", "not in the extract: line number = position of the line within its order",
                      len(items), "order_items.line_no")
        frames["order_items"] = fill_defaults(items, "order_items", log)
    if "orders" in frames:
        frames["orders"] = fill_nullable(fill_defaults(frames["orders"], "orders", log), "orders", log)
    if "customers" not in frames and "orders" in frames:
        frames["customers"] = _derive_customers(frames["orders"], frames.get("loyalty"), log)
    elif "customers" in frames:
        frames["customers"] = _complete_customers(frames["customers"], frames.get("orders"), frames.get("loyalty"),
                                                  log)
    if "products" not in frames and "order_items" in frames:
        frames["products"] = _derive_products(frames["order_items"], None, log, category)
    elif "products" in frames:
        frames["products"] = _derive_products(frames.get("order_items"), frames["products"], log, category)
    for t in list(frames):
        frames[t] = fill_nullable(frames[t], t, log)
    return frames


def _first_orders(orders: pd.DataFrame) -> pd.DataFrame:
    o = orders.dropna(subset=["customer_id"]).assign(_pos=np.arange(len(orders.dropna(subset=["customer_id"]))))
    return o.sort_values(["order_ts", "_pos"], kind="stable").drop_duplicates("customer_id").set_index("customer_id")


def _membership(customers: pd.DataFrame, loyalty: pd.DataFrame | None, log: CleaningLog) -> pd.DataFrame:
    if loyalty is not None and "is_member" not in customers:
        customers["is_member"] = customers["customer_id"].isin(loyalty["customer_id"]).to_numpy()
        log.table("derived", "not in the extract: member = has a row in the loyalty table", len(customers),
                  "customers.is_member")
    return customers


def _derive_customers(orders: pd.DataFrame, loyalty: pd.DataFrame | None, log: CleaningLog) -> pd.DataFrame:
    first = _first_orders(orders).sort_values("_pos", kind="stable")
    first_day = as_datetimes(first["order_ts"], "orders.order_ts").dt.normalize()
    customers = pd.DataFrame({"customer_id": first.index.to_numpy(),
                              "signup_date": first_day.to_numpy(),
                              "signup_channel": first["channel"].to_numpy(),
                              "_src": first["_src"].to_numpy(), "_line": first["_line"].to_numpy()})
    n = len(customers)
    log.table("derived", "no customers file: one customer per customer id of the orders", n, "customers")
    log.table("derived", "signup date = date of the customer's first order", n, "customers.signup_date")
    log.table("derived", "signup channel = channel of the customer's first order", n, "customers.signup_channel")
    return fill_defaults(_membership(customers, loyalty, log), "customers", log)


def _complete_customers(customers: pd.DataFrame, orders: pd.DataFrame | None, loyalty: pd.DataFrame | None,
                        log: CleaningLog) -> pd.DataFrame:
    first = _first_orders(orders) if orders is not None else None
    n = len(customers)
    if "signup_date" not in customers and first is not None:
        first_day = as_datetimes(first["order_ts"], "orders.order_ts").dt.normalize()
        customers["signup_date"] = customers["customer_id"].map(first_day)
        log.table("derived", "not in the extract: signup date = date of the customer's first order", n,
                  "customers.signup_date")
    if "signup_channel" not in customers and first is not None:
        customers["signup_channel"] = customers["customer_id"].map(first["channel"])
        log.table("derived", "not in the extract: signup channel = channel of the customer's first order", n,
                  "customers.signup_channel")
    return fill_defaults(_membership(customers, loyalty, log), "customers", log)


def _derive_products(items: pd.DataFrame | None, products: pd.DataFrame | None, log: CleaningLog,
                     category: str) -> pd.DataFrame:
    if products is None:
        first = items.drop_duplicates("sku")
        products = pd.DataFrame({"sku": first["sku"].to_numpy(), "_src": first["_src"].to_numpy(),
                                 "_line": first["_line"].to_numpy()})
        log.table("derived", "no products file: one product per sku of the order lines", len(products), "products")
    n = len(products)
    if "name" not in products:
        products["name"] = products["sku"]
        log.table("filled", "not in the extract: product name = sku", n, "products.name")
    if "category" not in products:
        products["category"] = category_of(category)(products["sku"].astype("str"))
        log.table("filled", f"not in the extract: category {category!r} (documented default)", n,
                  "products.category")
    if "subcategory" not in products:
        products["subcategory"] = products["name"]
        log.table("derived", "not in the extract: subcategory = product name", n, "products.subcategory")
    if "list_price" not in products and items is not None:
        med = items.groupby("sku")["unit_price"].median()
        products["list_price"] = products["sku"].map(med)
        log.table("derived", "not in the extract: list price = median unit price of the product's lines", n,
                  "products.list_price")
    return fill_defaults(products, "products", log)
