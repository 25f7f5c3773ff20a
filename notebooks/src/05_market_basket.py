# %% [markdown]
# # 05 · Market basket analysis: what sells together, and what only looks like it
#
# **Question.** Which products do customers buy together, and which of those pairs are worth a
# cross-sell offer (交叉销售) at the till or on the app?
#
# **Method.** Turn order lines into baskets, mine frequent itemsets with *apriori* and derive
# association rules (mlxtend); rank them by lift, not by confidence; flag popular "decoy" items;
# look at when baskets are filled (time of day).
#
# **Contents.** *Theory*: support, confidence, lift; the "beer and diapers" legend; the decoy trap.
# *Practical*: baskets → item support → rules → decoys → cross-sell lists → time of day.
# *Result*, *Discussion*, *Quiz*, *check against the truth*.
#
# **References.** Agrawal, Imieliński & Swami (1993) *SIGMOD*; Brin et al. (1997) *SIGMOD*;
# Power (2002) "What is the true story about data mining, beer and diapers?", *DSS News* 3(23).

# %% [markdown] lang="zh"
# # 05 · 购物篮分析：哪些商品一起卖，哪些只是看起来如此
#
# **问题。** 客户会把哪些商品放进同一个购物篮？其中哪些组合值得在收银台或手机客户端上做交叉销售？
#
# **方法。** 把订单明细转成购物篮，用 *Apriori* 算法挖掘频繁项集并推导关联规则（mlxtend）；按提升度而不是
# 置信度排序；标记常见的"高频干扰项"；观察购物篮在一天中什么时候形成（分时段）。
#
# **内容。** *理论*：支持度、置信度、提升度；"啤酒与尿布"的传说；高频干扰项陷阱。
# *实践*：购物篮 → 商品支持度 → 关联规则 → 高频干扰项 → 交叉销售清单 → 分时段。
# 随后是*结果*、案例讨论（沃尔玛啤酒与尿片的故事）、*讨论*、*测验*、*练习*、一项书面作业，最后是*与真值对照*。
#
# **参考资料。** Agrawal, Imieliński & Swami (1993) *SIGMOD*；Brin 等 (1997) *SIGMOD*；
# Power (2002) "What is the true story about data mining, beer and diapers?", *DSS News* 3(23)。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * *compute* support, confidence and lift from a basket matrix, by hand and with apriori;
# * *interpret* a rule by its lift and its confidence interval, and *recognise* a decoy item;
# * *decide* which rules are worth a cross-sell test, and at which item level;
# * *discuss* the beer-and-diapers case: how such data are mined, what makes it CRM, sharing data with
#   suppliers, and everyday low prices against CRM.
#
# **Prerequisites.** Lesson 00 (tables, joins, completed orders); conditional probability.
#
# **Time.** About 100 minutes: 55 in class (with the case discussion), 45 for the exercises and the
# written task.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课后，你能够
# * 根据购物篮矩阵手工*计算*支持度、置信度和提升度，也能用 Apriori 算法计算；
# * 根据提升度及其置信区间*解读*一条规则，并*识别*高频干扰项；
# * *决定*哪些规则值得做交叉销售测试，以及在哪个商品层级上做；
# * *讨论*啤酒与尿布案例：这类数据是怎样挖掘的、它为什么属于客户关系管理、与供应商共享数据，以及天天平价
#   与客户关系管理的关系。
#
# **先修知识。** 第 00 课（表、关联、已完成订单）；条件概率。
#
# **时间。** 约 100 分钟：课堂 55 分钟（含案例讨论），练习与书面作业 45 分钟。
#
# 术语见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# A basket is the set of items in one order. For a rule $A \Rightarrow B$ over $N$ baskets:
#
# * **support** $s = P(A \cap B)$: how common the pair is;
# * **confidence** $c = P(B \mid A) = s / P(A)$: how often $A$ brings $B$;
# * **lift** $l = c / P(B) = P(A \cap B) / (P(A)P(B))$: how much $A$ raises the chance of $B$
#   above its base rate. $l = 1$ means independence; lift is symmetric in $A$ and $B$.
#
# **The legend.** Textbooks (and the course notes) tell that Walmart found beer and diapers in
# the same baskets and put them side by side. The analysis was a 1992 query by Osco Drug with NCR;
# nobody moved a shelf. Treat it as a story about *looking*, not a result.
#
# **The decoy trap.** An item in 16% of all baskets has confidence ≈ 0.16 after *any*
# antecedent, so it shows up in many "strong" rules sorted by confidence - with lift ≈ 1.
# Rules worth acting on have lift well above 1 *and* enough support to matter.

# %% [markdown] lang="zh"
# ## 理论
#
# 一个购物篮就是一笔订单中的商品集合。对于 $N$ 个购物篮上的规则 $A \Rightarrow B$：
#
# * **支持度** $s = P(A \cap B)$：这一组合有多常见；
# * **置信度** $c = P(B \mid A) = s / P(A)$：买了 $A$ 的购物篮中有多大比例也有 $B$；
# * **提升度** $l = c / P(B) = P(A \cap B) / (P(A)P(B))$：$A$ 使 $B$ 出现的可能比其基础比例高出多少。
#   $l = 1$ 表示相互独立；提升度对 $A$ 和 $B$ 是对称的。
#
# **传说。** 教科书（以及课程资料）里说，沃尔玛发现啤酒和尿布常出现在同一个购物篮里，于是把它们摆在一起。
# 实际上那是 1992 年 Osco Drug 与 NCR 做的一次查询，并没有人因此调整货架。把它当作一个关于"去看数据"的
# 故事，而不是一个结论。
#
# **高频干扰项陷阱。** 一件出现在 16% 购物篮中的商品，在*任何*前项之后的置信度都约为 0.16，因此它会出现在
# 许多按置信度排序的"强"规则里——但提升度约为 1。值得采取行动的规则，提升度要明显大于 1，*并且*支持度要
# 足够大。

