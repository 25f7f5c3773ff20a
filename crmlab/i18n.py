"""Languages: sentences and labels in English and Chinese, chosen at run time by ``lang``.

The lessons exist in two editions built from one source: the code cells are
identical and the notebook parameter ``lang`` (``"en"`` or ``"zh"``) selects
the language of everything the code prints or draws. Sentences live in
:class:`Messages` catalogues - one entry per sentence, both languages side by
side - so that a missing translation is an error at import, not a surprise in
class. Codes in the data (``"price_change_cancel"``, ``"tv"``, ``"app"``) stay
English; :func:`label` gives their display names.

Examples
--------
>>> from crmlab.i18n import Messages, label
>>> m = Messages({"nps": {"en": "The NPS is {nps:+.0f}.", "zh": "净推荐值为 {nps:+.0f}。"}})
>>> m("nps", "zh", nps=27.4)
'净推荐值为 +27。'
>>> label("price_change_cancel", "zh")
'涨价后取消订单'
>>> label("something_new", "zh")
'something new'
"""

from __future__ import annotations

import string
from typing import Any, Iterator, Mapping

__all__ = ["LANGUAGES", "check_lang", "Messages", "interval_phrase", "estimate_phrase", "LABELS", "label", "labels"]

#: The editions of the course.
LANGUAGES: tuple[str, ...] = ("en", "zh")


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    return lang


#: The word for an interval, by language: a confidence interval, or a plain interval (bootstrap, model).
_INTERVAL_WORDS = {"CI": {"en": "CI", "zh": "置信区间"}, "interval": {"en": "interval", "zh": "区间"}}


def interval_phrase(fmt: str, *, level: str = ".0%", word: str = "CI") -> dict[str, str]:
    """Message fragment ``"95% CI low to high"`` in both languages, for the fields ``level, ci_low, ci_high``.

    Parameters
    ----------
    fmt : str
        Format spec of the bounds (``".2f"``, ``"+.1%"``).
    level : str, default ".0%"
        Format spec of the confidence level (``".2%"`` for Bonferroni-adjusted levels such as 98.33%).
    word : {"CI", "interval"}
        A confidence interval, or an interval of another kind.

    Examples
    --------
    >>> interval_phrase(".2f")["zh"].format(level=0.95, ci_low=1.2, ci_high=1.9)
    '95% 置信区间 1.20 至 1.90'
    """
    words = _INTERVAL_WORDS[word]
    return {"en": f"{{level:{level}}} {words['en']} {{ci_low:{fmt}}} to {{ci_high:{fmt}}}",
            "zh": f"{{level:{level}}} {words['zh']} {{ci_low:{fmt}}} 至 {{ci_high:{fmt}}}"}


def estimate_phrase(fmt: str, *, level: str = ".0%", word: str = "CI", before: Mapping[str, str] | None = None,
                    after: Mapping[str, str] | None = None) -> dict[str, str]:
    """Message fragment ``"<before>estimate<after> (95% CI low to high)"`` in both languages.

    The fields are ``estimate, level, ci_low, ci_high``; ``before`` / ``after`` are per-language
    words around the estimate (``{"en": "hazard ratio ", "zh": "风险比 "}``).

    Examples
    --------
    >>> estimate_phrase("+.1%")["en"].format(estimate=0.05, level=0.95, ci_low=0.01, ci_high=0.09)
    '+5.0% (95% CI +1.0% to +9.0%)'
    >>> estimate_phrase(".1f", after={"en": " times", "zh": " 倍"})["zh"].format(
    ...     estimate=2.0, level=0.95, ci_low=1.5, ci_high=2.6)
    '2.0 倍（95% 置信区间 1.5 至 2.6）'
    """
    ci = interval_phrase(fmt, level=level, word=word)
    pre, post = before or {}, after or {}
    return {"en": f"{pre.get('en', '')}{{estimate:{fmt}}}{post.get('en', '')} ({ci['en']})",
            "zh": f"{pre.get('zh', '')}{{estimate:{fmt}}}{post.get('zh', '')}（{ci['zh']}）"}


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


