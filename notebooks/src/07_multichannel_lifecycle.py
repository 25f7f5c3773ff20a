# %% [markdown]
# # 07 · The multichannel customer and the lifecycle: who buys where, who stays, who can be won back?
#
# **Question.** Suning sells in its stores, on the web and in the app (多渠道销售). Are customers who
# buy in several channels worth more - or do they only buy more often? What does each channel's own
# system get wrong when it cannot see the other channels (the silo effect, 筒仓效应)? How many of the
# customers acquired each quarter keep buying, and how much of a year's revenue comes from new and
# how much from returning customers? Of the customers who have stopped buying, how many can still be
# won back?
#
# **Method.** Customer-level channel types; means with t intervals; a log-linear regression that
# compares spend at the same number of orders; shares with Wilson intervals and differences with
# Newcombe's interval; cohort retention matrices and curves; new vs returning revenue with a
# bootstrap interval; the modified BG/NBD model's probability that a lapsed customer is still alive.
#
# **Contents.** *Theory* · *Practical* (the data → channel mix and value → store formats → the silo
# effect → acquisition cohorts and retention → win-back → up-sell and share of wallet) · *Result* ·
# *Discussion* · *Quiz* · *Exercises* · *check against the truth*.
#
# **References.** Neslin et al. (2006) *Journal of Service Research* (multichannel customer
# management); Kumar & Venkatesan (2005) *Journal of Interactive Marketing* (multichannel shoppers);
# Fader, Hardie & Lee (2005) *Marketing Science* (BG/NBD); Batislam, Denizel & Filiztekin (2007)
# *IJRM* (the modified BG/NBD); Blattberg, Getz & Thomas (2001) *Customer Equity* (acquisition,
# retention, add-on selling).

# %% [markdown] lang="zh"
# # 07 · 多渠道客户与客户生命周期：谁在哪里购买，谁留了下来，谁还能挽回？
#
# **问题。** 苏宁通过门店、网站和手机客户端销售（多渠道销售）。在多个渠道购买的客户价值更高吗——还是他们只是买得更频繁？
# 当每个渠道的系统看不到其他渠道时（筒仓效应），它会得出哪些错误结论？每个季度获取的客户中有多少会继续购买？一年的收入中
# 有多少来自新客户、多少来自老客户？已经不再购买的客户中，还有多少可以挽回？
#
# **方法。** 按客户划分渠道类型；均值及其 t 置信区间；在订单数相同的条件下比较消费的对数线性回归；比例及其 Wilson 置信区间，
# 比例之差及其 Newcombe 置信区间；队列留存矩阵与留存曲线；新老客户收入及其自助法（bootstrap）区间；用修正的 BG/NBD 模型
# 估计沉睡客户仍然“活着”的概率。
#
# **内容。** *理论* · *实践*（数据 → 渠道构成与客户价值 → 门店类型 → 筒仓效应 → 获客队列与留存 → 客户挽回 → 购买升级与钱包份额）· *结果* ·
# *讨论* · *测验* · *练习* · *与真实值对照*。
#
# **参考文献。** Neslin et al. (2006) *Journal of Service Research*（多渠道客户管理）；Kumar & Venkatesan (2005)
# *Journal of Interactive Marketing*（多渠道购物者）；Fader, Hardie & Lee (2005) *Marketing Science*（BG/NBD）；
# Batislam, Denizel & Filiztekin (2007) *IJRM*（修正的 BG/NBD）；Blattberg, Getz & Thomas (2001) *Customer Equity*
# （客户获取、保留与追加销售）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# - **classify** customers by the channels they buy in and **compare** their value honestly (per order,
#   or at the same number of orders);
# - **show** what a channel's own system gets wrong about its customers (the silo effect);
# - **compute** a cohort retention matrix and retention curves, and split a year's revenue into
#   acquisition and retention;
# - **estimate** how many lapsed customers can still be won back, and say which model assumption matters;
#   read up-sell and share of wallet with their intervals;
# - **decide** on a channel and win-back strategy and write it up for the CRM manager.
#
# **Prerequisites.** Lesson 00 (the tables); lesson 06 (shares and their intervals); lesson 02 for the
# BG/NBD model (section 4 recalls what it needs); a regression with a log outcome.
#
# **Time.** About 100 minutes: 55 in class, 45 for the exercises and the memo.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课，你能够
# - 按客户购买的渠道对客户**分类**，并公平地**比较**其价值（按单均消费，或在订单数相同的条件下比较）；
# - **说明**单个渠道的系统对自己的客户会得出哪些错误结论（筒仓效应）；
# - **计算**队列留存矩阵和留存曲线，并把一年的收入分解为客户获取和客户保留两部分；
# - **估计**沉睡客户中还有多少可以挽回，并说明哪个模型假设起关键作用；结合置信区间解读购买升级和钱包份额；
# - 对渠道策略和客户挽回**作出决策**，并写成给客户关系管理经理的备忘录。
#
# **先修内容。** 第00课（数据表）；第06课（比例及其置信区间）；第02课的 BG/NBD 模型（第4节会回顾所需内容）；以对数为因变量的回归。
#
# **时间。** 约100分钟：课堂55分钟，练习和备忘录45分钟。
#
# 术语见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# **The four stages.** The course describes customer relationship management as four stages:
# acquisition (客户获取: winning new customers), retention (客户保留: keeping them buying), development
# (客户提升: selling them more - cross-selling in lesson 05, up-selling 购买升级) and win-back
# (客户挽回: reactivating customers who stopped). Each stage has its measure in the order data: the
# signup cohort and its channel; the share of a cohort still buying $k$ periods later (the retention
# curve); the value per customer; the share of lapsed customers still "alive".
#
# **Multichannel customers.** Studies of retailers find that customers who buy in several channels
# spend more. Part of that is mechanical: a customer with one order can only be single-channel, so the
# multichannel group is made of frequent buyers. A fair comparison holds the number of orders fixed:
# compare spend per order, or regress $\log(\text{spend})$ on a multichannel indicator and
# $\log(\text{orders})$; $e^{\beta} - 1$ is then the relative difference in spend at the same number
# of orders. It is still not the effect of *making* a customer multichannel: who chooses several
# channels is a choice, not an assignment.
#
# **The silo effect (筒仓效应).** The course's documents describe customer information locked in
# systems that cannot be matched. When every channel runs its own system without a shared customer
# id, each system counts its own "customers", values them by their spend in that channel only, and
# calls a customer lapsed when there has been no order *in that channel* for a year - although the
# customer may simply have moved to the app (channel shift). Among a channel's customers, everybody
# lapsed in the unified view is also lapsed in the channel's system, so the channel's overstatement of
# the lapsed share is one proportion: the share of its customers who are lapsed there but active
# elsewhere.
#
# **Cohorts and retention.** An acquisition cohort (获客队列) is the set of customers who signed up in
# the same quarter (or through the same channel). Its retention curve (留存曲线) is the share with a
# counted order in the 1st, 2nd, ... period after signup; a period counts only once the whole period
# has passed. Revenue of a year splits into customers whose first order was that year (acquisition)
# and customers who had bought before (retention).
#
# **Share of wallet (钱包份额).** Loyalty in a category is the share of a customer's spending in it that
# goes to one retailer. The retailer's own data cannot measure it: the denominator - spending at
# competitors - is invisible. The course's documents speak of low loyalty in Chinese retail (customers
# visit several stores a month); a survey question makes it measurable, with the weaknesses of stated
# answers.
#
# **Win-back (客户挽回).** A lapsed customer (沉睡客户) has had no counted order for 365 days. Some have
# left for good, some are alive but slow buyers. The BG/NBD model of lesson 02 gives each customer the
# probability of being alive, $P(\text{alive})$, from the number of repeat purchase days, the time of
# the last purchase and the time since the first. The original BG/NBD lets a customer drop out only
# *after a repeat purchase*, so every one-time buyer gets $P(\text{alive}) = 1$; the modified BG/NBD
# lets customers drop out after the first purchase too. The mean $P(\text{alive})$ among the lapsed is
# the share worth a win-back offer.
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval; it uses a directional word only when the
# interval excludes "no difference".

