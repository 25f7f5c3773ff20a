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

__all__ = ["LANGUAGES", "check_lang", "Messages", "LABELS", "label", "labels"]

#: The editions of the course.
LANGUAGES: tuple[str, ...] = ("en", "zh")


def check_lang(lang: Any) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, got {lang!r}")
    return lang


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
    "standard": {"en": "standard", "zh": "标准"},
    "community": {"en": "community", "zh": "社区店"},
    "gold": {"en": "gold", "zh": "金卡"},
    "platinum": {"en": "platinum", "zh": "白金卡"},
    # survey: competitors the respondents also use
    "gome": {"en": "Gome", "zh": "国美"},
    "jd": {"en": "JD", "zh": "京东"},
    "tmall": {"en": "Tmall", "zh": "天猫"},
})


def label(code: Any, lang: str = "en") -> str:
    """Display name of a data code in ``lang``; unknown codes are shown with spaces for underscores."""
    check_lang(lang)
    key = str(code)
    if key in LABELS:
        return LABELS(key, lang)
    return key.replace("_", " ")


def labels(codes: Any, lang: str = "en") -> list[str]:
    """:func:`label` of each code (e.g. an index, for axis tick labels)."""
    return [label(c, lang) for c in codes]
