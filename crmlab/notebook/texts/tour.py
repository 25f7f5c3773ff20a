"""Sentences and figure titles of lesson 00 (the data tour), in English and Chinese.

Findings are claims (:mod:`crmlab.analysis.claims`); a figure title is the
claim ``ID.title`` built from the same estimate. The festival-day claims
(``tour.618``, ``tour.double11``) share the sentences of ``tour.festival_day``.

Examples
--------
>>> from crmlab.analysis.claims import directional
>>> from crmlab.notebook.texts.tour import MESSAGES
>>> directional("tour.cny_run_up.title", (1.45, 1.3, 1.6), MESSAGES, null=1.0, lang="zh").text
'春节前三周订单增多'
"""

from __future__ import annotations

from ...i18n import Messages, interval_phrase

__all__ = ["MESSAGES"]

_RATIO_CI = {"en": f"({interval_phrase('.2f')['en']}, quasi-Poisson regression)",
             "zh": f"（{interval_phrase('.2f')['zh']}，拟泊松回归）"}

MESSAGES = Messages({
    # festivals
    "festival.chinese_new_year": {"en": "Chinese New Year", "zh": "春节"},
    "festival.618": {"en": "618", "zh": "618"},
    "festival.double11": {"en": "Double 11", "zh": "双十一"},
    "festival.double12": {"en": "Double 12", "zh": "双十二"},
    "festival.run_up": {"en": "3 weeks before New Year", "zh": "春节前三周"},
    # channels
    "tour.app_share.up": {
        "en": "The app's share of completed orders grows: from {first:.0%} in the first {months} months to {last:.0%} "
              "in the last {months}, {estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}).",
        "zh": "手机客户端在已完成订单中的占比上升：从最初 {months} 个月的 {first:.0%} 升至最后 {months} 个月的 "
              "{last:.0%}，变化 {estimate:+.1%}（{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）。"},
    "tour.app_share.down": {
        "en": "The app's share of completed orders shrinks: from {first:.0%} in the first {months} months to "
              "{last:.0%} in the last {months}, {estimate:+.1%} ({level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}).",
        "zh": "手机客户端在已完成订单中的占比下降：从最初 {months} 个月的 {first:.0%} 降至最后 {months} 个月的 "
              "{last:.0%}，变化 {estimate:+.1%}（{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）。"},
    "tour.app_share.unclear": {
        "en": "The app's share of completed orders: {first:.0%} in the first {months} months, {last:.0%} in the last "
              "{months} ({estimate:+.1%}, {level:.0%} CI {ci_low:+.1%} to {ci_high:+.1%}): the data cannot tell "
              "whether it changed.",
        "zh": "手机客户端在已完成订单中的占比：最初 {months} 个月为 {first:.0%}，最后 {months} 个月为 {last:.0%}"
              "（{estimate:+.1%}，{level:.0%} 置信区间 {ci_low:+.1%} 至 {ci_high:+.1%}）：数据无法判断是否有变化。"},
    "tour.app_share.title.up": {"en": "The app's share of orders grows", "zh": "手机客户端的订单占比上升"},
    "tour.app_share.title.down": {"en": "The app's share of orders shrinks", "zh": "手机客户端的订单占比下降"},
    "tour.app_share.title.unclear": {"en": "The app's share of orders: no clear change",
                                     "zh": "手机客户端的订单占比：没有明确变化"},
    "channels.x": {"en": "month", "zh": "月份"},
    "channels.y": {"en": "share of completed orders", "zh": "占已完成订单的比例"},
    # seasonality
    "tour.cny_run_up.up": {
        "en": "Orders rise in the three weeks before Chinese New Year: {estimate:.2f} times the daily orders of the "
              "four weeks before and after " + _RATIO_CI["en"] + ".",
        "zh": "春节前三周订单增多：日均订单是前后各四周的 {estimate:.2f} 倍" + _RATIO_CI["zh"] + "。"},
    "tour.cny_run_up.down": {
        "en": "Orders fall in the three weeks before Chinese New Year: {estimate:.2f} times the daily orders of the "
              "four weeks before and after " + _RATIO_CI["en"] + ".",
        "zh": "春节前三周订单减少：日均订单是前后各四周的 {estimate:.2f} 倍" + _RATIO_CI["zh"] + "。"},
    "tour.cny_run_up.unclear": {
        "en": "The three weeks before Chinese New Year: {estimate:.2f} times the daily orders of the four weeks "
              "before and after " + _RATIO_CI["en"] + ": the data cannot tell whether there is a run-up.",
        "zh": "春节前三周的日均订单是前后各四周的 {estimate:.2f} 倍" + _RATIO_CI["zh"] + "：数据无法判断是否存在节前"
              "购物高峰。"},
    "tour.cny_run_up.title.up": {"en": "Orders rise in the three weeks before Chinese New Year",
                                 "zh": "春节前三周订单增多"},
    "tour.cny_run_up.title.down": {"en": "Orders fall in the three weeks before Chinese New Year",
                                   "zh": "春节前三周订单减少"},
    "tour.cny_run_up.title.unclear": {"en": "Daily orders with the festivals marked: no clear New Year run-up",
                                      "zh": "日订单量与购物节：春节前没有明确的购物高峰"},
    "tour.festival_day.up": {
        "en": "{festival} lifts orders: {estimate:.1f} times the daily orders of the four weeks around its promotion "
              "period " + _RATIO_CI["en"] + ".",
        "zh": "{festival}带动订单增加：当天订单是其促销期前后四周日均的 {estimate:.1f} 倍" + _RATIO_CI["zh"] + "。"},
    "tour.festival_day.down": {
        "en": "{festival} has fewer orders: {estimate:.2f} times the daily orders of the four weeks around its "
              "promotion period " + _RATIO_CI["en"] + ".",
        "zh": "{festival}当天订单反而较少：是其促销期前后四周日均的 {estimate:.2f} 倍" + _RATIO_CI["zh"] + "。"},
    "tour.festival_day.unclear": {
        "en": "{festival}: {estimate:.2f} times the daily orders of the four weeks around its promotion period "
              + _RATIO_CI["en"] + ": the data cannot tell whether it lifts orders.",
        "zh": "{festival}：当天订单是其促销期前后四周日均的 {estimate:.2f} 倍" + _RATIO_CI["zh"]
              + "：数据无法判断它是否带动了订单。"},
    "season.x": {"en": "date", "zh": "日期"},
    "season.y": {"en": "completed orders per day", "zh": "每日已完成订单数"},
    "season.average": {"en": "28-day average", "zh": "28 天移动平均"},
    # repeat buying
    "tour.one_or_two.up": {
        "en": "Most customers buy once or twice: {estimate:.0%} of the customers with a completed order "
              "({level:.0%} CI {ci_low:.0%} to {ci_high:.0%}).",
        "zh": "大多数客户只购买一两次：占有已完成订单客户的 {estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}）。"},
    "tour.one_or_two.down": {
        "en": "Most customers buy three times or more: only {estimate:.0%} buy once or twice ({level:.0%} CI "
              "{ci_low:.0%} to {ci_high:.0%}).",
        "zh": "大多数客户购买三次或以上：只购买一两次的仅占 {estimate:.0%}（{level:.0%} 置信区间 {ci_low:.0%} 至 "
              "{ci_high:.0%}）。"},
    "tour.one_or_two.unclear": {
        "en": "{estimate:.0%} of the customers buy once or twice ({level:.0%} CI {ci_low:.0%} to {ci_high:.0%}): the "
              "data cannot tell whether that is most of them.",
        "zh": "{estimate:.0%} 的客户只购买一两次（{level:.0%} 置信区间 {ci_low:.0%} 至 {ci_high:.0%}）：数据无法判断"
              "是否过半。"},
    "tour.one_or_two.title.up": {"en": "Most customers buy once or twice", "zh": "大多数客户只购买一两次"},
    "tour.one_or_two.title.down": {"en": "Most customers buy three times or more", "zh": "大多数客户购买三次或以上"},
    "tour.one_or_two.title.unclear": {"en": "About half of the customers buy once or twice",
                                      "zh": "约一半客户只购买一两次"},
    "orders.x": {"en": "completed orders per customer", "zh": "每位客户的已完成订单数"},
    "orders.y": {"en": "share of customers", "zh": "客户比例"},
    # truth
    "truth.scenario": {"en": "scenario: {n:,} customers, {start} to {end}", "zh": "情景：{n:,} 位客户，{start} 至 {end}"},
    "truth.segments": {"en": "planted segments: {names}", "zh": "模拟设定的客户细分：{names}"},
    "truth.cny": {"en": "New Year run-up (truth: the same estimator on the planted calendar {value:.3f}): "
                        "{estimate:.3f} [{ci_low:.3f}, {ci_high:.3f}]",
                  "zh": "春节前购物高峰（真值：同一估计方法用于模拟日历 {value:.3f}）：{estimate:.3f} "
                        "[{ci_low:.3f}, {ci_high:.3f}]"},
    "truth.none": {"en": "no truth available (real data)", "zh": "没有真值（真实数据）"},
    "results": {"en": "results written: {keys}", "zh": "结果已写入：{keys}"},
    # data-quality checks (section 3)
    "check.no_customer": {"en": "orders without a customer", "zh": "没有客户编号的订单"},
    "check.duplicates": {"en": "duplicate order ids", "zh": "重复的订单编号"},
    "check.cancelled": {"en": "cancelled orders (share)", "zh": "已取消订单（占比）"},
    "check.returned": {"en": "returned orders (share)", "zh": "已退货订单（占比）"},
    "check.first": {"en": "first order", "zh": "最早订单"},
    "check.last": {"en": "last order", "zh": "最晚订单"},
    "value": {"en": "value", "zh": "值"},
    "rows": {"en": "rows", "zh": "行数"},
    # where the customers live (section 8)
    "places.title": {"en": "Customers by province (top ten)", "zh": "各省份客户数（前十个省份）"},
    "places.x": {"en": "province", "zh": "省份"},
    "places.y": {"en": "customers", "zh": "客户数"},
    "places.tier": {"en": "city tier", "zh": "城市等级"},
    "stores.table": {"en": "stores by format and city tier", "zh": "按门店类型和城市等级统计的门店数"},
    # exercise feedback (visible checks; they never show the expected value)
    "ex.number": {"en": "store a number (a Python float), not a Series or a table",
                  "zh": "请保存一个数值（Python 的 float），而不是 Series 或表格"},
    "ex.share": {"en": "a share lies between 0 and 1: did you give a percentage or a count?",
                 "zh": "比例应在 0 到 1 之间：你是否给出了百分数或计数？"},
    "ex1.cohort": {"en": "this is the share among all customers: keep only those whose first completed order was in "
                         "the first year of the data", "zh": "这是全部客户中的比例：只保留首次完成订单在数据第一年的客户"},
    "ex1.status": {"en": "count completed orders only (cancelled and returned orders are not purchases)",
                   "zh": "只计算已完成订单（已取消和已退货的订单不算购买）"},
    "ex2.count": {"en": "this is the share of orders; the question asks for the share of revenue",
                  "zh": "这是订单数的占比；题目问的是销售额的占比"},
    "ex2.status": {"en": "use completed orders only: cancelled and returned orders bring no revenue",
                   "zh": "只使用已完成订单：已取消和已退货的订单没有带来销售额"},
    "ex3.positive": {"en": "a ratio of two mean revenues is positive", "zh": "两个平均销售额之比应为正数"},
    "ex3.per_order": {"en": "this compares mean order values; the question asks for revenue per customer (sum each "
                            "customer's orders first)",
                      "zh": "这比较的是平均订单金额；题目问的是每位客户的销售额（先把每位客户的订单加总）"},
    # the stylized facts (keys of crmlab.realism.FACT_LABELS)
    "fact.n_customers": {"en": "customers", "zh": "客户数"},
    "fact.n_purchasers": {"en": "customers with a completed order", "zh": "有已完成订单的客户数"},
    "fact.n_orders": {"en": "orders", "zh": "订单数"},
    "fact.date_min": {"en": "first order", "zh": "最早订单"},
    "fact.date_max": {"en": "last order", "zh": "最晚订单"},
    "fact.one_time_buyer_share": {"en": "one-time buyers (share of purchasers)", "zh": "一次性购买者（占购买客户的比例）"},
    "fact.top20_revenue_share": {"en": "revenue share of the top 20% of customers", "zh": "前 20% 客户的销售额占比"},
    "fact.orders_per_customer": {"en": "orders per purchaser (mean)", "zh": "每位购买客户的订单数（均值）"},
    "fact.median_interpurchase_days": {"en": "median days between orders", "zh": "两次订单间隔天数（中位数）"},
    "fact.p90_interpurchase_days": {"en": "90th percentile of days between orders",
                                    "zh": "两次订单间隔天数（第 90 百分位数）"},
    "fact.lines_per_order": {"en": "lines per order (mean)", "zh": "每笔订单的明细行数（均值）"},
    "fact.single_line_share": {"en": "single-line orders (share)", "zh": "单行订单（占比）"},
    # the contract table (section 2)
    "contract.column": {"en": "column", "zh": "列"},
    "contract.type": {"en": "type", "zh": "类型"},
    "contract.meaning": {"en": "meaning", "zh": "含义（契约原文）"},
})