# %% [markdown]
# ## Practical
#
# ### Parameters

# %% [markdown] lang="zh"
# ## 实践
#
# ### 参数

# %% tags=["parameters"]
data_dir = None
preset = "classroom"
seed = 0
n_customers = None
as_of = "2025-12-31"
output_dir = "."
min_support = 0.01
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import basket
from crmlab.analysis.basket_timing import time_of_day_profile
from crmlab.analysis.claims import claims_json, directional
from crmlab.i18n import display_names
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.basket import MESSAGES as T, item_label

plots.set_theme()
pd.set_option("display.precision", 3)

# %% [markdown]
# ### 1. Baskets
# One row per order, one True/False column per item group (`products.subcategory`: tv,
# wall_bracket, phone_case, ...). Only completed orders count - the project's one rule
# (`crmlab.domain.COUNTED_STATUSES`), so cancelled and returned orders are left out, and so are
# cancellation lines (negative quantities in real extracts). On a real extract without
# subcategories use `level="category"` or `level="sku"`.

# %% [markdown] lang="zh"
# ### 1. 购物篮
# 每笔订单一行，每个商品组（`products.subcategory`：tv、wall_bracket、phone_case……）一列 True/False。
# 只计算已完成订单——这是本项目唯一的规则（`crmlab.domain.COUNTED_STATUSES`），因此已取消和已退货的订单
# 不计入，取消行（真实数据中的负数量）也不计入。真实数据如果没有子类，可以用 `level="category"` 或
# `level="sku"`。

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "order_items"], purpose="market-basket analysis")
products = data["products"] if "products" in data else None
level = "subcategory" if products is not None and "subcategory" in products else ("category" if products is not None else "sku")
matrix = basket.basket_matrix(data.order_items, products, level=level, orders=data.orders)  # completed orders
sizes = matrix.sum(axis=1)
print(T("baskets", lang, n=len(matrix), k=matrix.shape[1], mean=sizes.mean(), single=(sizes == 1).mean()))
claims = []  # the findings of this run, each with its interval (saved in results.json)

# %%
item_sup = basket.item_support(matrix)  # with Wilson intervals
top_item = item_sup.iloc[0]
top_est = tuple(top_item[["support", "ci_low", "ci_high"]])
claims.append(directional("basket.top_item_support", top_est, T, null=0.5, lang=lang,
                          item=item_label(top_item["item"], lang), detail={"item": top_item["item"]}))
support = item_sup.head(15).set_index("item")["support"]
plots.bar(support.rename(index=lambda i: item_label(i, lang)),
          directional("basket.top_item_support.title", top_est, T, null=0.5, lang=lang,
                      item=item_label(top_item["item"], lang)).text,
          T("support.x", lang), T("support.y", lang), fmt=".0%")
plt.show()
print(claims[-1].text)

# %% [markdown]
# ### 2. Association rules
# Apriori finds every itemset with support ≥ `min_support`; rules are derived from them. We keep
# rules with lift ≥ 1 and pairs only (one item on each side), which is what a cross-sell needs.

# %% [markdown] lang="zh"
# ### 2. 关联规则
# Apriori 算法找出所有支持度 ≥ `min_support` 的项集，再由它们推导出规则。我们只保留提升度 ≥ 1 且只含两件
# 商品（每边一件）的规则，这正是交叉销售所需要的。

# %%
rules = basket.association_rules_table(matrix, min_support=min_support, min_lift=1.0, max_len=2)
print(T("n_rules", lang, n=len(rules), min_support=min_support))
cols = ["antecedent", "consequent", "support", "confidence", "lift"]
display_names(basket.top_rules(rules, n=10, by="lift")[cols], lang, headers=True)

# %% [markdown]
# Sorted by **confidence** instead, the list changes: confidence rewards rules whose consequent is
# common anyway (a consequent in a quarter of all baskets has confidence ≈ 0.25 after any
# antecedent), lift corrects for it. Decoys - popular items with lift ≈ 1 with almost everything,
# flagged in section 3 - can turn up in this list.

# %% [markdown] lang="zh"
# 如果改按**置信度**排序，列表就变了：置信度偏爱那些后项本来就常见的规则（一件出现在四分之一购物篮中的后项，
# 在任何前项之后的置信度都约为 0.25），而提升度会校正这一点。高频干扰项——与几乎所有商品的提升度都约为 1
# 的常见商品，第 3 节会标出它们——可能会出现在这个列表中。

