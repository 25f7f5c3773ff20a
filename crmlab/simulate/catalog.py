"""The product catalogue: a fixed assortment of a Chinese 3C retailer.

The catalogue does not depend on the scenario seed, so every student's
dataset sells the same SKUs (only who buys what differs). Items that the
planted basket rules and the decoy refer to are ordinary SKUs here, marked by
their ``subcategory``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

__all__ = ["simulate_products", "BASKET_RULES", "DECOY_SUBCATEGORY", "INSTALL_CATEGORIES", "BIG_CATEGORIES"]

#: Planted cross-sell rules (antecedent main category -> consequent subcategory).
#: Their confidences are scenario fields (``basket_rule_confidence``), in this order.
BASKET_RULES: tuple[tuple[str, str], ...] = (
    ("tv", "wall_bracket"),
    ("ac", "ac_installation"),
    ("phone", "phone_case"),
    ("laptop", "mouse"),
)
#: A popular item bought independently of everything else (lift ~ 1 with all).
DECOY_SUBCATEGORY = "usb_cable"
#: Categories that are delivered to the home whatever the channel.
BIG_CATEGORIES = ("tv", "fridge", "washer", "ac")
#: Categories whose installation the retailer promises within 24 hours.
INSTALL_CATEGORIES = ("tv", "washer", "ac")


@dataclass(frozen=True)
class _Line:
    category: str
    subcategory: str
    name_en: str
    name_zh: str
    brands: tuple[tuple[str, str], ...]  # (en, zh)
    variants: tuple[tuple[str, str, float], ...]  # (en, zh, median price)
    sigma: float = 0.12


_B = {
    "haier": ("Haier", "海尔"), "midea": ("Midea", "美的"), "gree": ("Gree", "格力"),
    "hisense": ("Hisense", "海信"), "tcl": ("TCL", "TCL"), "skyworth": ("Skyworth", "创维"),
    "xiaomi": ("Xiaomi", "小米"), "sony": ("Sony", "索尼"), "samsung": ("Samsung", "三星"),
    "siemens": ("Siemens", "西门子"), "ronshen": ("Ronshen", "容声"), "littleswan": ("Little Swan", "小天鹅"),
    "panasonic": ("Panasonic", "松下"), "aux": ("AUX", "奥克斯"), "daikin": ("Daikin", "大金"),
    "huawei": ("Huawei", "华为"), "apple": ("Apple", "苹果"), "oppo": ("OPPO", "OPPO"),
    "vivo": ("vivo", "vivo"), "honor": ("Honor", "荣耀"), "lenovo": ("Lenovo", "联想"),
    "dell": ("Dell", "戴尔"), "hp": ("HP", "惠普"), "asus": ("ASUS", "华硕"),
    "supor": ("Supor", "苏泊尔"), "joyoung": ("Joyoung", "九阳"), "dyson": ("Dyson", "戴森"),
    "ecovacs": ("Ecovacs", "科沃斯"), "philips": ("Philips", "飞利浦"), "ugreen": ("UGREEN", "绿联"),
    "anker": ("Anker", "安克"), "logitech": ("Logitech", "罗技"), "suning": ("Suning", "苏宁"),
    "baseus": ("Baseus", "倍思"), "beats": ("Beats", "Beats"),
}


def _b(*keys: str) -> tuple[tuple[str, str], ...]:
    return tuple(_B[k] for k in keys)


_LINES: tuple[_Line, ...] = (
    _Line("tv", "tv", "TV", "电视", _b("hisense", "tcl", "skyworth", "xiaomi", "sony", "samsung", "haier"),
          (("43-inch", "43英寸", 1500), ("55-inch 4K", "55英寸4K", 2800), ("65-inch 4K", "65英寸4K", 4500),
           ("75-inch Mini-LED", "75英寸Mini-LED", 7500), ("85-inch OLED", "85英寸OLED", 13000))),
    _Line("fridge", "fridge", "refrigerator", "冰箱", _b("haier", "midea", "siemens", "ronshen"),
          (("two-door 230L", "双门230升", 1800), ("French-door 450L", "多门450升", 4200),
           ("side-by-side 600L", "对开门600升", 6500), ("built-in 500L", "嵌入式500升", 11000))),
    _Line("washer", "washer", "washing machine", "洗衣机", _b("haier", "littleswan", "midea", "siemens", "panasonic"),
          (("top-load 8kg", "波轮8公斤", 1200), ("front-load 10kg", "滚筒10公斤", 2800),
           ("washer-dryer 10kg", "洗烘一体10公斤", 4500), ("heat-pump set", "洗烘套装", 8500))),
    _Line("ac", "ac", "air conditioner", "空调", _b("gree", "midea", "haier", "aux", "daikin"),
          (("1 HP wall unit", "1匹挂机", 2200), ("1.5 HP wall unit", "1.5匹挂机", 2900),
           ("3 HP floor unit", "3匹柜机", 6500), ("central 5 HP", "中央空调5匹", 12000))),
    _Line("phone", "phone", "smartphone", "手机", _b("huawei", "apple", "xiaomi", "oppo", "vivo", "honor"),
          (("entry", "入门款", 1200), ("mid-range", "中端款", 2500), ("flagship", "旗舰款", 5500),
           ("foldable", "折叠屏", 9000))),
    _Line("laptop", "laptop", "laptop", "笔记本电脑", _b("lenovo", "huawei", "apple", "dell", "hp", "asus"),
          (("14-inch", "14英寸轻薄本", 4200), ("16-inch gaming", "16英寸游戏本", 7500),
           ("pro 14-inch", "14英寸专业本", 12000))),
    _Line("small_appliance", "rice_cooker", "rice cooker", "电饭煲", _b("midea", "supor", "joyoung", "panasonic"),
          (("3L", "3升", 259), ("5L IH", "5升IH", 599))),
    _Line("small_appliance", "air_fryer", "air fryer", "空气炸锅", _b("midea", "supor", "philips"),
          (("4L", "4升", 299), ("6L visible", "6升可视", 499))),
    _Line("small_appliance", "vacuum", "vacuum cleaner", "吸尘器", _b("dyson", "ecovacs", "xiaomi", "midea"),
          (("cordless", "无线手持", 1299), ("robot", "扫地机器人", 2499))),
    _Line("small_appliance", "kettle", "electric kettle", "电水壶", _b("midea", "supor", "joyoung"),
          (("1.5L", "1.5升", 129),)),
    _Line("small_appliance", "soymilk_maker", "soymilk maker", "豆浆机", _b("joyoung", "midea"),
          (("1.2L", "1.2升", 399),)),
    _Line("small_appliance", "air_purifier", "air purifier", "空气净化器", _b("xiaomi", "philips", "midea"),
          (("standard", "标准款", 899), ("large room", "大空间", 1999))),
    _Line("small_appliance", "hair_dryer", "hair dryer", "吹风机", _b("dyson", "panasonic", "philips"),
          (("ionic", "负离子", 299), ("high-speed", "高速", 1999))),
    _Line("accessory", "wall_bracket", "TV wall bracket", "电视壁挂架", _b("suning", "ugreen"),
          (("fixed", "固定式", 129), ("tilting", "可调节", 259))),
    _Line("accessory", "phone_case", "phone case", "手机壳", _b("baseus", "ugreen", "suning"),
          (("silicone", "硅胶", 49), ("leather", "皮革", 129))),
    _Line("accessory", "screen_protector", "screen protector", "钢化膜", _b("baseus", "ugreen"),
          (("tempered glass", "钢化玻璃", 39),)),
    _Line("accessory", "usb_cable", "USB-C cable", "USB-C数据线", _b("ugreen", "anker", "baseus"),
          (("1m", "1米", 29), ("2m braided", "2米编织", 49))),
    _Line("accessory", "mouse", "mouse", "鼠标", _b("logitech", "xiaomi"),
          (("wireless", "无线", 99), ("ergonomic", "人体工学", 399))),
    _Line("accessory", "laptop_bag", "laptop bag", "电脑包", _b("suning", "lenovo"),
          (("sleeve", "内胆包", 89), ("backpack", "双肩包", 229))),
    _Line("accessory", "headphones", "headphones", "耳机", _b("huawei", "apple", "sony", "beats", "xiaomi"),
          (("wireless earbuds", "无线耳机", 499), ("noise-cancelling", "降噪耳机", 1799))),
    _Line("accessory", "power_bank", "power bank", "充电宝", _b("anker", "xiaomi", "baseus"),
          (("10000mAh", "10000毫安", 99), ("20000mAh", "20000毫安", 169))),
    _Line("accessory", "hdmi_cable", "HDMI cable", "HDMI线", _b("ugreen",),
          (("2m", "2米", 39),)),
    _Line("service", "ac_installation", "AC installation", "空调安装服务", _b("suning",),
          (("standard", "标准安装", 150), ("high-floor", "高空安装", 300))),
    _Line("service", "extended_warranty", "extended warranty", "延保服务", _b("suning",),
          (("1 year", "1年", 149), ("3 years", "3年", 399))),
    _Line("service", "trade_in", "trade-in collection", "以旧换新回收", _b("suning",),
          (("collection", "上门回收", 30),)),
)


@cache
def _catalog() -> pd.DataFrame:
    rng = np.random.default_rng(20100101)  # fixed: the catalogue is the same in every scenario
    rows = []
    for line in _LINES:
        for ven, vzh, median in line.variants:
            for ben, bzh in line.brands:
                price = median * float(np.exp(rng.normal(0, line.sigma)))
                if line.category in ("accessory", "service", "small_appliance"):
                    price = max(9.0, round(price / 10) * 10 - 1)  # 129, 259, ...
                else:
                    price = round(price / 100) * 100 - 1  # 2799, 4499, ...
                rows.append(
                    dict(
                        category=line.category,
                        subcategory=line.subcategory,
                        brand=ben,
                        name=f"{ben} {line.name_en} {ven}",
                        name_zh=f"{bzh} {line.name_zh} {vzh}",
                        list_price=float(price),
                    )
                )
    df = pd.DataFrame(rows)
    prefix = {"tv": "TV", "fridge": "FR", "washer": "WA", "ac": "AC", "phone": "PH", "laptop": "LT",
              "small_appliance": "SA", "accessory": "AX", "service": "SV"}
    df.insert(0, "sku", [f"{prefix[c]}{i:04d}" for i, c in enumerate(df["category"])])
    # popularity within subcategory (Zipf-like, fixed)
    df["popularity"] = 1.0 / (1 + df.groupby("subcategory").cumcount()) ** 0.7
    return df


def simulate_products() -> pd.DataFrame:
    """Return the product table (one row per SKU).

    Columns: ``sku, category, subcategory, brand, name, name_zh, list_price,
    popularity``. ``popularity`` is the relative chance of a SKU being chosen
    within its subcategory before price preferences act.

    Examples
    --------
    >>> p = simulate_products()
    >>> p["sku"].is_unique and set(p["category"]) >= {"tv", "service"}
    True
    """
    return _catalog().copy()