# %% [markdown] lang="zh"
# ## 理论
#
# **四个阶段。** 课程把客户关系管理的流程概括为四个阶段：客户获取（赢得新客户）、客户保留（让客户持续购买）、客户提升
# （向客户销售更多——第05课的交叉销售，以及购买升级）和客户挽回（重新激活不再购买的客户）。每个阶段在订单数据中都有对应的
# 指标：注册队列及其注册渠道；一个队列在注册后第 $k$ 期仍在购买的比例（留存曲线）；客户价值；沉睡客户中仍然“活着”的比例。
#
# **多渠道客户。** 对零售企业的研究发现，在多个渠道购买的客户消费更多。其中一部分是机械性的：只下过一个订单的客户只可能是
# 单渠道客户，因此多渠道客户群体由购买频繁的客户组成。公平的比较要让订单数保持不变：比较单均消费，或者把 $\log(\text{消费})$
# 对多渠道指示变量和 $\log(\text{订单数})$ 做回归；此时 $e^{\beta} - 1$ 就是订单数相同时消费的相对差异。但这仍然不是“让”客户
# 成为多渠道客户的效果：选择多个渠道是客户自己的选择，而不是随机分配的。
#
# **筒仓效应。** 课程文件描述了客户信息被锁在互不相通的系统中的情形。如果每个渠道都使用自己的系统、没有统一的客户编号，
# 那么每个系统只统计自己的“客户”，只按该渠道的消费评价客户，并在客户一年内没有在*该渠道*下单时把他判为沉睡——尽管这位客户
# 可能只是转到了手机客户端（渠道转移）。在一个渠道的客户中，统一视图里沉睡的客户在该渠道系统里也一定沉睡，因此该渠道
# 对沉睡比例的高估就是一个比例：在该渠道沉睡、但在其他渠道仍然活跃的客户所占的比例。
#
# **队列与留存。** 获客队列是同一季度注册（或通过同一渠道注册）的客户。它的留存曲线是注册后第1、2……期有计入订单的客户比例；
# 只有当整个时期都已过去时才计入该期。一年的收入可以分为当年首次购买的客户（客户获取）和以前购买过的客户（客户保留）两部分。
#
# **钱包份额。** 某一品类中的忠诚度，是客户在该品类的支出中给了某一家零售商的比例。零售商自己的数据无法衡量它：分母——在竞争对手
# 那里的支出——是看不到的。课程文件谈到中国零售业忠诚度低（客户每月光顾多家门店）；问卷题目可以衡量它，但带有自报回答的缺点。
#
# **客户挽回。** 沉睡客户是365天内没有计入订单的客户。其中一些已经永久离开，另一些仍然“活着”，只是购买很慢。第02课的
# BG/NBD 模型根据重复购买的天数、最后一次购买的时间和首次购买以来的时间，给出每位客户仍然“活着”的概率 $P(\text{alive})$。
# 原始 BG/NBD 模型只允许客户在*重复购买之后*流失，因此所有只买过一次的客户都得到 $P(\text{alive}) = 1$；修正的 BG/NBD
# 模型允许客户在首次购买之后就流失。沉睡客户的平均 $P(\text{alive})$ 就是值得发送挽回优惠的比例。
#
# **如何阅读打印出的发现。** 下文中每一句关于*本数据*的陈述，都是根据本次运行的估计值及其95%置信区间计算出来的；
# 只有当置信区间不包含“无差异”时，才使用方向性的措辞。

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
as_of = "2025-12-31"  # the day of the analysis: the last day of the data
output_dir = "."
lapse_days = 365  # a customer with no counted order for this many days is "lapsed"
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import lifecycle, upsell, wallet
from crmlab.analysis.claims import claims_json, directional
from crmlab.domain import counted_orders
from crmlab.i18n import label
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.lifecycle import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []  # every finding the notebook prints, with its estimate and interval (results.json)


def columns(df):
    """A table with its column headers in this edition's language."""
    return df.rename(columns={c: T(f"col.{c}", lang) for c in df.columns if f"col.{c}" in T})


def type_name(code):
    """Display name of a channel type."""
    return T(f"type.{code}", lang)


# %% [markdown]
# ### 1. The data
# Counted orders (completed or returned; cancelled orders are not purchases) with their channel, the
# customers with their signup date and signup channel, the stores with their format.

# %% [markdown] lang="zh"
# ### 1. 数据
# 计入的订单（已完成或已退货；已取消的订单不算购买）及其渠道，客户及其注册日期和注册渠道，门店及其类型。

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "customers"], purpose="the lifecycle lesson")
orders, customers = data.orders, data.customers
counted = counted_orders(orders)
print(T("data.summary", lang, customers=len(customers), buyers=counted["customer_id"].nunique(),
        orders=len(counted), first=str(counted["order_ts"].min().date()), last=str(counted["order_ts"].max().date()),
        stores=len(data["stores"]) if "stores" in data else 0))

# %% [markdown]
# ### 2. Channel mix and value
# First by hand on five customers: a customer's type is "<channel> only" when all counted orders are in
# one channel, otherwise "multichannel". The package function gives the same types.

# %% [markdown] lang="zh"
# ### 2. 渠道构成与客户价值
# 先在五位客户上手算：如果一位客户所有计入的订单都在同一个渠道，他的类型就是“仅<渠道>”，否则是“多渠道”。程序包的函数给出相同的分类。

# %%
toy = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c", "d", "e", "e"],
                    "channel": ["store", "app", "web", "app", "app", "app", "store", "web", "store"],
                    "order_ts": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-01", "2025-01-10", "2025-04-02",
                                                "2025-06-30", "2025-05-05", "2025-07-07", "2025-08-08"]),
                    "order_value": [3000.0, 200.0, 800.0, 99.0, 150.0, 4999.0, 2599.0, 60.0, 1200.0]})