# %%
decoys = basket.decoy_candidates(matrix, rules)
decoy_items = decoys.loc[decoys["is_decoy"], "item"].tolist()
by_conf = basket.top_rules(rules, n=10, by="confidence")
in_list = by_conf[by_conf["consequent"].isin(decoy_items) | by_conf["antecedent"].isin(decoy_items)]
print(T("decoys.in_list", lang, items=T("list.sep", lang).join(
    T("decoy.rule", lang, item=item_label(r.consequent, lang), antecedent=item_label(r.antecedent, lang), lift=r.lift)
    for r in in_list.itertuples())) if len(in_list) else T("decoys.not_in_list", lang))
display_names(by_conf[cols], lang, headers=True)

# %%
fig, ax = plt.subplots(figsize=(7, 4.5))
sc = ax.scatter(rules["support"], rules["confidence"], c=rules["lift"], cmap="viridis", s=30)
fig.colorbar(sc, ax=ax, label=T("lift", lang))
plots.finish(ax, T("rules.title", lang), T("rules.x", lang), T("rules.y", lang))
plt.show()

# %% [markdown]
# ### 3. The decoy trap
# `decoy_candidates` looks at popular items and their lift with every item they appear alongside:
# a decoy has high support but lift ≈ 1 with almost everything.

# %% [markdown] lang="zh"
# ### 3. 高频干扰项陷阱
# `decoy_candidates` 检查常见商品，以及它们与每一件同篮商品之间的提升度：高频干扰项的支持度高，但与几乎
# 所有商品的提升度都约为 1。

# %%
for r in decoys[decoys["is_decoy"]].itertuples():
    print(T("decoy.flagged", lang, item=item_label(r.item, lang), support=r.support, n=r.n_partners,
            median=r.median_lift, max=r.max_lift))
if not decoy_items:
    print(T("decoy.none", lang))
display_names(decoys.head(6), lang, headers=True)

# %% [markdown]
# ### 4. Cross-sell lists
# For a given item, the consequents ranked by lift (with their confidence: how often the offer
# would be relevant). Flagged decoys are never recommended: their lift is 1 by construction, so a
# lift above 1 in one of their rules is noise. The top recommendation of each anchor gets its lift
# counted directly in the baskets, with a confidence interval.

# %% [markdown] lang="zh"
# ### 4. 交叉销售清单
# 对给定商品，按提升度列出后项（并附上置信度：这一推荐有多大比例会用得上）。被标记的高频干扰项不会被推荐：
# 它们的提升度本质上就是 1，所以在它们的某条规则中出现大于 1 的提升度只是噪声。每个主商品的首选推荐会直接在
# 购物篮中计算提升度，并给出置信区间。

# %%
anchors = [a for a in ("tv", "ac", "phone", "laptop") if a in matrix.columns]
if not anchors:  # a real extract with other items: the most frequent antecedents
    anchors = rules["antecedent"].value_counts().index[:3].tolist()
lists = {a: basket.cross_sell_recommendations(rules, a, n=3, exclude=decoy_items) for a in anchors}
if decoy_items:
    print(T("cross.excluded", lang, items=", ".join(item_label(i, lang) for i in decoy_items)))
for a, rec in lists.items():
    if len(rec):
        est = basket.rule_lift(matrix, a, rec["consequent"].iloc[0])
        words = dict(anchor=item_label(a, lang), item=item_label(est.consequent, lang))
        c = directional("basket.cross_sell", (est.lift, est.ci_low, est.ci_high), T, null=1.0, lang=lang,
                        detail={"anchor": a, "consequent": est.consequent}, **words)
        claims.append(dataclasses.replace(c, id=f"basket.cross_sell.{a}"))  # one claim per anchor
        print(claims[-1].text)
(display_names(pd.concat(lists, names=["anchor"]).reset_index(level="anchor"), lang, headers=True) if lists
 else T("cross.none", lang))

# %% [markdown]
# ### 5. When are baskets filled?
# Share of orders containing each product category in the evening (19:00-23:59, web and app)
# relative to the rest of the day, with a confidence interval of the ratio (Katz, log scale). The
# category with the highest ratio "leans to the evening" only if its interval lies above 1.

# %% [markdown] lang="zh"
# ### 5. 购物篮在什么时候形成？
# 含各商品品类的订单在晚间（19:00-23:59，网站和手机客户端）的占比与一天中其他时段占比之比，并给出这一比值的
# 置信区间（Katz 方法，对数尺度）。比值最高的品类只有在其置信区间位于 1 之上时，才"偏向晚间"。

# %%
has_time = bool((data.orders["order_ts"].dt.normalize() != data.orders["order_ts"]).any())
if products is not None and "category" in products and has_time:
    tod = time_of_day_profile(data.orders, data.order_items, products, level="category")  # completed orders
    lead = tod.iloc[0]
    lead_est = tuple(lead[["ratio", "ci_low", "ci_high"]])
    claims.append(directional("basket.evening_lean", lead_est, T, null=1.0, lang=lang,
                              item=item_label(lead["item"], lang), detail={"item": lead["item"]}))
    ax = plots.bar(tod.set_index("item")["ratio"].rename(index=lambda i: item_label(i, lang)),
                   directional("basket.evening_lean.title", lead_est, T, null=1.0, lang=lang,
                               item=item_label(lead["item"], lang)).text, T("tod.x", lang), T("tod.y", lang),
                   fmt=".2f")
    ax.errorbar(range(len(tod)), tod["ratio"], yerr=np.clip(np.array([tod["ratio"] - tod["ci_low"], tod["ci_high"] - tod["ratio"]]), 0, None),
                fmt="none", color="black", capsize=3)
    ax.axhline(1, color="grey", lw=1)
    plt.show()
    print(claims[-1].text)