class Messages(Mapping[str, Mapping[str, str]]):
    """A catalogue of sentences: ``{key: {"en": template, "zh": template}}``.

    Templates use :meth:`str.format` fields. Every entry must have every
    language of :data:`LANGUAGES`, and both templates the same fields, so a
    translation can neither be missing nor drop a number.

    Raises
    ------
    ValueError
        At construction, naming the entry that lacks a language or whose
        templates use different fields.
    """

    def __init__(self, entries: Mapping[str, Mapping[str, str]]):
        for key, texts in entries.items():
            missing = [lg for lg in LANGUAGES if not texts.get(lg)]
            if missing:
                raise ValueError(f"message {key!r} has no {', '.join(missing)} text")
            fields = {lg: _fields(texts[lg]) for lg in LANGUAGES}
            if len({frozenset(v) for v in fields.values()}) > 1:
                raise ValueError(f"message {key!r}: the languages use different fields {fields}")
        self._entries = {k: dict(v) for k, v in entries.items()}

    def __getitem__(self, key: str) -> Mapping[str, str]:
        return self._entries[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __call__(self, key: str, lang: str = "en", /, **values: Any) -> str:
        """The sentence ``key`` in ``lang``, with ``values`` filled in."""
        check_lang(lang)
        try:
            template = self._entries[key][lang]
        except KeyError:
            raise KeyError(f"no message {key!r} (known: {', '.join(sorted(self._entries)[:8])} ...)") from None
        return template.format(**values)

    def merged(self, other: Mapping[str, Mapping[str, str]]) -> "Messages":
        """A catalogue holding this one's entries and ``other``'s (``other`` wins on equal keys)."""
        return Messages({**self._entries, **dict(other)})


#: Display names of the codes in the data (categories, channels, statuses, service events,
#: survey dimensions, store formats, tiers, segments), following the course's wording.
LABELS = Messages({
    # categories
    "tv": {"en": "TV", "zh": "电视"},
    "fridge": {"en": "fridge", "zh": "冰箱"},
    "washer": {"en": "washer", "zh": "洗衣机"},
    "ac": {"en": "air conditioner", "zh": "空调"},
    "phone": {"en": "phone", "zh": "手机"},
    "laptop": {"en": "laptop", "zh": "笔记本电脑"},
    "small_appliance": {"en": "small appliance", "zh": "小家电"},
    "accessory": {"en": "accessory", "zh": "配件"},
    "service": {"en": "service", "zh": "服务"},
    # channels
    "store": {"en": "store", "zh": "门店"},
    "web": {"en": "web", "zh": "网站"},
    "app": {"en": "app", "zh": "手机客户端"},
    # order statuses
    "completed": {"en": "completed", "zh": "已完成"},
    "cancelled": {"en": "cancelled", "zh": "已取消"},
    "returned": {"en": "returned", "zh": "已退货"},
    # service events and failure kinds
    "late_delivery": {"en": "late delivery", "zh": "配送延误"},
    "failed_delivery": {"en": "failed delivery", "zh": "配送失败"},
    "failed_installation": {"en": "failed installation", "zh": "安装未按时完成"},
    "price_change_cancel": {"en": "price-change cancellation", "zh": "涨价后取消订单"},
    "expired_coupon": {"en": "expired coupon", "zh": "优惠券过期"},
    "complaint": {"en": "complaint", "zh": "投诉"},
    "unresolved_complaint": {"en": "unresolved complaint", "zh": "未解决的投诉"},
    # survey dimensions
    "advertising": {"en": "advertising", "zh": "宣传"},
    "price": {"en": "price", "zh": "价格"},
    "quality": {"en": "quality", "zh": "质量"},
    # store formats and tiers
    "flagship": {"en": "flagship", "zh": "旗舰店"},
    "standard": {"en": "standard", "zh": "标准店"},
    "community": {"en": "community", "zh": "社区店"},
    "gold": {"en": "gold", "zh": "金卡"},
    "platinum": {"en": "platinum", "zh": "白金卡"},
    # survey: competitors the respondents also use
    "gome": {"en": "Gome", "zh": "国美"},
    "jd": {"en": "JD", "zh": "京东"},
    "tmall": {"en": "Tmall", "zh": "天猫"},
})


def label(code: Any, lang: str = "en") -> str:
    """Display name of a data code in ``lang``; unknown codes are shown with spaces for underscores.

    Besides :data:`LABELS` it knows the item groups, cities and provinces (:data:`ITEM_NAMES`,
    :data:`CITY_NAMES`, :data:`PROVINCE_NAMES`): ``label("nanjing", "zh")`` is ``'南京'``.
    """
    check_lang(lang)
    name = _name(code, lang)  # the codes of LABELS, then item groups, cities and provinces (end of module)
    return name if name is not None else str(code).replace("_", " ")


def labels(codes: Any, lang: str = "en") -> list[str]:
    """:func:`label` of each code (e.g. an index, for axis tick labels)."""
    return [label(c, lang) for c in codes]


# ----------------------------------------------------------------------------------------------
# Display names of places, stores and products (cities, provinces, item groups, product names)
#
# The data keep codes (``nanjing``, ``jiangsu``, ``wall_bracket``); the ``*_name`` columns of a
# dataset are in the dataset's locale, whatever the edition. :func:`label` knows the codes below,
# and :func:`display_names` relabels the code and name columns of a table for display in ``lang``.

#: Display names of the item groups (``products.subcategory``) that are not categories.
ITEM_NAMES = Messages({
    "wall_bracket": {"en": "wall bracket", "zh": "电视挂架"},
    "phone_case": {"en": "phone case", "zh": "手机壳"},
    "screen_protector": {"en": "screen protector", "zh": "屏幕保护膜"},
    "usb_cable": {"en": "USB cable", "zh": "USB 数据线"},
    "mouse": {"en": "mouse", "zh": "鼠标"},
    "laptop_bag": {"en": "laptop bag", "zh": "电脑包"},
    "headphones": {"en": "headphones", "zh": "耳机"},
    "power_bank": {"en": "power bank", "zh": "充电宝"},
    "hdmi_cable": {"en": "HDMI cable", "zh": "HDMI 线"},
    "ac_installation": {"en": "AC installation", "zh": "空调安装"},
    "extended_warranty": {"en": "extended warranty", "zh": "延保服务"},
    "trade_in": {"en": "trade-in", "zh": "以旧换新"},
    "rice_cooker": {"en": "rice cooker", "zh": "电饭煲"},
    "air_fryer": {"en": "air fryer", "zh": "空气炸锅"},
    "vacuum": {"en": "vacuum cleaner", "zh": "吸尘器"},
    "kettle": {"en": "kettle", "zh": "电热水壶"},
    "soymilk_maker": {"en": "soymilk maker", "zh": "豆浆机"},
    "air_purifier": {"en": "air purifier", "zh": "空气净化器"},
    "hair_dryer": {"en": "hair dryer", "zh": "吹风机"},
})

#: Payment methods (``orders.payment``).
PAYMENT_NAMES = Messages({
    "alipay": {"en": "Alipay", "zh": "支付宝"},
    "wechat_pay": {"en": "WeChat Pay", "zh": "微信支付"},
    "bank_card": {"en": "bank card", "zh": "银行卡"},
    "suning_pay": {"en": "Suning Pay", "zh": "苏宁支付"},
    "cash": {"en": "cash", "zh": "现金"},
    "installment": {"en": "instalments", "zh": "分期付款"},
})

#: Store formats as they appear in store names (the format's own label is in :data:`LABELS`).
_STORE_FORMAT_NAMES = {"flagship": {"en": "Flagship", "zh": "旗舰店"}, "standard": {"en": "Standard", "zh": "门店"},
                       "community": {"en": "Community", "zh": "社区店"}}

#: Column headers of the tables the lessons show, for :func:`display_names` (``headers=True``).
HEADERS = Messages({
    "customer_id": {"en": "customer_id", "zh": "客户编号"},
    "order_id": {"en": "order_id", "zh": "订单编号"},
    "order_ts": {"en": "order_ts", "zh": "下单时间"},
    "order_value": {"en": "order_value", "zh": "订单金额"},
    "store_id": {"en": "store_id", "zh": "门店编号"},
    "payment": {"en": "payment", "zh": "支付方式"},
    "coupon_id": {"en": "coupon_id", "zh": "优惠券编号"},
    "sku": {"en": "sku", "zh": "商品编号"},
    "name": {"en": "name", "zh": "名称"},
    "brand": {"en": "brand", "zh": "品牌"},
    "list_price": {"en": "list_price", "zh": "标价"},
    "category": {"en": "category", "zh": "品类"},
    "subcategory": {"en": "subcategory", "zh": "商品组"},
    "channel": {"en": "channel", "zh": "渠道"},
    "signup_channel": {"en": "signup_channel", "zh": "注册渠道"},
    "status": {"en": "status", "zh": "状态"},
    "format": {"en": "format", "zh": "门店类型"},
    "city": {"en": "city", "zh": "城市"},
    "city_name": {"en": "city_name", "zh": "城市名称"},
    "province": {"en": "province", "zh": "省份"},
    "province_name": {"en": "province_name", "zh": "省份名称"},
    "city_tier": {"en": "city_tier", "zh": "城市等级"},
    "item": {"en": "item", "zh": "商品组"},
    "anchor": {"en": "anchor", "zh": "主商品"},
    "antecedent": {"en": "antecedent", "zh": "前项"},
    "consequent": {"en": "consequent", "zh": "后项"},
    "support": {"en": "support", "zh": "支持度"},
    "confidence": {"en": "confidence", "zh": "置信度"},
    "lift": {"en": "lift", "zh": "提升度"},
    "ci_low": {"en": "ci_low", "zh": "置信区间下限"},
    "ci_high": {"en": "ci_high", "zh": "置信区间上限"},
    "customers": {"en": "customers", "zh": "客户数"},
    "share": {"en": "share", "zh": "占比"},
    "rows": {"en": "rows", "zh": "行数"},
    "value": {"en": "value", "zh": "值"},
    "n_orders": {"en": "n_orders", "zh": "订单数"},
    "n_partners": {"en": "n_partners", "zh": "搭配商品数"},
    "n_near_one": {"en": "n_near_one", "zh": "提升度约为1的个数"},
    "share_near_one": {"en": "share_near_one", "zh": "提升度约为1的比例"},
    "median_lift": {"en": "median_lift", "zh": "提升度中位数"},
    "max_lift": {"en": "max_lift", "zh": "最高提升度"},
    "max_confidence": {"en": "max_confidence", "zh": "最高置信度"},
    "n_rules": {"en": "n_rules", "zh": "规则数"},
    "is_decoy": {"en": "is_decoy", "zh": "是否为干扰项"},
    "quantity": {"en": "quantity", "zh": "估计量"},
    "estimate": {"en": "estimate", "zh": "估计值"},
    "truth": {"en": "truth", "zh": "真值"},
    "tolerance": {"en": "tolerance", "zh": "判断标准"},
})


def _read_places() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    import csv
    from importlib import resources

    cities: dict[str, dict[str, str]] = {}
    provinces: dict[str, dict[str, str]] = {}
    with (resources.files("crmlab") / "data" / "cities.csv").open("r", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            cities[row["city"]] = {"en": row["city_name_en"], "zh": row["city_name_zh"]}
            provinces[row["province"]] = {"en": row["province_name_en"], "zh": row["province_name_zh"]}
    return cities, provinces


#: Display names of the cities and provinces the simulator draws from (``crmlab/data/cities.csv``),
#: keyed by their codes; a province is named as in its own table (``江苏省``).
CITY_NAMES, PROVINCE_NAMES = (Messages(d) for d in _read_places())

#: Columns holding codes that :func:`display_names` replaces by their display names.
CODE_COLUMNS: tuple[str, ...] = ("category", "subcategory", "channel", "signup_channel", "status", "format",
                                 "payment", "city", "province", "item", "anchor", "antecedent", "consequent")


def _name(code: Any, lang: str) -> str | None:
    key = str(code)
    for catalogue in (LABELS, ITEM_NAMES, CITY_NAMES, PROVINCE_NAMES, PAYMENT_NAMES):
        if key in catalogue:
            return catalogue(key, lang)
    return None


def place_name(code: Any, lang: str = "en", *, province: bool = False) -> str:
    """Display name of a city (or, with ``province=True``, a province) code in ``lang``.

    Examples
    --------
    >>> place_name("nanjing", "zh"), place_name("jiangsu", "zh", province=True), place_name("beijing", "zh")
    ('南京', '江苏省', '北京')
    """
    check_lang(lang)
    catalogue = PROVINCE_NAMES if province else CITY_NAMES
    return catalogue(str(code), lang) if str(code) in catalogue else label(code, lang)


def store_name(city: Any, store_format: Any, number: int, lang: str = "en") -> str:
    """Display name of the ``number``-th store of a format in a city, as the simulator names stores.

    Examples
    --------
    >>> store_name("nanjing", "flagship", 1, "zh"), store_name("nanjing", "community", 2, "en")
    ('苏宁易购南京旗舰店1号', 'Suning Nanjing Community #2')
    """
    fmt = _STORE_FORMAT_NAMES.get(str(store_format), {"en": str(store_format).title(), "zh": str(store_format)})
    if lang == "zh":
        return f"苏宁易购{place_name(city, lang)}{fmt['zh']}{number}号"
    return f"Suning {place_name(city, check_lang(lang))} {fmt['en']} #{number}"


def display_names(table: Any, lang: str = "en", *, headers: bool = False, index: bool = True) -> Any:
    """A copy of ``table`` (a DataFrame) with its codes and names shown in ``lang``, for display only.

    * code columns (:data:`CODE_COLUMNS`: ``category``, ``city``, ``province``, ``channel``, rule
      sides, ...) become their display names (:func:`label`; provinces with their own names);
    * ``city_name`` and ``province_name`` follow the ``city`` and ``province`` codes (the data
      hold them in the dataset's locale); a product table's ``name`` becomes ``name_zh`` in Chinese
      (``name_zh`` is dropped); a store table's ``name`` is rebuilt in ``lang``;
    * with ``index=True`` an index named like a code column is relabelled too;
    * with ``headers=True`` known column names become Chinese in the ``"zh"`` edition.

    Keep the codes for computing; use this only for what is shown.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"city": ["nanjing", "suzhou"], "city_name": ["南京", "苏州"],
    ...                   "province": ["jiangsu", "jiangsu"], "category": ["tv", "wall_bracket"]})
    >>> display_names(t, "en").to_numpy().tolist()
    [['Nanjing', 'Nanjing', 'Jiangsu', 'TV'], ['Suzhou', 'Suzhou', 'Jiangsu', 'wall bracket']]
    >>> display_names(t, "zh", headers=True).columns.tolist()
    ['城市', '城市名称', '省份', '品类']
    >>> display_names(t, "zh")["province"].tolist()
    ['江苏省', '江苏省']
    >>> p = pd.DataFrame({"sku": ["TV0000"], "name": ["Hisense TV 43-inch"], "name_zh": ["海信 电视 43英寸"]})
    >>> display_names(p, "zh")["name"].tolist(), list(display_names(p, "en").columns)
    (['海信 电视 43英寸'], ['sku', 'name'])
    """
    check_lang(lang)
    out = table.copy()

    def show(column: str, values: Any) -> Any:
        if column == "province":
            return [place_name(v, lang, province=True) for v in values]
        return [_name(v, lang) or str(v).replace("_", " ") for v in values]

    if "name" in out.columns and "name_zh" in out.columns:  # products: names in both languages
        if lang == "zh":
            out["name"] = out["name_zh"].where(out["name_zh"].astype(str).str.len() > 0, out["name"])
    if "name_zh" in out.columns:
        out = out.drop(columns="name_zh")
    if {"name", "store_id", "format", "city"} <= set(out.columns):  # stores: rebuild the name
        number = out["name"].astype(str).str.extract(r"(\d+)\D*$")[0]
        out["name"] = [store_name(c, f, n, lang) if isinstance(n, str) else s
                       for c, f, n, s in zip(out["city"], out["format"], number, out["name"])]
    for name_col, code_col, prov in (("city_name", "city", False), ("province_name", "province", True)):
        if name_col in out.columns and code_col in out.columns:
            out[name_col] = [place_name(v, lang, province=prov) for v in out[code_col]]
    for col in CODE_COLUMNS:
        if col in out.columns:
            out[col] = show(col, out[col])
    if index and out.index.name in CODE_COLUMNS:
        out.index = out.index.map(dict(zip(out.index, show(out.index.name, out.index))))
    if headers and lang == "zh":
        out = out.rename(columns=lambda c: HEADERS(c, lang) if c in HEADERS else c)
        if out.index.name in HEADERS:
            out.index.name = HEADERS(out.index.name, lang)
    return out


__all__ += ["ITEM_NAMES", "PAYMENT_NAMES", "CITY_NAMES", "PROVINCE_NAMES", "HEADERS", "CODE_COLUMNS", "place_name", "store_name",
            "display_names"]