by_hand = toy.groupby("customer_id")["channel"].agg(lambda s: s.iloc[0] + "_only" if s.nunique() == 1 else "multichannel")
print(T("toy.print", lang, types=", ".join(f"{c}: {type_name(t)}" for c, t in by_hand.items()),
        pkg=", ".join(f"{c}: {type_name(t)}" for c, t in lifecycle.channel_profile(toy)["channel_type"].items())))

# %% [markdown]
# Now every customer: how many there are of each type, how often they buy, and what they spend per
# customer and per order.

# %% [markdown] lang="zh"
# 现在对全部客户：各类型有多少客户、购买频率如何、人均消费和单均消费是多少。

# %%
profile = lifecycle.channel_profile(orders)
order_of_types = [t for t in lifecycle.CHANNEL_TYPES if t in set(profile["channel_type"])]
value_tables = {v: lifecycle.value_by_type(profile, v).reindex(order_of_types)
                for v in ("n_orders", "spend", "spend_per_order")}
overview = pd.concat({T(f"value.{v}", lang): t[["mean", "ci_low", "ci_high"]] for v, t in value_tables.items()}, axis=1)
overview.insert(0, (T("col.n", lang), ""), value_tables["spend"]["n"])
display(overview.rename(index=type_name).rename_axis(T("col.channel_type", lang)).round(1))

fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
for ax, v in zip(axes, ("spend", "spend_per_order")):
    t = value_tables[v]
    ax.bar([type_name(c) for c in t.index], t["mean"], color=plots.PALETTE[0],
           yerr=np.clip([t["mean"] - t["ci_low"], t["ci_high"] - t["mean"]], 0, None), capsize=4)
    ax.set_title(T(f"value.{v}", lang), fontsize=10)
    ax.set_ylabel(T("value.ylabel", lang))
    ax.set_xlabel(T("col.channel_type", lang))
    ax.tick_params(axis="x", labelsize=8)
fig.suptitle(T("value.title", lang))
fig.tight_layout()
plt.show()

# %% [markdown]
# The honest comparison. The raw premium compares total spend; the adjusted one holds the number of
# orders fixed ($\log$ spend on multichannel and $\log$ orders, robust standard errors).

# %% [markdown] lang="zh"
# 公平的比较。未调整的溢价比较的是总消费；调整后的溢价让订单数保持不变（对数消费对多渠道指示变量和对数订单数回归，稳健标准误）。

# %%
raw = lifecycle.multichannel_premium(profile, adjust=False)
adjusted = lifecycle.multichannel_premium(profile, adjust=True)
claims.append(directional("lifecycle.multichannel_raw", raw, T, lang=lang))
claims.append(directional("lifecycle.multichannel_adjusted", adjusted, T, lang=lang))
for c in claims[-2:]:
    print(c)

# %% [markdown]
# **Store formats and community stores.** The course's 7-Eleven example says each location needs its
# own assortment, and Suning builds community stores (社区店) next to its flagship and standard stores.
# What share of each format's sales falls in each category - and, for all channels, by the customer's
# city tier? These tables describe this run's sales; they carry no interval.

# %% [markdown] lang="zh"
# **门店类型与社区店。** 课程中7-Eleven的例子说明每个地点需要不同的商品组合；苏宁在旗舰店和标准店之外还建设社区店。
# 各类型门店的销售额在各品类中如何分布？按客户所在城市级别（全部渠道）又如何？这些表格描述的是本次运行的销售情况，没有置信区间。

# %%
if {"stores", "order_items", "products"} <= set(data.tables):
    fmt = orders["store_id"].map(data["stores"].set_index("store_id")["format"]).rename("format")
    mix = lifecycle.category_mix(orders, data["order_items"], data["products"], fmt)
    mix = mix[mix.mean().sort_values(ascending=False).index]
    ax = plt.subplots(figsize=(8, 3.8))[1]
    left = np.zeros(len(mix))
    for i, cat in enumerate(mix.columns):
        ax.barh([label(f, lang) for f in mix.index], mix[cat], left=left, color=plots.PALETTE[i % len(plots.PALETTE)],
                label=label(cat, lang))
        left += mix[cat].to_numpy()
    ax.legend(frameon=False, fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    plots.finish(ax, T("mix.title", lang), T("mix.xlabel", lang), T("col.format", lang))
    plt.show()
    tier = orders["customer_id"].map(customers.set_index("customer_id")["city_tier"]).rename("city_tier")
    by_tier = lifecycle.category_mix(orders, data["order_items"], data["products"], tier)[mix.columns]
    display(by_tier.rename(columns=lambda c: label(c, lang)).rename(index=lambda t: T("group.tier", lang, tier=t))
            .rename_axis(T("col.city_tier", lang)).round(3))

# %% [markdown]
# ### 3. The silo effect
# Each channel's system alone, then the unified view (one customer id across channels). How many
# "customers" does each system count, what is a customer worth to it, and how many does it call lapsed?

# %% [markdown] lang="zh"
# ### 3. 筒仓效应
# 先看每个渠道单独的系统，再看统一视图（跨渠道统一的客户编号）。每个系统统计出多少“客户”，客户对它值多少钱，它把多少客户判为沉睡？

# %%
silos = lifecycle.silo_view(orders, as_of=as_of, window_days=lapse_days)
display(columns(silos).rename(index=lambda s: T(f"system.{s}", lang) if f"system.{s}" in T else s)
        .rename_axis(T("col.system", lang)).round(3))
channels_seen = [c for c in silos.index if c != "unified"]
print(T("silo.count", lang, silo=int(silos.loc[channels_seen, "n_customers"].sum()),
        unified=int(silos.loc["unified", "n_customers"])))
ax = plt.subplots(figsize=(6.5, 3.6))[1]
ax.bar([T(f"system.{s}", lang) for s in silos.index], silos["lapsed_share"],
       color=[plots.PALETTE[0]] * len(channels_seen) + [plots.PALETTE[2]],
       yerr=np.clip([silos["lapsed_share"] - silos["ci_low"], silos["ci_high"] - silos["lapsed_share"]], 0, None),
       capsize=4)
plots.finish(ax, T("silo.title", lang), T("col.system", lang), T("silo.ylabel", lang))
plt.show()

# %% [markdown]
# How many of the customers the store system calls lapsed still buy online? Among the store's
# customers, this share is exactly how much the store system overstates its lapsed share.

# %% [markdown] lang="zh"
# 门店系统判为沉睡的客户中，有多少仍在线上购买？在门店客户中，这个比例恰好就是门店系统对沉睡比例的高估幅度。

# %%
false_store = lifecycle.silo_false_lapsed(orders, as_of=as_of, channel="store", window_days=lapse_days)
print(T("silo.print", lang, system=T("system.store", lang), lapsed=false_store.n_silo_lapsed,
        n=false_store.n_customers, elsewhere=false_store.n_active_elsewhere, share=false_store.share_of_lapsed,
        days=lapse_days))
claims.append(directional("lifecycle.silo_store", false_store, T, lang=lang))
print(claims[-1])

# %% [markdown]
# ### 4. Acquisition cohorts and retention curves
# The retention matrix: customers grouped by signup quarter; each cell is the share of the cohort with
# a counted order in that quarter after signup (cells with fewer than 30 customers observed are left
# blank).

# %% [markdown] lang="zh"
# ### 4. 获客队列与留存曲线
# 留存矩阵：按注册季度把客户分组；每个单元格是该队列在注册后该季度有计入订单的客户比例（观测客户少于30人的单元格留空）。

# %%
by_quarter = lifecycle.retention_curve(orders, customers, as_of=as_of, by="signup_quarter", period_days=91)
matrix = by_quarter[by_quarter["n"] >= 30].pivot(index="cohort", columns="period", values="share")
ax = plt.subplots(figsize=(8, 4.2))[1]
im = ax.imshow(matrix.to_numpy(float), cmap="Blues", vmin=0, vmax=1, aspect="auto")
for (i, j), v in np.ndenumerate(matrix.to_numpy(float)):
    if not np.isnan(v):
        ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8, color="white" if v > 0.6 else "black")
ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns])
ax.set_yticks(range(matrix.shape[0]), list(matrix.index))
ax.grid(False)
plt.colorbar(im, ax=ax, fraction=0.03)
plots.finish(ax, T("heat.title", lang), T("heat.xlabel", lang), T("heat.ylabel", lang))
plt.show()