else:
    tod = None
    print(T("tod.skipped", lang))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
top = basket.top_rules(rules, n=20, by="lift")
print(T("strongest", lang))
for r in basket.top_rules(rules, n=4, by="lift", unique_pairs=True).itertuples():
    est = basket.rule_lift(matrix, r.antecedent, r.consequent)
    print(T("rule.line", lang, a=item_label(r.antecedent, lang), b=item_label(r.consequent, lang), lift=est.lift,
            level=est.confidence_level, lo=est.ci_low, hi=est.ci_high, conf=r.confidence, sup=r.support))
for c in claims:
    print("-", c.text)

# %% [markdown]
# The printed rules, with their intervals, are the cross-sells worth testing: compare them with
# what a 3C retailer expects (accessories and services that complete a big purchase). A decoy is
# frequent in baskets and in confidence-sorted rule lists, but its lift is ≈ 1: recommending it
# "because people buy it with TVs" adds nothing - so the cross-sell lists leave flagged decoys out.

# %% [markdown] lang="zh"
# 上面打印的规则及其置信区间，就是值得测试的交叉销售组合：把它们与一家 3C 零售商的预期（补全大件购买的配件和
# 服务）作比较。高频干扰项在购物篮中和按置信度排序的规则列表中都很常见，但它的提升度约为 1："因为大家和电视
# 一起买"而推荐它，并不会带来任何增量——所以交叉销售清单剔除了被标记的高频干扰项。

# %% [markdown]
# ## The case: Walmart's beer and diapers (沃尔玛啤酒与尿片的故事)
#
# The course documents tell the story as the birth of data mining in retail: a year of Walmart's
# data showed that stores selling many diapers also sold much beer, because fathers sent out for
# diapers bought themselves a couple of cans. They ask four questions. Here is how this lesson
# answers them; the written task below asks you to apply them to Suning.
#
# 1. **How were the data mined?** From point-of-sale transactions: each till receipt is a basket,
#    exactly the matrix of section 1, and the question "which items occur together more often than
#    chance" is the lift of section 2. Two cautions from this notebook apply to the story: a pair
#    must be checked against its base rates (a popular item pairs with everything, section 3), and
#    one query on one year of data is an observation, not a tested effect. The original analysis
#    (Osco Drug with NCR, 1992) found the pair in early-evening baskets and nobody moved a shelf.
# 2. **What makes it CRM (CRM的特点)?** Basket analysis by itself is about *products*. It becomes
#    customer relationship management when the baskets are tied to a customer id (a member card, an
#    app account): then a rule can be turned into an offer to a person, timed to their purchases,
#    and its effect measured per customer. CRM is customer-centred, data-driven and integrated across
#    channels; the same rule can be shown at the till, on the web and in the app.
# 3. **The retailer's role in the Retail Link system (零售商在联系系统中的作用).** Walmart's
#    "零售商联系" system shares item-level sales, stock and order data with its main suppliers. The
#    retailer owns the transaction data and decides what to share: aggregated sales and basket
#    patterns (never personal data) let suppliers plan production to demand (以销定产) and manage the
#    stock on the shelf (supplier-managed inventory, 供应商管理库存), and let both sides plan joint
#    promotions (a TV maker and the wall-bracket supplier). In return the retailer gets lower costs
#    and fewer empty shelves. The risks: a supplier learns about its competitors' sales, and customer
#    privacy must be protected.
# 4. **Do everyday low prices contradict getting more value from customers (天天平价与CRM中获得更多
#    客户价值是否相矛盾)?** On the surface yes: CRM seeks more value per customer, everyday low prices
#    give every customer the same low price and avoid targeted discounts. The documents' answer is
#    that low price *is* Walmart's customer value proposition, and that its IT and data investments
#    serve it: knowing what sells with what lowers stock-outs, promotion waste and supply costs, which
#    pays for the low prices. Customer value then grows through more visits and a larger share of the
#    customer's spending (share of wallet) and through relevant cross-sells, not through higher prices.
#    For Suning, which competes on price with online platforms, the same logic applies: CRM spends
#    on service (delivery, installation) and relevant offers, not on discounts for everybody.

