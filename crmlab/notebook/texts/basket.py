"""Sentences and figure titles of lesson 05 (market basket analysis), in English and Chinese.

Findings are claims (:mod:`crmlab.analysis.claims`); a figure title is the
claim ``ID.title`` built from the same estimate. The cross-sell claims share
the sentences of ``basket.cross_sell`` (the notebook gives each anchor its own
claim id).

Examples
--------
>>> from crmlab.analysis.claims import directional
>>> from crmlab.notebook.texts.basket import MESSAGES
>>> from crmlab.notebook.texts.basket import item_label
>>> c = directional("basket.cross_sell", (6.2, 5.6, 6.9), MESSAGES, null=1.0, anchor=item_label("tv"),
...                 item=item_label("wall_bracket"))
>>> c.text
'TV → wall bracket: lift 6.2 (95% CI 5.6 to 6.9): baskets with TV contain wall bracket 6.2 times as often as the average basket.'
>>> item_label("wall_bracket", "zh")
'电视挂架'
"""

from __future__ import annotations

from ...i18n import ITEM_NAMES, Messages, check_lang, label

__all__ = ["MESSAGES", "ITEM_LABELS", "item_label"]

#: Display names of the item groups (``products.subcategory``) that are not categories (kept in
#: :mod:`crmlab.i18n`, which :func:`~crmlab.i18n.label` consults).
ITEM_LABELS = ITEM_NAMES


def item_label(code: str, lang: str = "en") -> str:
    """Display name of an item group (subcategory or category) in ``lang``; several items joined by " + "."""
    check_lang(lang)
    parts = [p.strip() for p in str(code).split(" + ")]
    return " + ".join(label(p, lang) for p in parts)