# %% [markdown]
# Retention curves by signup channel (a quarter per period), with their intervals: does the channel
# a customer was acquired through say how long they stay?

# %% [markdown] lang="zh"
# 按注册渠道的留存曲线（每期一个季度）及其置信区间：客户是通过哪个渠道获取的，能否说明他会留多久？

# %%
by_channel = lifecycle.retention_curve(orders, customers, as_of=as_of, by="signup_channel", period_days=91)
by_channel = by_channel[by_channel["n"] >= 30]
ax = plt.subplots(figsize=(7, 3.8))[1]
for i, (ch, part) in enumerate(by_channel.groupby("cohort")):
    ax.plot(part["period"], part["share"], marker="o", color=plots.PALETTE[i], label=label(ch, lang))
    ax.fill_between(part["period"], part["ci_low"], part["ci_high"], color=plots.PALETTE[i], alpha=0.15)
ax.set_ylim(0, 1)
ax.legend(frameon=False)
plots.finish(ax, T("curve.title", lang), T("curve.xlabel", lang), T("curve.ylabel", lang))
plt.show()
if {"app", "store"} <= set(by_channel.loc[by_channel["period"] == 2, "cohort"]):
    claims.append(directional("lifecycle.retention_app_minus_store",
                              lifecycle.retention_difference(by_channel, "app", "store", 2), T, lang=lang))
    print(claims[-1])

# %% [markdown]
# Acquisition and retention in revenue: each year's revenue from customers buying for the first time
# that year and from returning customers. The first year of the data has no returning customers by
# construction - earlier purchases are not in the data.

# %% [markdown] lang="zh"
# 收入中的客户获取与客户保留：每年的收入分为当年首次购买的客户和老客户两部分。数据的第一年按定义没有老客户——更早的购买不在数据中。

# %%
revenue = lifecycle.revenue_by_customer_age(orders, seed=seed)
money = ["new_revenue", "returning_revenue"]
display(columns(revenue.astype({c: "int64" for c in money})).rename_axis(T("col.year", lang)).round(3))
ax = plt.subplots(figsize=(6, 3.6))[1]
years = [str(y) for y in revenue.index]
ax.bar(years, revenue["new_revenue"] / 1e6, color=plots.PALETTE[1], label=T("revenue.new", lang))
ax.bar(years, revenue["returning_revenue"] / 1e6, bottom=revenue["new_revenue"] / 1e6, color=plots.PALETTE[0],
       label=T("revenue.returning", lang))
ax.legend(frameon=False)
plots.finish(ax, T("revenue.title", lang), T("col.year", lang), T("revenue.ylabel", lang))
plt.show()
last_year = revenue.index.max()
if revenue.loc[last_year, "returning_customers"] > 0:
    claims.append(directional("lifecycle.returning_share", revenue.loc[last_year, ["returning_share", "ci_low", "ci_high"]]
                              .tolist(), T, null=0.5, lang=lang))
    print(claims[-1])

# %% [markdown]
# ### 5. Win-back: how many lapsed customers are still alive?
# Lapsed: the last counted order at least 365 days before `as_of`. The modified BG/NBD model is fitted to
# every customer; its mean $P(\text{alive})$ among the lapsed is the winnable share. The interval treats
# each lapsed customer as alive with probability $P(\text{alive})$ and adds the uncertainty of the model's
# four estimated parameters; it does not include the error of the model itself, if real buying does not
# follow it.

# %% [markdown] lang="zh"
# ### 5. 客户挽回：沉睡客户中还有多少“活着”？
# 沉睡：最后一个计入的订单在 `as_of` 之前至少365天。对全部客户拟合修正的 BG/NBD 模型；沉睡客户的平均 $P(\text{alive})$
# 就是可挽回的比例。区间把每位沉睡客户看作以概率 $P(\text{alive})$ 仍然活着，并加入了模型四个估计参数的不确定性；
# 如果真实的购买行为并不符合该模型，模型本身的误差不包含在区间内。

# %%
wb = lifecycle.winback(orders, as_of=as_of, window_days=lapse_days, model="mbgnbd")
print(T("winback.print", lang, lapsed=wb.n_lapsed, n=wb.n_customers, share=wb.n_lapsed / wb.n_customers,
        days=lapse_days, as_of=as_of, value=wb.past_value))
claims.append(directional("lifecycle.winnable", wb, T, null=0.5, lang=lang, n=wb.n_lapsed))
print(claims[-1])
wb_original = lifecycle.winback(orders, as_of=as_of, window_days=lapse_days, model="bgnbd")
lapsed_table = wb.customers[wb.customers["lapsed"]]
print(T("winback.bgnbd", lang, estimate=wb_original.estimate, once=float((lapsed_table["frequency"] == 0).mean())))
ax = plt.subplots(figsize=(6.5, 3.4))[1]
ax.hist(lapsed_table["p_alive"], bins=np.linspace(0, 1, 21), color=plots.PALETTE[0])
plots.finish(ax, T("winback.title", lang), T("winback.xlabel", lang), T("winback.ylabel", lang))
plt.show()

# %% [markdown]
# ### 6. Up-sell and share of wallet
# **Up-sell (购买升级).** Each category's assortment is cut into three price tiers (the cheapest, middle
# and dearest thirds). When a customer buys in the same category again, the next purchase is up a
# tier, in the same tier or down. Does moving up become more likely the longer a customer has been
# buying? The drift is estimated *within* customers (a pairwise conditional logit on the purchases that
# changed tier), so a customer's own taste for expensive products cancels out.

# %% [markdown] lang="zh"
# ### 6. 购买升级与钱包份额
# **购买升级。** 把每个品类的商品按价格分为三档（最便宜、中间和最贵的三分之一）。客户在同一品类再次购买时，下一次购买可能升档、
# 同档或降档。客户购买的时间越长，升档的可能性是否越大？该趋势在*客户内部*估计（对换了档次的购买做成对条件 logit），
# 因此客户自己对高价商品的偏好被抵消掉了。

