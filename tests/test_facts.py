"""Order values: one implementation shared by the facts, RFM and the notebooks."""

import pandas as pd
import pytest

from crmlab.domain import line_values, order_values
from crmlab.notebook import MissingTablesError, orders_with_value


def test_order_values_fill_missing_from_lines():
    orders = pd.DataFrame({"order_id": ["a", "b", "c"], "order_value": [10.0, None, None]})
    items = pd.DataFrame({"order_id": ["b", "b"], "quantity": [2, 1], "unit_price": [5.0, 3.0],
                          "discount": [1.0, None]})
    assert line_values(items).tolist() == [9.0, 3.0]
    assert order_values(orders, items).tolist() == [10.0, 12.0, 0.0]
    with pytest.raises(ValueError, match="order_value"):
        order_values(orders.drop(columns="order_value"))


def test_notebook_helper_uses_the_same_values(tiny):
    no_value = {"orders": tiny.orders.drop(columns="order_value"), "order_items": tiny.order_items}
    got = orders_with_value(no_value)["order_value"]
    assert (got - tiny.orders["order_value"]).abs().max() < 0.011
    with pytest.raises(MissingTablesError):
        orders_with_value({"orders": no_value["orders"]})