# %% [markdown] lang="zh"
# ## 案例：沃尔玛啤酒与尿片的故事
#
# 课程资料把这个故事当作零售业数据挖掘的诞生：沃尔玛一年的数据显示，尿布卖得好的店面啤酒也卖得很好，因为
# 被派去买尿布的父亲们会顺便犒劳自己两听啤酒。资料提出了四个问题。下面是本课对它们的回答；后面的书面作业请你
# 把它们应用到苏宁。
#
# 1. **数据是怎样被挖掘的？** 来自销售终端（POS）的交易记录：每一张收银小票就是一个购物篮，正是第 1 节的
#    矩阵；"哪些商品一起出现的频率高于偶然"这个问题，就是第 2 节的提升度。本笔记本中的两点提醒同样适用于
#    这个故事：一个组合必须与各自的基础比例对照（常见商品会与所有商品搭配，见第 3 节）；用一年数据做的一次
#    查询只是一个观察，而不是经过检验的效应。最初的分析（1992 年 Osco Drug 与 NCR）是在傍晚的购物篮中发现
#    这一组合的，而且并没有人因此调整货架。
# 2. **客户关系管理的特点是什么？** 购物篮分析本身关注的是*商品*。只有当购物篮与客户编号（会员卡、手机客户端
#    账户）联系起来时，它才成为客户关系管理：这时一条规则可以变成针对某个人的优惠，按其购买时间推送，并按
#    客户衡量效果。客户关系管理以客户为中心、以数据为驱动，并打通各个渠道；同一条规则可以在收银台、网站和
#    手机客户端上展示。
# 3. **零售商在联系系统中有什么作用？** 沃尔玛的"零售商联系"系统与主要供应商共享商品层面的销售、库存和订货
#    数据。交易数据归零售商所有，由零售商决定共享什么：汇总的销售和购物篮规律（绝不包括个人数据）帮助供应商
#    以销定产、管理货架上的库存（供应商管理库存），也让双方可以策划联合促销（例如电视厂商与电视挂架供应商）。
#    作为回报，零售商得到更低的成本和更少的缺货。风险在于：供应商可能了解到竞争对手的销售情况，而且必须保护
#    客户隐私。
# 4. **天天平价与客户关系管理中获得更多客户价值是否相矛盾？** 表面上是：客户关系管理追求从每位客户身上获得
#    更多价值，而天天平价给所有客户同样的低价，避免针对性折扣。资料的回答是：低价*正是*沃尔玛给客户的价值
#    主张，它在信息技术和数据上的投资都服务于这一点：知道什么和什么一起卖，可以减少缺货、促销浪费和供应成本，
#    从而支撑低价。客户价值的增长来自更多的光顾、更高的顾客份额以及相关的交叉销售，而不是更高的价格。苏宁在
#    价格上与网上平台竞争，同样的逻辑也适用：客户关系管理的投入应花在服务（配送、安装）和相关的推荐上，而不是
#    花在人人有份的折扣上。

# %% [markdown]
# ## Discussion
#
# * **Caveat - association is not causation.** A high lift says the items co-occur, not that
#   offering one will sell the other; test a cross-sell with an experiment before rolling it out.
# * Rules depend on the item level (SKU vs subcategory vs category) and on `min_support`: rare but
#   valuable pairs (a 85-inch OLED and a soundbar) fall below any practical threshold.
# * A category that leans to the evening (if the interval says so) suggests *when* to show which
#   recommendation on the app.
#
# ## Quiz
# 1. Why is lift symmetric while confidence is not?
# 2. An item has support 0.16 and appears in 30 rules with confidence ≈ 0.16. What is its lift?
# 3. Why would you not put beer next to diapers on the strength of one query?
# 4. Which data would a supplier need from the retailer to plan production, and which must the
#    retailer never share?

# %% [markdown] lang="zh"
# ## 讨论
#
# * **注意——关联不等于因果。** 提升度高只说明两件商品同时出现，并不说明推荐其中一件就能卖出另一件；在全面
#   推广之前，先用实验测试交叉销售。
# * 规则取决于商品层级（单品、子类还是品类）以及 `min_support`：稀少但有价值的组合（85 英寸 OLED 电视与回音壁）
#   会低于任何实用的门槛。
# * 偏向晚间的品类（如果置信区间支持这一点）提示我们在手机客户端上*什么时候*展示哪种推荐。
#
# ## 测验
# 1. 为什么提升度是对称的，而置信度不是？
# 2. 某件商品的支持度为 0.16，出现在 30 条置信度约为 0.16 的规则中。它的提升度是多少？
# 3. 为什么不能仅凭一次查询就把啤酒摆到尿布旁边？
# 4. 供应商制定生产计划需要零售商提供哪些数据？哪些数据零售商绝不能共享？

# %% [markdown] tags=["quiz-answers"]
# **Quiz answers.**
# 1. Lift is $P(A \cap B) / (P(A)P(B))$: swapping $A$ and $B$ changes nothing. Confidence
#    $P(B \mid A) = P(A \cap B)/P(A)$ divides by the antecedent's support, so $A \Rightarrow B$ and
#    $B \Rightarrow A$ differ whenever $A$ and $B$ have different supports.
# 2. About 1: lift = confidence / support of the consequent ≈ 0.16 / 0.16. The item is a decoy: it
#    is in many rules because it is common, not because any antecedent brings it.
# 3. One query is one look at one period: the pair may be a coincidence of the stores or weeks
#    chosen, its lift needs an interval and a check against the base rates, and co-occurrence does not
#    show that placing the items together sells more. Test it: move the shelf in some stores, keep
#    others as controls, compare sales.
# 4. Needed: item-level sales by store and week, stock levels, orders, and aggregated basket patterns
#    (which items sell with its products), so that it can plan production to demand and restock.
#    Never: personal data of customers (names, phones, member ids, individual purchase histories);
#    and competitors' item-level sales should not be passed to a rival supplier.