# %%
drift = None
if {"order_items", "products"} <= set(data.tables):
    moves = upsell.tier_moves(orders, data["order_items"], data["products"])
    display(columns(moves).rename(index=lambda m: T(f"move.{m}", lang)).rename_axis(T("col.move", lang)).round(3))
    try:
        drift = upsell.upsell_drift(orders, data["order_items"], data["products"])
    except ValueError:  # too few pairs (small data)
        drift = None
if drift is not None:
    print(T("upsell.print", lang, pairs=drift.n_pairs, customers=drift.n_customers,
            moved=drift.n_pairs - drift.n_pairs_same))
    claims.append(directional("lifecycle.upsell_drift", drift.log_odds_per_year, T, lang=lang))
    print(claims[-1])
else:
    print(T("upsell.skipped", lang))

# %% [markdown]
# **Share of wallet (钱包份额) and low loyalty.** The retailer's data show only what customers spend at
# Suning, not what they spend elsewhere. The survey asks two questions: what share of their 3C and
# appliance spending in the last 12 months went to Suning (0-100%, in tens), and how many 3C retailers
# they visited last month. The course quotes "51% of consumers visit three or more stores a month".
# Stated shares are rounded recollections, and the association with satisfaction is cross-sectional.

# %% [markdown] lang="zh"
# **钱包份额与低忠诚度。** 零售商的数据只显示客户在苏宁的消费，看不到他们在别处的消费。问卷问了两个问题：过去12个月里，
# 他们的3C和家电支出中有多少比例给了苏宁（0-100%，以10为单位）；上个月他们光顾了几家3C零售商。课程中引用了
# “51%的消费者每个月会光顾3家以上的门店”。自报的比例是取整后的回忆，与满意度的关联也只是横截面的。

# %%
survey = data["survey"] if "survey" in data else None
if survey is not None and {"wallet_share", "stores_visited"} <= set(survey.columns):
    wallet_mean = wallet.wallet_share_mean(survey)
    claims.append(directional("lifecycle.wallet_mean", wallet_mean.estimate, T, null=50.0, lang=lang))
    print(claims[-1])
    stores3 = wallet.stores_share(survey, at_least=3)
    claims.append(directional("lifecycle.stores_3plus", stores3.share, T, null=0.51, lang=lang))
    print(claims[-1])
    groups = wallet.nps_groups(survey["recommend"])
    by_group = wallet.wallet_share_by(survey, groups).reindex(list(wallet.NPS_GROUPS))
    display(columns(by_group).rename(index=lambda g: T(f"nps.{g}", lang)).rename_axis(T("col.group", lang)).round(1))
    ax = plt.subplots(figsize=(6.5, 3.6))[1]
    ax.bar([T(f"nps.{g}", lang) for g in by_group.index], by_group["mean"], color=plots.PALETTE[0],
           yerr=np.clip([by_group["mean"] - by_group["ci_low"], by_group["ci_high"] - by_group["mean"]], 0, None),
           capsize=4)
    plots.finish(ax, T("wallet.title", lang), T("col.group", lang), T("wallet.ylabel", lang))
    plt.show()
    claims.append(directional("lifecycle.wallet_promoters",
                              wallet.wallet_share_difference(survey, groups, "promoter", "detractor").difference, T,
                              lang=lang))
    print(claims[-1])
else:
    print(T("wallet.missing", lang))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
print(T("result.header", lang))
for c in claims:
    print("-", c)

# %% [markdown]
# How to read these results: the raw multichannel premium mixes channel use with buying frequency;
# only the comparison at the same number of orders speaks about channels, and even that is a
# comparison of customers who chose differently, not the effect of a channel. A channel's lapsed share
# is about that channel's system; the unified view is about the customer. Retention curves compare
# cohorts that were acquired at different times and through different channels, so a difference
# between channels may come from who each channel attracts. The winnable share is a model estimate:
# it depends on the model's assumption about when customers can drop out.
#
# ## Discussion
#
# * **Caveat - selection.** Customers choose their channels. Heavy buyers try more channels, and
#   younger customers may be likelier to sign up in the app. A regression holds the number of orders fixed, not the
#   customer's taste or budget; to learn what *moving* a customer to the app does, run an experiment
#   (an app voucher to a random half of the store-only customers).
# * **One customer id.** The silo effect is a data problem before it is an analysis problem: without
#   a shared customer id (the membership card, the phone number) no analysis can see channel shift.
#   Matching customers across systems by name and phone is error-prone; a member id at the till is not.
# * **Cohort effects.** The latest cohorts are observed for the fewest periods, and a cohort acquired
#   in a promotion (Double 11) may behave differently from one acquired in a quiet quarter. Compare
#   cohorts at the same period after signup, and ask what else changed in that quarter.
# * **Acquisition vs retention.** The course says acquiring new customers is no longer the focus of
#   marketing. The revenue split shows what each contributes *now*; it does not say what an extra
#   yuan spent on either would bring - that needs the cost of acquiring and of retaining a customer.
# * **Win-back.** A model that cannot let one-time buyers leave calls them all winnable; the choice
#   of model matters more than any decimal of the estimate. The winnable share says how many, not
#   whom: rank the lapsed by $P(\text{alive})$ and by past value, and test the offer on a random half.
#
# ## Quiz
# 1. Suppose multichannel customers spend far more per customer than single-channel customers.
#    Why is that no reason on its own to push every customer into a second channel, and what fairer
#    comparison does the lesson make?
# 2. The store system reports that many of its customers lapsed last year. What question would you ask
#    before launching a win-back campaign through the stores, and which number in this lesson answers it?
# 3. In a retention matrix, why are the cells in the lower right empty, and why should cohorts be
#    compared at the same period after signup rather than in the same calendar quarter?
# 4. The original and the modified BG/NBD can give very different winnable shares of the lapsed
#    customers. Which assumption makes the difference, and which answer would you trust for a win-back budget?
# 5. Why does the retailer need a survey to measure share of wallet, and why is a simple comparison of
#    the price tiers of first and later purchases not enough to show up-selling?