MESSAGES = Messages({
    "baskets": {"en": "{n:,} baskets (completed orders), {k} item groups; mean {mean:.2f} items, {single:.0%} "
                      "single-item baskets",
                "zh": "{n:,} 个购物篮（已完成订单），{k} 个商品组；平均每篮 {mean:.2f} 个商品组，{single:.0%} 为单品购物篮"},
    # item support
    "basket.top_item_support.up": {
        "en": "The most common item group, {item}, is in most baskets: {estimate:.0%} ({level:.0%} CI {ci_low:.0%} to "
              "{ci_high:.0%}).",
        "zh": "最常见的商品组“{item}”出现在大多数购物篮中：{estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}）。"},
    "basket.top_item_support.down": {
        "en": "No item group is in most baskets: the most common, {item}, is in {estimate:.0%} of them ({level:.0%} CI "
              "{ci_low:.0%} to {ci_high:.0%}).",
        "zh": "没有哪个商品组出现在大多数购物篮中：最常见的“{item}”占 {estimate:.0%}（{level:.0%} 置信区间 "
              "{ci_low:.0%} 至 {ci_high:.0%}）。"},
    "basket.top_item_support.unclear": {
        "en": "The most common item group, {item}, is in {estimate:.0%} of the baskets ({level:.0%} CI {ci_low:.0%} to "
              "{ci_high:.0%}): the data cannot tell whether that is most of them.",
        "zh": "最常见的商品组“{item}”出现在 {estimate:.0%} 的购物篮中（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}）：数据无法判断是否过半。"},
    "basket.top_item_support.title.up": {"en": "{item} is in most baskets", "zh": "“{item}”出现在大多数购物篮中"},
    "basket.top_item_support.title.down": {"en": "No item group is in most baskets; the most common: {item}",
                                           "zh": "没有商品组出现在大多数购物篮中；最常见的是“{item}”"},
    "basket.top_item_support.title.unclear": {"en": "{item} is in about half of the baskets",
                                              "zh": "“{item}”出现在约一半的购物篮中"},
    "support.x": {"en": "item group", "zh": "商品组"},
    "support.y": {"en": "support (share of baskets)", "zh": "支持度（购物篮占比）"},
    # rules
    "n_rules": {"en": "{n} rules with support >= {min_support:.0%} and lift >= 1",
                "zh": "支持度 >= {min_support:.0%} 且提升度 >= 1 的规则共 {n} 条"},
    "decoys.in_list": {"en": "Flagged decoy(s) in this confidence-sorted list: {items}.",
                       "zh": "此按置信度排序的列表中被标记的高频干扰项：{items}。"},
    "decoys.not_in_list": {"en": "No flagged decoy in this confidence-sorted list.",
                           "zh": "此按置信度排序的列表中没有被标记的高频干扰项。"},
    "list.sep": {"en": "; ", "zh": "；"},
    "decoy.rule": {"en": "{item} (lift {lift:.2f} after {antecedent})", "zh": "{item}（在{antecedent}之后，提升度 {lift:.2f}）"},
    "rules.title": {"en": "Rules: confidence against support, coloured by lift",
                    "zh": "关联规则：置信度与支持度，颜色表示提升度"},
    "rules.x": {"en": "support (share of baskets)", "zh": "支持度（购物篮占比）"},
    "rules.y": {"en": "confidence", "zh": "置信度"},
    "lift": {"en": "lift", "zh": "提升度"},
    # decoys
    "decoy.flagged": {
        "en": "Flagged as a decoy: {item} - in {support:.0%} of baskets; its lift with its {n} partners has median "
              "{median:.2f} (highest {max:.2f}).",
        "zh": "被标记为高频干扰项：{item}——出现在 {support:.0%} 的购物篮中；与 {n} 个搭配商品的提升度中位数为 "
              "{median:.2f}（最高 {max:.2f}）。"},
    "decoy.none": {"en": "No item is flagged as a decoy.", "zh": "没有商品被标记为高频干扰项。"},
    # cross-selling
    "cross.excluded": {"en": "Left out of the recommendations as flagged decoys: {items}.",
                       "zh": "作为高频干扰项从推荐中剔除：{items}。"},
    "basket.cross_sell.up": {
        "en": "{anchor} → {item}: lift {estimate:.1f} ({level:.0%} CI {ci_low:.1f} to {ci_high:.1f}): baskets with "
              "{anchor} contain {item} {estimate:.1f} times as often as the average basket.",
        "zh": "{anchor} → {item}：提升度 {estimate:.1f}（{level:.0%} 置信区间 {ci_low:.1f} 至 {ci_high:.1f}）："
              "含{anchor}的购物篮中出现{item}的比例是平均购物篮的 {estimate:.1f} 倍。"},
    "basket.cross_sell.down": {
        "en": "{anchor} → {item}: lift {estimate:.2f} ({level:.0%} CI {ci_low:.2f} to {ci_high:.2f}): baskets with "
              "{anchor} contain {item} less often than the average basket.",
        "zh": "{anchor} → {item}：提升度 {estimate:.2f}（{level:.0%} 置信区间 {ci_low:.2f} 至 {ci_high:.2f}）："
              "含{anchor}的购物篮中出现{item}的比例低于平均购物篮。"},
    "basket.cross_sell.unclear": {
        "en": "{anchor} → {item}: lift {estimate:.2f} ({level:.0%} CI {ci_low:.2f} to {ci_high:.2f}): the data "
              "cannot tell whether {anchor} makes {item} more likely.",
        "zh": "{anchor} → {item}：提升度 {estimate:.2f}（{level:.0%} 置信区间 {ci_low:.2f} 至 {ci_high:.2f}）："
              "数据无法判断{anchor}是否提高了{item}的购买可能。"},
    "cross.none": {"en": "no rules to recommend from", "zh": "没有可用于推荐的规则"},
    # time of day
    "basket.evening_lean.up": {
        "en": "Orders with {item} lean to the evening online: evening share / daytime share = {estimate:.2f} "
              "({level:.0%} CI {ci_low:.2f} to {ci_high:.2f}).",
        "zh": "含{item}的线上订单偏向晚间：晚间占比 / 白天占比 = {estimate:.2f}（{level:.0%} 置信区间 {ci_low:.2f} 至 "
              "{ci_high:.2f}）。"},
    "basket.evening_lean.down": {
        "en": "No category leans to the evening online: even the highest ratio, {item}'s, is {estimate:.2f} "
              "({level:.0%} CI {ci_low:.2f} to {ci_high:.2f}).",
        "zh": "没有品类的线上订单偏向晚间：比值最高的{item}也只有 {estimate:.2f}（{level:.0%} 置信区间 {ci_low:.2f} 至 "
              "{ci_high:.2f}）。"},
    "basket.evening_lean.unclear": {
        "en": "The highest evening/daytime ratio online is {item}'s, {estimate:.2f} ({level:.0%} CI {ci_low:.2f} to "
              "{ci_high:.2f}): the data cannot tell whether it leans to the evening.",
        "zh": "线上晚间/白天比值最高的是{item}：{estimate:.2f}（{level:.0%} 置信区间 {ci_low:.2f} 至 {ci_high:.2f}）："
              "数据无法判断它是否偏向晚间。"},
    "basket.evening_lean.title.up": {"en": "Orders with {item} lean to the evening online",
                                     "zh": "含{item}的线上订单偏向晚间"},
    "basket.evening_lean.title.down": {"en": "No category leans to the evening online", "zh": "没有品类的线上订单偏向晚间"},
    "basket.evening_lean.title.unclear": {"en": "Evening vs daytime online: no category clearly leans to the evening",
                                          "zh": "线上晚间与白天：没有品类明显偏向晚间"},
    "tod.x": {"en": "product category", "zh": "商品品类"},
    "tod.y": {"en": "evening share / daytime share (95% CI)", "zh": "晚间占比 / 白天占比（95% 置信区间）"},
    "tod.skipped": {"en": "no product categories or no time of day in the data: time-of-day profile skipped",
                    "zh": "数据中没有商品品类或下单时刻：跳过分时段分析"},
    # result
    "strongest": {"en": "strongest rules by lift:", "zh": "提升度最高的规则："},
    "rule.line": {"en": "  {a} -> {b}: lift {lift:.1f} ({level:.0%} CI {lo:.1f} to {hi:.1f}), confidence {conf:.0%}, "
                        "support {sup:.1%}",
                  "zh": "  {a} -> {b}：提升度 {lift:.1f}（{level:.0%} 置信区间 {lo:.1f} 至 {hi:.1f}），置信度 {conf:.0%}，"
                        "支持度 {sup:.1%}"},
    # truth check
    "truth.lift": {"en": "lift {a} -> {b} (truth: the planted rule in these baskets)",
                   "zh": "提升度 {a} -> {b}（真值：模拟规则在这些购物篮中的提升度）"},
    "truth.decoy": {"en": "decoy item", "zh": "高频干扰项"},
    "truth.flagged": {"en": "flagged", "zh": "已标记"},
    "truth.evening": {"en": "category claimed to lean to the evening (truth: planted categories)",
                      "zh": "判断为偏向晚间的品类（真值：模拟设定的品类）"},
    "truth.among": {"en": "among them", "zh": "属于其中"},
    "truth.covers": {"en": "CI should cover", "zh": "置信区间应覆盖真值"},
    "truth.none": {"en": "no truth available (real data)", "zh": "没有真值（真实数据）"},
    "results": {"en": "results written: {keys}", "zh": "结果已写入：{keys}"},
    # exercise feedback (visible checks; they never show the expected value)
    "ex.number": {"en": "store a number (a Python float), not a Series or a table",
                  "zh": "请保存一个数值（Python 的 float），而不是 Series 或表格"},
    "ex.count": {"en": "store a whole number (a Python int)", "zh": "请保存一个整数（Python 的 int）"},
    "ex.lift_positive": {"en": "a lift is a ratio of shares: it is positive", "zh": "提升度是比例之比，应为正数"},
    "ex1.level": {"en": "this is the lift of the item groups (subcategories); the question asks for whole categories",
                  "zh": "这是商品组（子类）层面的提升度；题目问的是整个品类层面"},
    "ex2.range": {"en": "the count cannot exceed the number of rules in `rules`",
                  "zh": "计数不能超过 `rules` 中的规则数"},
    "ex3.all": {"en": "this is the lift in all baskets; keep only the baskets of app orders",
                "zh": "这是全部购物篮中的提升度；只保留手机客户端订单的购物篮"},
})
