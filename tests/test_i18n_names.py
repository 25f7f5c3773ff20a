"""Display names in Chinese: every city, province, store format, category, item group and product
the simulator can produce has one, and ``display_names`` shows a table's codes and names in ``lang``."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crmlab import domain
from crmlab.i18n import CITY_NAMES, PROVINCE_NAMES, display_names, label, place_name
from crmlab.simulate.catalog import simulate_products
from crmlab.simulate.pii import load_cities

CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese(text: str) -> bool:
    return bool(CJK.search(text))


def test_every_city_and_province_has_a_chinese_name():
    cities = load_cities()
    for code in cities["city"]:
        assert _chinese(label(code, "zh")), code
        assert label(code, "en") != label(code, "zh")
    for code in cities["province"].unique():
        assert _chinese(place_name(code, "zh", province=True)), code
    assert len(CITY_NAMES) == cities["city"].nunique() and len(PROVINCE_NAMES) == cities["province"].nunique()


def test_every_category_item_group_and_product_has_a_chinese_name():
    products = simulate_products()
    codes = (set(products["category"]) | set(products["subcategory"]) | set(domain.STORE_FORMATS)
             | set(domain.PAYMENTS) | set(domain.CHANNELS))
    for code in sorted(codes):
        assert _chinese(label(code, "zh")), code
    shown = display_names(products, "zh")
    assert "name_zh" not in shown and shown["name"].map(_chinese).all()
    assert shown["category"].map(_chinese).all() and shown["subcategory"].map(_chinese).all()
    assert display_names(products, "en")["name"].tolist() == products["name"].tolist()


def test_display_names_of_a_simulated_dataset():
    from crmlab import make_retail_crm

    data = make_retail_crm("tiny", seed=3)
    stores = display_names(data.stores, "zh", headers=True)
    assert stores["名称"].str.startswith("苏宁易购").all() and stores["城市名称"].map(_chinese).all()
    en = display_names(data.stores, "en")
    assert en["name"].str.startswith("Suning ").all() and not en["city_name"].map(_chinese).any()
    # the number of a store survives the relabelling
    assert (en["name"].str.extract(r"#(\d+)$")[0].to_numpy()
            == stores["名称"].str.extract(r"(\d+)号$")[0].to_numpy()).all()
    customers = display_names(data.customers[["customer_id", "city", "city_name", "province", "province_name"]], "en")
    assert not customers[["city", "city_name", "province", "province_name"]].map(_chinese).any().any()
    # the original table is not modified, an index of codes is relabelled
    assert data.stores["city"].str.fullmatch(r"[a-z_]+").all()
    by_city = data.customers.groupby("city").size().rename("customers").to_frame()
    assert display_names(by_city, "zh").index.map(_chinese).all()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_unknown_codes_and_columns_are_left_alone(lang):
    t = pd.DataFrame({"item": ["tv", "new_gadget"], "other": ["x_y", "z"]})
    shown = display_names(t, lang)
    assert shown["item"].tolist()[1] == "new gadget" and shown["other"].tolist() == ["x_y", "z"]
    with pytest.raises(ValueError):
        display_names(t, "fr")