# %% [markdown] lang="zh"
# 解读这些结果时要注意：未调整的多渠道溢价把渠道使用与购买频率混在了一起；只有在订单数相同的条件下的比较才与渠道有关，而即便如此，
# 它比较的也是做出不同选择的客户，而不是渠道本身的效果。某个渠道的沉睡比例反映的是该渠道的系统；统一视图反映的才是客户本身。
# 留存曲线比较的是在不同时间、通过不同渠道获取的队列，因此渠道之间的差异可能来自各渠道吸引的客户不同。可挽回的比例是模型的估计：
# 它取决于模型关于客户何时可能流失的假设。
#
# ## 讨论
#
# * **注意——选择偏差。** 渠道是客户自己选的。购买多的客户会尝试更多渠道，年轻客户可能更常通过手机客户端注册。回归控制了订单数，
#   但没有控制客户的偏好或预算；要知道*把*客户转到手机客户端会带来什么，需要做实验（向随机一半的仅门店客户发放手机客户端优惠券）。
# * **统一的客户编号。** 筒仓效应首先是数据问题，然后才是分析问题：没有统一的客户编号（会员卡、手机号），任何分析都看不到渠道转移。
#   按姓名和电话在系统之间匹配客户容易出错；在收银台使用会员编号则不会。
# * **队列效应。** 最新的队列被观测的时期最少；在促销期间（双11）获取的队列，其行为可能与平淡季度获取的队列不同。
#   要在注册后相同的时期比较各队列，并追问那个季度还发生了什么变化。
# * **客户获取与客户保留。** 课程中说获取新客户已经不是营销活动的重心。收入分解显示了两者*目前*各自的贡献；它并没有说明在哪一方面
#   多投入一元钱会带来多少回报——这需要知道获取一位客户和保留一位客户的成本。
# * **客户挽回。** 一个不允许只买过一次的客户流失的模型，会认为他们全都可以挽回；模型的选择比估计值的任何一位小数都重要。
#   可挽回的比例说明的是有多少人，而不是哪些人：按 $P(\text{alive})$ 和过去的消费给沉睡客户排序，并在随机的一半客户上检验挽回优惠。
#
# ## 测验
# 1. 假设多渠道客户的人均消费远高于单渠道客户。为什么仅凭这一点不能把每位客户都推向第二个渠道？本课做了什么更公平的比较？
# 2. 门店系统报告说它的许多客户去年已经沉睡。在通过门店发起挽回活动之前，你会先问什么问题？本课中哪个数字回答了这个问题？
# 3. 在留存矩阵中，为什么右下角的单元格是空的？为什么应该在注册后的相同时期而不是在同一个日历季度比较各队列？
# 4. 原始 BG/NBD 模型与修正的模型给出的沉睡客户可挽回比例可能相差很大。是哪个假设造成了这种差异？在制定挽回预算时你会相信哪个结果？
# 5. 为什么零售商需要通过问卷来衡量钱包份额？为什么简单比较首次购买和后续购买的价格档次不足以证明购买升级？

# %% [markdown] tags=["quiz-answers"]
# **Quiz answers.**
# 1. A customer with one order cannot be multichannel, so the multichannel group consists of frequent
#    buyers; total spend compares frequency as much as channels. The lesson compares spend per order
#    and, in a regression, spend at the same number of orders ($\log$ orders as a covariate). Even that
#    compares customers who *chose* several channels; whether a second channel makes a customer buy
#    more needs an experiment. Look at whether the adjusted interval excludes zero and how much
#    smaller it is than the raw premium.
# 2. Ask how many of them still buy in another channel - they have not lapsed, they moved (channel
#    shift), and a store win-back offer to them is wasted or even annoying. The share of the store
#    system's "lapsed" customers active elsewhere (and, among all store customers, the overstatement of
#    the lapsed share with its interval) answers it; it needs the unified customer id.
# 3. A cohort that signed up recently has not yet lived through its later periods, so those cells are
#    not observed (not zero). Calendar quarters mix cohorts of different ages: in a given quarter an
#    old cohort is in its 8th period and a new one in its 1st, and retention falls with the period, so
#    the calendar comparison shows age, not cohort quality.
# 4. The original BG/NBD lets a customer drop out only after a repeat purchase, so a one-time buyer
#    has P(alive) = 1 however long ago the purchase was; the more of the lapsed bought once (the
#    lesson prints their share), the bigger the gap. The
#    modified BG/NBD lets them drop out after the first purchase too. For a budget, prefer the model
#    whose assumption fits (one-time buyers do leave), check it on a hold-out period if possible, and
#    test the offer on a random half before rolling it out.
# 5. The order data contain only spending at Suning; what a customer spends at JD, Gome or Tmall is
#    invisible, so the denominator of the share needs another source - a survey question (or panel
#    data). Stated shares are rounded recollections, so read the mean with its interval and compare
#    groups rather than trusting single answers. For up-sell: customers who buy the same category twice
#    differ in taste and budget, and prices move over time; comparing tiers across customers mixes these
#    with up-selling. The within-customer model compares each customer's own purchases, and the drift per
#    year says whether moving up becomes more likely with tenure - look at whether its interval excludes 0.

# %% [markdown] lang="zh"
# **测验答案。**
# 1. 只下过一个订单的客户不可能是多渠道客户，因此多渠道客户群由购买频繁的客户组成；比较总消费既是在比较渠道，也是在比较购买频率。
#    本课比较了单均消费，并在回归中比较了订单数相同时的消费（把对数订单数作为协变量）。即便如此，比较的也是*选择*了多个渠道的客户；
#    第二个渠道是否会让客户买得更多，需要做实验。看调整后的置信区间是否不包含零，以及它比未调整的溢价小多少。
# 2. 先问其中有多少人仍在其他渠道购买——他们并没有沉睡，而是转移了（渠道转移），通过门店向他们发送挽回优惠是浪费，甚至会打扰他们。
#    门店系统判为“沉睡”的客户中在其他渠道仍然活跃的比例（以及在全部门店客户中对沉睡比例的高估及其置信区间）回答了这个问题；
#    这需要统一的客户编号。
# 3. 最近注册的队列还没有经历后面的时期，因此这些单元格是未观测（而不是零）。日历季度会把不同“年龄”的队列混在一起：在同一个季度，
#    老队列处于第8期而新队列处于第1期，而留存随时期下降，因此按日历比较反映的是队列的年龄，而不是队列的质量。
# 4. 原始 BG/NBD 模型只允许客户在重复购买之后流失，因此只买过一次的客户无论多久以前购买，P(alive) 都等于1；沉睡客户中只买过一次的比例越高（本课打印了这一比例），两者的差距就越大。
#    修正的 BG/NBD 模型允许客户在首次购买后就流失。制定预算时，应选择假设符合实际的模型（只买过一次的客户确实会离开），如有可能在
#    留出期上检验，并在全面推广之前先在随机的一半客户上检验挽回优惠。
# 5. 订单数据只包含客户在苏宁的消费；客户在京东、国美或天猫的消费是看不到的，因此份额的分母需要其他来源——问卷题目（或固定样本数据）。
#    自报的份额是取整后的回忆，因此要结合置信区间解读均值、比较各组，而不是相信单个回答。关于购买升级：在同一品类购买两次的客户
#    在偏好和预算上各不相同，价格也会随时间变化；跨客户比较价格档次会把这些因素与购买升级混在一起。客户内部模型比较的是每位客户
#    自己的购买，每年的趋势说明随着购买时间增长升档是否更可能——看其置信区间是否不包含0。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The variables
# named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** The silo effect in the web system: among all customers with a counted order on the
# web up to `as_of` (that day included), what share does the web system call lapsed (the date of the
# last web order at least `lapse_days` days before `as_of`) although they bought in another channel
# within the last `lapse_days` days? Store it in
# `web_false_lapsed` (a share between 0 and 1).

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间写代码；每个练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量将根据你自己的数据集评分。
#
# **练习 1。** 网站系统中的筒仓效应：在 `as_of` 当天及之前在网站上有过计入订单的全部客户中，有多少比例被网站系统判为沉睡
# （最后一个网站订单的日期在 `as_of` 之前至少 `lapse_days` 天），但在最近 `lapse_days` 天内在其他渠道购买过？存入 `web_false_lapsed`（0 到 1 之间的比例）。