# %% [markdown] lang="zh"
# **测验答案。**
# 1. 提升度是 $P(A \cap B) / (P(A)P(B))$：交换 $A$ 和 $B$ 不改变其值。置信度
#    $P(B \mid A) = P(A \cap B)/P(A)$ 除以的是前项的支持度，所以只要 $A$ 和 $B$ 的支持度不同，
#    $A \Rightarrow B$ 与 $B \Rightarrow A$ 的置信度就不同。
# 2. 约为 1：提升度 = 置信度 / 后项的支持度 ≈ 0.16 / 0.16。这件商品是高频干扰项：它出现在许多规则中是因为它
#    常见，而不是因为某个前项带动了它。
# 3. 一次查询只是对一个时期的一次观察：这一组合可能只是所选门店或周次的巧合，它的提升度需要置信区间并与基础
#    比例对照，而且同时出现并不说明摆在一起就能多卖。要做测试：在一部分门店调整货架，另一部分门店作为对照，
#    比较销量。
# 4. 需要：按门店和周统计的单品销量、库存水平、订货数据，以及汇总的购物篮规律（哪些商品与它的产品一起卖），
#    以便以销定产、及时补货。绝不能共享：客户的个人数据（姓名、电话、会员编号、个人购买记录）；也不应把竞争
#    对手的单品销量提供给与之竞争的供应商。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset. The basket matrix
# `matrix` (item groups), the rules table `rules` and the functions of `crmlab.analysis.basket` are
# ready to use. The checks after each exercise look for the usual mistakes on the course data; they
# never show the expected value.
#
# **Exercise 1 (another item level).** The rules above use item groups (subcategories). A category
# manager thinks in whole categories: air conditioners (`ac`) and services (`service`: installation,
# warranty, trade-in). Compute the lift of the rule `ac → service` at the *category* level. Store it
# in `category_lift` (`float("nan")` if the data have no such categories).

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间编写代码；每道练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量会按你自己的数据集评分。
# 可以直接使用购物篮矩阵 `matrix`（商品组）、规则表 `rules` 以及 `crmlab.analysis.basket` 中的函数。每道练习
# 后面的检查会在课程数据上查找常见错误；它们从不显示正确答案。
#
# **练习 1（另一个商品层级）。** 上面的规则用的是商品组（子类）。品类经理考虑的是整个品类：空调（`ac`）和
# 服务（`service`：安装、延保、以旧换新）。计算规则 `ac → service` 在*品类*层面的提升度，保存在
# `category_lift` 中（如果数据中没有这两个品类，则为 `float("nan")`）。

# %% tags=["exercise"]
# answer: category_lift rel=1e-6 points=2
### BEGIN SOLUTION
category_lift = float("nan")
if products is not None and "category" in products:
    by_category = basket.basket_matrix(data.order_items, products, level="category", orders=data.orders)
    if {"ac", "service"} <= set(by_category.columns):
        category_lift = float(basket.rule_lift(by_category, "ac", "service").lift)
### END SOLUTION

# %%
assert isinstance(category_lift, float), T("ex.number", lang)
assert np.isnan(category_lift) or category_lift > 0, T("ex.lift_positive", lang)
if {"ac", "ac_installation"} <= set(matrix.columns) and not np.isnan(category_lift):
    assert abs(category_lift - float(basket.rule_lift(matrix, "ac", "ac_installation").lift)) > 1e-6, T("ex1.level", lang)
### BEGIN HIDDEN TESTS
_cat = (basket.basket_matrix(data.order_items, products, level="category", orders=data.orders)
        if products is not None and "category" in products else pd.DataFrame())
if {"ac", "service"} <= set(_cat.columns):
    _key = float((_cat["ac"] & _cat["service"]).mean() / (_cat["ac"].mean() * _cat["service"].mean()))
    assert abs(category_lift - _key) <= 1e-6 * _key
else:
    assert np.isnan(category_lift)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2 (which rules to act on).** A cross-sell offer printed at the till costs money, so the
# category manager wants rules that are both common and strong: the pair must be in at least one
# basket in fifty, and the antecedent must more than double the chance of the consequent. How many
# rules of `rules` qualify? Store the count in `n_actionable`.

# %% [markdown] lang="zh"
# **练习 2（哪些规则值得采取行动）。** 在收银小票上打印交叉销售优惠是有成本的，因此品类经理只要既常见又强的
# 规则：这一组合至少要出现在每五十个购物篮中的一个里，而且前项要使后项出现的可能提高到两倍以上。`rules` 中
# 有多少条规则符合条件？把数量保存在 `n_actionable` 中。

# %% tags=["exercise"]
# answer: n_actionable abs=0 points=1
### BEGIN SOLUTION
n_actionable = int(((rules["lift"] > 2) & (rules["support"] >= 0.02)).sum())
### END SOLUTION

# %%
assert isinstance(n_actionable, int), T("ex.count", lang)
assert 0 <= n_actionable <= len(rules), T("ex2.range", lang)
### BEGIN HIDDEN TESTS
assert n_actionable == int(((rules["lift"] > 2) & (rules["support"] >= 0.02)).sum())
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3 (one channel).** Section 4 measured `tv → wall_bracket` in all baskets. Does the pair
# hold on the app, where a recommendation would be shown? Compute the lift of `tv → wall_bracket`
# among the baskets of *app* orders only (`data.orders.channel`). Store it in `app_lift`
# (`float("nan")` if the data have no app orders or no such items).