# %% tags=["exercise"]
# answer: web_false_lapsed rel=1e-6 points=1
### BEGIN SOLUTION
_end = pd.Timestamp(as_of)
_o = counted_orders(orders)
_o = _o[_o["order_ts"] < _end + pd.Timedelta(days=1)].assign(day=lambda o: o["order_ts"].dt.normalize())
web_last = _o[_o["channel"] == "web"].groupby("customer_id")["day"].max()
any_last = _o.groupby("customer_id")["day"].max().reindex(web_last.index)
gap = pd.Timedelta(days=lapse_days)
web_false_lapsed = float(((_end - web_last >= gap) & (_end - any_last < gap)).mean())
### END SOLUTION

# %%
assert isinstance(web_false_lapsed, float) and 0 <= web_false_lapsed <= 1, T("hint.share", lang)
if abs(web_false_lapsed - false_store.estimate) < 1e-9:
    print(T("hint.other_channel", lang))
_web = lifecycle.silo_false_lapsed(orders, as_of=as_of, channel="web", window_days=lapse_days)
if abs(web_false_lapsed - _web.share_of_lapsed) < 1e-9 and _web.n_silo_lapsed < _web.n_customers:
    print(T("hint.denominator_lapsed", lang))
### BEGIN HIDDEN TESTS
assert abs(web_false_lapsed - lifecycle.silo_false_lapsed(orders, as_of=as_of, channel="web",
                                                          window_days=lapse_days).estimate) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** Half-year retention of web signups: take the customers who signed up on the web
# (`customers.signup_channel`) and count periods of 182 days after signup. Of the web signups whose
# whole second half-year (days 182 to 363 after signup) lies before `as_of`, what share placed a
# counted order in it? Store it in `web_halfyear2_retention`.

# %% [markdown] lang="zh"
# **练习 2。** 网站注册客户的半年留存：取通过网站注册的客户（`customers.signup_channel`），按注册后每182天为一期计算。
# 在注册后第二个半年（注册后第182至363天）已全部早于 `as_of` 的网站注册客户中，有多少比例在这段时间内下过计入的订单？
# 存入 `web_halfyear2_retention`。

# %% tags=["exercise"]
# answer: web_halfyear2_retention rel=1e-6 points=1
### BEGIN SOLUTION
_curve = lifecycle.retention_curve(orders, customers, as_of=as_of, by="signup_channel", period_days=182, n_periods=2)
web_halfyear2_retention = float(_curve.set_index(["cohort", "period"]).loc[("web", 2), "share"])
### END SOLUTION

# %%
assert isinstance(web_halfyear2_retention, float) and 0 <= web_halfyear2_retention <= 1, T("hint.share", lang)
_quarters = by_channel.set_index(["cohort", "period"])["share"]
if any(abs(web_halfyear2_retention - _quarters.get(("web", k), np.nan)) < 1e-9 for k in (1, 2, 3)):
    print(T("hint.period", lang))
_all = lifecycle.retention_curve(orders, customers, as_of=as_of, period_days=182, n_periods=2)
if abs(web_halfyear2_retention - float(_all.loc[_all["period"] == 2, "share"].iloc[0])) < 1e-9:
    print(T("hint.cohort", lang))
### BEGIN HIDDEN TESTS
_key = lifecycle.retention_curve(orders, customers, as_of=as_of, by="signup_channel", period_days=182, n_periods=2)
assert abs(web_halfyear2_retention - float(_key.set_index(["cohort", "period"]).loc[("web", 2), "share"])) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Not every lapsed customer is a one-time buyer. Among the lapsed customers who bought
# on at least two different days (`frequency >= 1` in the model's table), what is the mean
# $P(\text{alive})$ under the modified BG/NBD? Store it in `winnable_repeat_buyers`.

# %% [markdown] lang="zh"
# **练习 3。** 并非所有沉睡客户都只买过一次。在至少有两天购买记录的沉睡客户（模型表中 `frequency >= 1`）中，修正的 BG/NBD
# 模型给出的平均 $P(\text{alive})$ 是多少？存入 `winnable_repeat_buyers`。

# %% tags=["exercise"]
# answer: winnable_repeat_buyers rel=1e-6 points=1
### BEGIN SOLUTION
_t = wb.customers
winnable_repeat_buyers = float(_t.loc[_t["lapsed"] & (_t["frequency"] >= 1), "p_alive"].mean())
### END SOLUTION

# %%
assert isinstance(winnable_repeat_buyers, float) and 0 <= winnable_repeat_buyers <= 1, T("hint.share", lang)
if abs(winnable_repeat_buyers - wb.estimate) < 1e-9:
    print(T("hint.subgroup", lang))
_orig = wb_original.customers
if abs(winnable_repeat_buyers - float(_orig.loc[_orig["lapsed"] & (_orig["frequency"] >= 1), "p_alive"].mean())) < 1e-9:
    print(T("hint.model", lang))
### BEGIN HIDDEN TESTS
_t = wb.customers
assert abs(winnable_repeat_buyers - float(_t.loc[_t["lapsed"] & (_t["frequency"] >= 1), "p_alive"].mean())) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Written task (graded by hand).** Write a one-page memo to Suning's CRM manager on channel strategy
# and win-back. Using only what this notebook computed on *your* data: what multichannel customers are
# worth once buying frequency is taken into account; what the store system gets wrong about its
# "lapsed" customers and what it would take to fix it; what the cohorts say about retention and about
# acquisition vs retention; and how many lapsed customers a win-back campaign could reach. Recommend
# two actions, say which evidence each rests on, and name one thing the data cannot tell and how to
# find it out.

# %% [markdown] lang="zh"
# **书面作业（人工评分）。** 给苏宁的客户关系管理经理写一页关于渠道策略和客户挽回的备忘录。只使用本笔记本在*你的*数据上算出的结果：
# 考虑购买频率之后多渠道客户价值如何；门店系统对其“沉睡”客户的判断错在哪里、怎样才能纠正；队列对留存以及客户获取与客户保留说明了什么；
# 挽回活动能覆盖多少沉睡客户。提出两项行动建议，说明每项建议依据的证据，并指出一件数据无法告诉我们的事以及如何查明。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# *Model outline (what a good memo covers):*
# - Separates the raw multichannel premium from the comparison at the same number of orders, with
#   intervals, and says that channel choice is self-selected.
# - Explains the silo effect with the share of the store's "lapsed" customers who buy elsewhere, and
#   names the fix: one customer id across channels (membership card / phone at the till).
# - Reads the retention matrix and curves at the same period after signup; states the new vs
#   returning revenue split with its interval and what it does not say (costs).
# - Gives the number of lapsed customers and the winnable share with its interval, explains why the
#   model choice matters (one-time buyers), and proposes targeting by P(alive) and past value.
# - Two concrete actions tied to the evidence (e.g. a unified id before any store win-back; a
#   randomised win-back test), and one open question with a way to answer it.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# *参考要点（好的备忘录应包括）：*
# - 区分未调整的多渠道溢价与订单数相同时的比较，给出置信区间，并指出渠道是客户自己选择的。
# - 用门店“沉睡”客户中仍在其他渠道购买的比例说明筒仓效应，并提出解决办法：跨渠道统一的客户编号（收银时使用会员卡或手机号）。
# - 在注册后相同的时期解读留存矩阵和留存曲线；给出新老客户收入的构成及其区间，并说明它没有回答的问题（成本）。
# - 给出沉睡客户的人数和可挽回比例及其区间，解释模型的选择为何重要（只买过一次的客户），并建议按 P(alive) 和过去的消费选择目标客户。
# - 两项与证据相联系的具体行动（如在门店挽回之前先统一客户编号；随机化的挽回试验），以及一个未解决的问题和回答它的办法。

# %% [markdown] tags=["rubric"]
# **Rubric (10 points).**
# - Multichannel value: raw vs adjusted comparison with intervals, the selection caveat (2).
# - Silo effect: the overstated lapsed share explained with its number, the fix named (2).
# - Cohorts: retention read at the same period after signup, acquisition vs retention split with interval (2).
# - Win-back: lapsed count, winnable share with interval, why the model matters (2).
# - Two actions tied to evidence, one open question with a way to answer it; clear, one page (2).

# %% [markdown] lang="zh"
# **评分标准（10分）。**
# - 多渠道客户价值：未调整与调整后的比较及其置信区间，指出选择偏差（2分）。
# - 筒仓效应：用数字说明被高估的沉睡比例，并提出解决办法（2分）。
# - 队列：在注册后相同时期解读留存，客户获取与客户保留的收入构成及其区间（2分）。
# - 客户挽回：沉睡客户人数、可挽回比例及其区间，说明模型为何重要（2分）。
# - 两项有证据支持的行动建议，一个未解决的问题及回答办法；条理清楚，一页以内（2分）。

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# - Compare channel types at the same buying frequency: multichannel customers are frequent buyers by
#   construction.
# - A channel's own system miscounts its customers and calls movers "lapsed"; a shared customer id is
#   the cure for the silo effect.
# - Read retention by cohort at the same period after signup, and split revenue into acquisition and
#   retention before deciding where the next yuan goes.
# - The winnable share of lapsed customers is a model estimate: check what the model assumes about
#   one-time buyers, and test win-back offers on a random half.

# %% [markdown] lang="zh"
# ## 要点回顾
# - 在购买频率相同的条件下比较各渠道类型：多渠道客户按定义就是购买频繁的客户。
# - 单个渠道的系统会算错自己的客户数，并把转移了渠道的客户当作“沉睡”；统一的客户编号是解决筒仓效应的办法。
# - 在注册后相同的时期按队列解读留存，并在决定下一元钱投向哪里之前，把收入分解为客户获取和客户保留两部分。
# - 沉睡客户中可挽回的比例是模型的估计：要检查模型对只买过一次的客户作了什么假设，并在随机的一半客户上检验挽回优惠。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# The simulator knows which customers are still latently alive at the end of the data, the planted
# up-sell drift and the share-of-wallet answers it drew. The winnable share is compared with the true
# share alive among the lapsed customers, the up-sell and wallet findings with their planted values;
# the channel, silo and cohort findings describe the data themselves and have no separate truth.

# %% [markdown] lang="zh"
# ## 与真实值对照（仅限模拟数据）
# 模拟器知道数据结束时哪些客户潜在地仍然“活着”，也知道预设的购买升级趋势和它生成的钱包份额回答。可挽回的比例与沉睡客户中真实
# 仍然活着的比例对照，购买升级和钱包份额的发现与预设值对照；渠道、筒仓和队列的发现描述的是数据本身，没有单独的真实值。

# %%
claims_truth = {}
if data.truth is not None:
    lc = data.truth.get("lifecycle", {})
    if "lapsed_alive_share" in lc:
        claims_truth["lifecycle.winnable"] = float(lc["lapsed_alive_share"])
    elif data.truth_customers is not None:
        tc = data.truth_customers.set_index("customer_id")
        churned_by = tc["churned"].astype(bool) & (pd.to_datetime(tc["churn_date"]) <= pd.Timestamp(as_of))
        lapsed_ids = wb.customers.index[wb.customers["lapsed"]]
        claims_truth["lifecycle.winnable"] = float((~churned_by.reindex(lapsed_ids).fillna(False).astype(bool)).mean())
    truth_keys = {"lifecycle.upsell_drift": ("upsell_log_odds_per_year", None),
                  "lifecycle.wallet_mean": ("wallet_share_mean", "respondents"),
                  "lifecycle.stores_3plus": ("stores_3plus_share", "respondents"),
                  "lifecycle.wallet_promoters": ("wallet_share_promoter_minus_detractor", None)}
    for cid, (key, sub) in truth_keys.items():
        if key in lc:
            claims_truth[cid] = float(lc[key][sub] if sub else lc[key])
    rows = []
    if "tier_move_shares" in lc and drift is not None:
        rows += [(f"tier moves: {m}", round(float(moves.loc[m, "share"]), 3), round(lc["tier_move_shares"][m], 3),
                  "CI should cover") for m in ("up", "same", "down") if m in moves.index]
    if "lifecycle.winnable" in claims_truth:
        rows.append(("lapsed customers still alive", round(wb.estimate, 3), round(claims_truth["lifecycle.winnable"], 3),
                     "CI should cover (if the model fits)"))
        rows.append(("... by the original BG/NBD", round(wb_original.estimate, 3),
                     round(claims_truth["lifecycle.winnable"], 3), "one-time buyers all alive: too high"))
    if rows:
        display(truth_check(rows))
    check = pd.DataFrame([(c.id, c.estimate, c.ci[0], c.ci[1], claims_truth[c.id], c.supported) for c in claims
                          if c.id in claims_truth],
                         columns=["claim", "estimate", "ci_low", "ci_high", "truth", "supported"]).set_index("claim")
    check["covered"] = (check["ci_low"] <= check["truth"]) & (check["truth"] <= check["ci_high"])
    display(check.astype({k: object for k in ("estimate", "ci_low", "ci_high", "truth")})
            .map(lambda v: f"{v:.4g}" if isinstance(v, float) else v))
else:
    print("no truth available (real data)")

# %%
results = {
    "channel_types": profile["channel_type"].value_counts().to_dict(),
    "multichannel_premium_raw": raw.estimate,
    "multichannel_premium_adjusted": adjusted.estimate,
    "multichannel_premium_adjusted_ci": [adjusted.ci_low, adjusted.ci_high],
    "store_false_lapsed": false_store.estimate,
    "lapsed": wb.n_lapsed,
    "winnable_share": wb.estimate,
    "winnable_share_ci": [wb.ci_low, wb.ci_high],
    "winnable_share_bgnbd": wb_original.estimate,
    "upsell_log_odds_per_year": drift.log_odds_per_year.estimate if drift is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