# %% [markdown] lang="zh"
# **练习 3（单一渠道）。** 第 4 节在全部购物篮中计算了 `tv → wall_bracket`。在会展示推荐的手机客户端上，这一
# 组合是否同样成立？只用*手机客户端*订单的购物篮（`data.orders.channel`），计算 `tv → wall_bracket` 的提升度，
# 保存在 `app_lift` 中（如果数据中没有手机客户端订单或没有这两个商品组，则为 `float("nan")`）。

# %% tags=["exercise"]
# answer: app_lift rel=1e-6 points=2
### BEGIN SOLUTION
app_lift = float("nan")
if "channel" in data.orders and {"tv", "wall_bracket"} <= set(matrix.columns):
    app_orders = data.orders.loc[data.orders["channel"] == "app", "order_id"]
    app_baskets = matrix.loc[matrix.index.isin(app_orders)]
    if len(app_baskets):
        app_lift = float(basket.rule_lift(app_baskets, "tv", "wall_bracket").lift)
### END SOLUTION

# %%
assert isinstance(app_lift, float), T("ex.number", lang)
assert np.isnan(app_lift) or app_lift > 0, T("ex.lift_positive", lang)
if {"tv", "wall_bracket"} <= set(matrix.columns) and not np.isnan(app_lift):
    assert abs(app_lift - float(basket.rule_lift(matrix, "tv", "wall_bracket").lift)) > 1e-6, T("ex3.all", lang)
### BEGIN HIDDEN TESTS
if "channel" in data.orders and {"tv", "wall_bracket"} <= set(matrix.columns):
    _app = matrix.loc[matrix.index.isin(data.orders.loc[data.orders["channel"] == "app", "order_id"])]
    _key = float((_app["tv"] & _app["wall_bracket"]).mean() / (_app["tv"].mean() * _app["wall_bracket"].mean()))
    assert (np.isnan(app_lift) and np.isnan(_key)) or abs(app_lift - _key) <= 1e-6 * abs(_key)
else:
    assert np.isnan(app_lift)
### END HIDDEN TESTS

# %% [markdown]
# ## Written task: the beer-and-diapers questions at Suning
# Write a case paper of at most one page for Suning's CRM manager that answers the four case
# questions above *for Suning*: how Suning's basket data can be mined (use one rule of this notebook,
# with its interval, as the example), what would make a cross-sell programme CRM rather than
# merchandising, which basket data Suning should share with suppliers such as a TV maker (and which
# not), and whether Suning's price competition with online platforms contradicts earning more value
# from each customer. End with one recommendation and how you would test it.

# %% [markdown] lang="zh"
# ## 书面作业：苏宁的"啤酒与尿布"问题
# 给苏宁的客户关系管理经理写一份不超过一页的案例分析，*针对苏宁*回答上面的四个案例问题：苏宁的购物篮数据可以
# 怎样挖掘（以本笔记本中的一条规则及其置信区间为例）；什么能让交叉销售计划成为客户关系管理而不只是商品陈列；
# 苏宁应与电视厂商等供应商共享哪些购物篮数据（以及哪些不能共享）；苏宁与网上平台的价格竞争是否与从每位客户
# 身上获得更多价值相矛盾。最后提出一条建议，并说明你会如何检验它。

# %% [markdown] tags=["written"]
# <!-- points: 8 -->
# **Model outline.** A good paper
# * explains mining with the notebook's method: baskets from completed orders, support, confidence,
#   lift, the decoy check, and quotes one rule *with its interval* as printed by the notebook (not a
#   number typed from memory), saying what the interval allows one to conclude;
# * states what makes it CRM: baskets linked to a customer id (member card, app account), offers to a
#   person at the right moment and channel, effects measured per customer; basket rules alone are
#   merchandising;
# * on supplier sharing: aggregated item-level sales, stock and basket patterns for production
#   planning (以销定产), supplier-managed inventory and joint promotions; never personal data; care with
#   competitors' data; what Suning gains (lower costs, fewer stock-outs);
# * on prices: the apparent contradiction, resolved by low prices as the value proposition that data
#   make affordable, with value growing through visits, share of wallet and relevant cross-sells
#   (and service), not higher prices;
# * ends with one recommendation (e.g. an app cross-sell for one anchor) and a randomised test
#   (treatment and control customers or stores, the outcome, the decision rule); notes that
#   association is not causation.

# %% [markdown] lang="zh"
# <!-- points: 8 -->
# **参考要点。** 一份好的案例分析应当
# * 用本笔记本的方法说明如何挖掘：由已完成订单构成的购物篮、支持度、置信度、提升度、高频干扰项检查，并引用
#   笔记本打印出的一条规则*及其置信区间*（而不是凭记忆写下的数字），说明这个区间允许得出什么结论；
# * 说明什么使它成为客户关系管理：购物篮与客户编号（会员卡、手机客户端账户）相联系，在合适的时机和渠道向具体
#   的人推送优惠，按客户衡量效果；仅有购物篮规则只是商品陈列；
# * 关于与供应商共享：用于以销定产、供应商管理库存和联合促销的汇总单品销量、库存和购物篮规律；绝不共享个人
#   数据；谨慎对待竞争对手的数据；苏宁能得到什么（更低的成本、更少的缺货）；
# * 关于价格：指出表面上的矛盾，并用"低价是价值主张、数据让低价可以负担"来化解，客户价值通过光顾次数、顾客
#   份额以及相关的交叉销售（和服务）增长，而不是靠提高价格；
# * 最后提出一条建议（例如针对某个主商品的手机客户端交叉销售）以及一个随机化测试（处理组与对照组客户或门店、
#   结果指标、决策规则）；并指出关联不等于因果。

# %% [markdown] tags=["rubric"]
# **Rubric (8 points).**
# * 2 - data mining explained correctly (baskets, support, confidence, lift, decoys) with one rule
#   and its interval from the notebook, interpreted correctly;
# * 2 - what makes it CRM: customer id, personal offer, channel and timing, measurement;
# * 1.5 - supplier data sharing: what to share and what not, and the benefit to Suning;
# * 1.5 - prices vs customer value: the contradiction stated and resolved with an argument;
# * 1 - one recommendation with a testable design, within one page, in a manager's language.

# %% [markdown] lang="zh"
# **评分标准（8 分）。**
# * 2 分——正确解释数据挖掘（购物篮、支持度、置信度、提升度、高频干扰项），并引用笔记本中的一条规则及其置信
#   区间，解读正确；
# * 2 分——什么使它成为客户关系管理：客户编号、个性化优惠、渠道与时机、效果衡量；
# * 1.5 分——与供应商共享数据：共享什么、不共享什么，以及对苏宁的好处；
# * 1.5 分——价格与客户价值：指出矛盾并有论证地化解；
# * 1 分——一条建议及可检验的设计，篇幅不超过一页，使用管理者的语言。

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# * Support says how common a pair is, confidence how often A brings B, lift how much A raises the
#   chance of B; rank cross-sells by lift and require enough support.
# * A popular item has high confidence after anything and lift ≈ 1: a decoy, not a cross-sell.
# * A lift is an estimate: state it with its interval, and check it at the level and in the channel
#   where the offer will run.
# * Association is not causation: test a cross-sell in an experiment before rolling it out.
# * Basket analysis becomes CRM when baskets are tied to customers; data shared with suppliers are
#   aggregated, never personal.

# %% [markdown] lang="zh"
# ## 要点回顾
# * 支持度说明一个组合有多常见，置信度说明 A 有多常带来 B，提升度说明 A 使 B 出现的可能提高了多少；交叉销售按
#   提升度排序，并要求足够的支持度。
# * 常见商品在任何商品之后的置信度都高，而提升度约为 1：它是高频干扰项，不是交叉销售机会。
# * 提升度是一个估计值：要附上置信区间，并在推荐实际投放的商品层级和渠道上检查它。
# * 关联不等于因果：在全面推广之前，先用实验测试交叉销售。
# * 只有当购物篮与客户联系起来时，购物篮分析才成为客户关系管理；与供应商共享的数据是汇总数据，绝不是个人数据。

# %% [markdown]
# ## Check against the truth (synthetic data only)

# %% [markdown] lang="zh"
# ## 与真值对照（仅限模拟数据）

# %%
claims_truth = {}
if data.truth is not None:
    rows = []
    # a planted rule A -> B puts B in a basket with main item A with probability c, in any other basket
    # with the background rate b: in these (completed) baskets its lift is c / (P(A) c + (1 - P(A)) b)
    background = data.truth["scenario"]["basket_background_rate"]
    planted = {(r["antecedent"], r["consequent"]): r["confidence"] / (matrix[r["antecedent"]].mean() * r["confidence"]
               + (1 - matrix[r["antecedent"]].mean()) * background)
               for r in data.truth["basket"]["rules"] if r["antecedent"] in matrix.columns}
    for (a, b), lift in planted.items():
        if b in matrix.columns:
            est = basket.rule_lift(matrix, a, b)
            rows.append((T("truth.lift", lang, a=item_label(a, lang), b=item_label(b, lang)),
                         f"{est.lift:.2f} [{est.ci_low:.2f}, {est.ci_high:.2f}]", round(lift, 3),
                         T("truth.covers", lang)))
    for c in claims:  # the cross-sell claims whose rule was planted
        if c.id.startswith("basket.cross_sell.") and (c.detail["anchor"], c.detail["consequent"]) in planted:
            claims_truth[c.id] = planted[(c.detail["anchor"], c.detail["consequent"])]
    rows.append((T("truth.decoy", lang), ", ".join(item_label(i, lang) for i in decoy_items),
                 item_label(data.truth["basket"]["decoy_item"], lang), T("truth.flagged", lang)))
    if tod is not None:
        boosted = data.truth["basket"]["time_of_day"]["boosted_categories"]
        rows.append((T("truth.evening", lang), item_label(lead["item"], lang),
                     ", ".join(item_label(i, lang) for i in boosted), T("truth.among", lang)))
    display(display_names(truth_check(rows), lang, headers=True))
else:
    print(T("truth.none", lang))

# %%
results = {
    "rules": top[["antecedent", "consequent", "support", "confidence", "lift"]],
    "decoys": decoy_items,
    "cross_sell": {a: rec["consequent"].tolist() for a, rec in lists.items()},
    "n_baskets": len(matrix),
    "item_level": level,
    "claims": claims_json(claims),
}
if claims_truth:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print(T("results", lang, keys=", ".join(sorted(results))))
