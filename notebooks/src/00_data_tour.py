# %% [markdown]
# # 00 · Data tour: the Suning-style retailer and its CRM data
#
# **Question.** What does a multichannel 3C retailer (家电 3C 零售商: appliances, computers, phones)
# know about its customers, and is the data fit for the analyses of this course?
#
# **Method.** Walk through the tables of the data contract, how they join, check them against the
# contract, and look at the patterns every later notebook relies on: channels, seasonality,
# repeat buying, revenue concentration and where the customers live.
#
# **Contents.** *Theory*: the customer archive (客户档案) and the data contract.
# *Practical*: load → validate → join → channels → seasonality → repeat buying → places.
# *Discussion*, *Quiz*, *Exercises*, a written task, and a final *check against the truth*
# (synthetic data only).
#
# **References.** Course case: Suning (苏宁易购) multichannel retail; CDNOW and UCI Online Retail II
# for the realism targets (Fader & Hardie; Chen 2019).

# %% [markdown] lang="zh"
# # 00 · 数据概览：苏宁式零售商及其客户关系管理数据
#
# **问题。** 一家多渠道的家电 3C 零售商（家电、电脑、手机）掌握了客户的哪些信息？这些数据能否支撑本课程的分析？
#
# **方法。** 逐一浏览数据契约中的各张表，看它们如何关联，按契约检查数据，并观察后续各课都要用到的规律：
# 渠道、季节性、重复购买、销售额集中度以及客户所在地。
#
# **内容。** *理论*：客户档案与数据契约。
# *实践*：加载 → 校验 → 关联 → 渠道 → 季节性 → 重复购买 → 地区。
# 随后是*讨论*、*测验*、*练习*、一项书面作业，最后是*与真值对照*（仅限模拟数据）。
#
# **参考资料。** 课程案例：苏宁易购的多渠道零售；真实性目标参照 CDNOW 和 UCI Online Retail II 数据
# （Fader & Hardie；Chen 2019）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * *describe* the tables of a retailer's CRM data and *join* them by their keys;
# * *check* a dataset against its data contract and count what an analyst checks by hand;
# * *compute* shares, per-customer totals and group comparisons with pandas, on completed orders only;
# * *interpret* a trend or a peak only together with its confidence interval;
# * *judge* what the archive can and cannot tell about customers.
#
# **Prerequisites.** Python and pandas basics (`groupby`, `merge`); shares and means. No earlier lesson.
#
# **Time.** About 90 minutes: 45 in class, 45 for the exercises and the written task.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课后，你能够
# * *说明*零售商客户关系管理数据中的各张表，并按主键把它们*关联*起来；
# * 按数据契约*检查*数据集，并完成分析师通常手工核对的计数；
# * 只用已完成订单，用 pandas *计算*比例、每位客户的合计以及分组比较；
# * 只结合置信区间来*解读*趋势或高峰；
# * *判断*客户档案能告诉我们什么、不能告诉我们什么。
#
# **先修知识。** Python 与 pandas 基础（`groupby`、`merge`）；比例与均值。无需先学其他课。
#
# **时间。** 约 90 分钟：课堂 45 分钟，练习与书面作业 45 分钟。
#
# 术语见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# A retailer's CRM data is a set of linked tables. The **customer archive** (客户档案) holds who the
# customer is; **orders** and **order lines** hold what they bought, when and through which
# channel (store 门店, web 网站, app); **service events** record what went wrong after the
# purchase (late delivery, failed installation, a cancelled order, an expired coupon, a complaint);
# the **loyalty** tables record membership and points; **campaigns** record who was sent a
# retention offer; the **survey** records what customers say.
#
# Keys tie them together: `orders.customer_id → customers`, `order_items.order_id → orders`,
# `order_items.sku → products`, `service_events.order_id → orders`. The *data contract*
# (`crmlab.CONTRACT`) fixes names, keys, types and allowed codes, so that the same notebooks run on a
# synthetic dataset or a real extract.
#
# The data keep **codes** (`nanjing`, `tv`, `app`); what the notebooks show uses display names in
# the edition's language (`crmlab.i18n.display_names`). Compute with the codes.

# %% [markdown] lang="zh"
# ## 理论
#
# 零售商的客户关系管理数据是一组相互关联的表。**客户档案**记录客户是谁；**订单**和**订单明细**记录客户
# 买了什么、何时买、通过哪个渠道（门店、网站、手机客户端）；**服务事件**记录购买之后出了什么问题
# （配送延误、安装未按时完成、订单被取消、优惠券过期、投诉）；**会员**相关的表记录会员资格和积分；
# **营销活动**表记录谁收到了挽留优惠；**问卷调查**记录客户怎么说。
#
# 主键把它们连在一起：`orders.customer_id → customers`、`order_items.order_id → orders`、
# `order_items.sku → products`、`service_events.order_id → orders`。*数据契约*（`crmlab.CONTRACT`）
# 规定了表名、主键、数据类型和允许的代码，因此同一套笔记本既能用于模拟数据，也能用于真实数据。
#
# 数据中保存的是**代码**（`nanjing`、`tv`、`app`）；笔记本展示时使用当前语言版本的显示名称
# （`crmlab.i18n.display_names`）。计算时请使用代码。

# %% [markdown]
# ## Practical
#
# ### Parameters
# `data_dir = None` uses the classroom dataset (or generates `preset`/`seed`); point it at a folder
# to analyse another dataset, e.g. a real extract.

# %% [markdown] lang="zh"
# ## 实践
#
# ### 参数
# `data_dir = None` 表示使用课堂数据集（或按 `preset`/`seed` 生成数据）；把它指向一个文件夹即可分析
# 其他数据集，例如真实数据。

# %% tags=["parameters"]
data_dir = None
preset = "classroom"
seed = 0
n_customers = None
as_of = "2025-12-31"
output_dir = "."
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import crmlab
from crmlab import plots
from crmlab.analysis import rfm, seasonality
from crmlab.analysis.claims import claims_json, directional
from crmlab.domain import CHINESE_NEW_YEAR, festival_dates
from crmlab.i18n import display_names, label, labels, place_name
from crmlab.realism import FACT_LABELS, stylized_facts
from crmlab.notebook import get_data, orders_with_value, require_tables, truth_check, write_results
from crmlab.notebook.texts.tour import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)

# %% [markdown]
# ### 1. Load the data
# One call returns a `Dataset`: a mapping of table name → DataFrame (`data.orders` or
# `data["orders"]`). Loading validates every table against the contract.

# %% [markdown] lang="zh"
# ### 1. 加载数据
# 一次调用返回一个 `Dataset`：表名 → DataFrame 的映射（`data.orders` 或 `data["orders"]`）。
# 加载时会按数据契约校验每一张表。

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["customers", "orders"], purpose="the data tour")
pd.Series({name: len(table) for name, table in data.items()}, name=T("rows", lang)).to_frame()

# %% [markdown]
# ### 2. The data contract
# Each table has a key and typed columns. Here are the columns of the order table, as the contract
# describes them (`crmlab.CONTRACT`), then the first orders and a few products (with their display
# names).

# %% [markdown] lang="zh"
# ### 2. 数据契约
# 每张表都有主键和规定类型的列。下面先是契约（`crmlab.CONTRACT`）对订单表各列的说明，然后是前几笔订单
# 和几件商品（显示名称）。

# %%
orders_spec = crmlab.CONTRACT["orders"]
pd.DataFrame([(c.name, c.kind, c.description) for c in orders_spec.columns],
             columns=[T(f"contract.{k}", lang) for k in ("column", "type", "meaning")]).set_index(T("contract.column", lang))

# %%
display_names(data.orders.head(), lang, headers=True)

# %%
if "products" in data and "category" in data.products:
    shown = display_names(data.products.groupby("category").head(1)[["sku", "category", "subcategory", "name"]
                                                                     + (["name_zh"] if "name_zh" in data.products
                                                                        else [])], lang, headers=True)
else:
    shown = None
shown

# %% [markdown]
# ### 3. Data quality checks
# `crmlab.validate_dataset` checks types, allowed codes, unique keys and foreign keys. A clean
# dataset passes silently; a broken one raises an error that names the file, the column and the
# offending rows. We also count a few things every analyst checks by hand.

# %% [markdown] lang="zh"
# ### 3. 数据质量检查
# `crmlab.validate_dataset` 检查数据类型、允许的代码、主键唯一性和外键。干净的数据集会静默通过；有问题的
# 数据集会报错，并指出文件、列和出错的行。我们还手工核对几项每位分析师都会检查的计数。

# %%
crmlab.validate_dataset(data.tables)
o = orders_with_value(data)
checks = pd.Series({
    T("check.no_customer", lang): int(o["customer_id"].isna().sum()),
    T("check.duplicates", lang): int(o["order_id"].duplicated().sum()),
    T("check.cancelled", lang): round(float(o["status"].eq("cancelled").mean()), 3),
    T("check.returned", lang): round(float(o["status"].eq("returned").mean()), 3),
    T("check.first", lang): str(o["order_ts"].min().date()),
    T("check.last", lang): str(o["order_ts"].max().date()),
}, name=T("value", lang))
checks.to_frame()

# %% [markdown]
# ### 4. Joining the tables
# A typical analysis table: completed orders with the customer's city tier and the main product
# category of each order (line 1).

# %% [markdown] lang="zh"
# ### 4. 关联各表
# 一张典型的分析表：已完成订单，附上客户的城市等级和每笔订单的主要商品品类（第 1 行明细）。

# %%
claims = []  # the findings of this run, each with its interval (saved in results.json)
done = o[o["status"] == "completed"]
if "order_items" in data and "products" in data:
    main = data.order_items[data.order_items["line_no"] == 1].merge(data.products[["sku", "category"]], on="sku")
    done = done.merge(main[["order_id", "category"]], on="order_id", how="left")
joined = done.merge(data.customers[["customer_id", "city_tier"]], on="customer_id", how="left")
display_names(joined[["order_id", "customer_id", "order_ts", "channel", "order_value", "city_tier"]
                     + (["category"] if "category" in joined else [])].head(), lang, headers=True)

# %% [markdown]
# ### 5. Channels: the shift to the app?
# Suning moved from stores to web (2010) and then to the app. Monthly shares of completed orders by
# channel; the sentence compares the app's share in the first and the last six months (Newcombe's
# interval of the difference).

# %% [markdown] lang="zh"
# ### 5. 渠道：订单是否在向手机客户端转移？
# 苏宁先从门店走向网站（2010 年），再走向手机客户端。下图是各渠道在已完成订单中的月度占比；下面的结论比较
# 手机客户端在最初六个月和最后六个月的占比（差值的 Newcombe 置信区间）。

# %%
monthly = done.groupby([done["order_ts"].dt.to_period("M"), "channel"]).size().unstack(fill_value=0)
share = monthly.div(monthly.sum(axis=1), axis=0).rename(columns=lambda c: label(c, lang))
app = seasonality.share_shift(done["channel"] == "app", done["order_ts"], months=6)
words = dict(first=app.share_first, last=app.share_last, months=app.months)
claims.append(directional("tour.app_share", app, T, lang=lang, **words))
ax = share.plot.area(figsize=(8, 4), color=plots.PALETTE[:share.shape[1]], alpha=0.85)
plots.finish(ax, directional("tour.app_share.title", app, T, lang=lang, **words).text, T("channels.x", lang),
             T("channels.y", lang))
plt.show()
print(claims[-1].text)

# %% [markdown]
# ### 6. Seasonality: Chinese New Year, 618 and Double 11
# Completed orders per day with the festivals of the retail calendar (`crmlab.domain`) marked: the
# three weeks before Chinese New Year (春节, shaded), the mid-year 618 festival and Double 11 (双十一,
# 11 November). A peak that *looks* obvious is still an estimate: each festival is compared with the
# surrounding weeks (other promotion periods left out) in a Poisson regression with a level and a
# trend per year and weekday effects; the interval allows for days that vary more than Poisson
# counts (quasi-Poisson).

# %% [markdown] lang="zh"
# ### 6. 季节性：春节、618 与双十一
# 每日已完成订单数，并标出零售日历（`crmlab.domain`）中的购物节：春节前三周（阴影）、年中的 618 和
# 双十一（11 月 11 日）。*看起来*明显的高峰仍然只是估计值：每个购物节都与前后几周相比（剔除其他促销期），
# 采用泊松回归，按年份设水平和趋势，并加入星期效应；置信区间考虑了日订单量比泊松分布波动更大的情况
# （拟泊松）。

# %%
daily = seasonality.daily_totals(done, statuses=None)  # `done` holds the completed orders already
cny = seasonality.cny_run_up(daily)
claims.append(directional("tour.cny_run_up", cny, T, null=1.0, lang=lang))
for code in ("double11", "618"):
    fest = seasonality.festival_day_effect(daily, code)
    c = directional("tour.festival_day", fest, T, null=1.0, lang=lang, festival=T(f"festival.{code}", lang))
    claims.append(dataclasses.replace(c, id=f"tour.{code}"))
counts = daily["orders"]
fig, ax = plt.subplots(figsize=(9, 3.8))
ax.plot(counts.index, counts.to_numpy(), lw=0.8, color=plots.PALETTE[0])
ax.plot(counts.rolling(28, center=True).mean(), lw=2, color=plots.PALETTE[1], label=T("season.average", lang))
ax.set_ylim(0, counts.max() * 1.15)
for year, day in CHINESE_NEW_YEAR.items():  # the run-up window, shaded, and New Year's day
    new_year = pd.Timestamp(day)
    if counts.index[0] <= new_year - pd.Timedelta(days=2) and new_year - pd.Timedelta(days=22) <= counts.index[-1]:
        ax.axvspan(new_year - pd.Timedelta(days=22), new_year - pd.Timedelta(days=2), color=plots.PALETTE[2],
                   alpha=0.2, lw=0)
        ax.annotate(T("festival.chinese_new_year", lang), (new_year, counts.max() * 1.08), ha="center", fontsize=8)
for fest in festival_dates(counts.index[0], counts.index[-1]).itertuples():
    if fest.festival in ("618", "double11"):  # the label sits above the highest day of the week around it
        near = counts[fest.date - pd.Timedelta(days=7):fest.date + pd.Timedelta(days=7)]
        ax.annotate(T(f"festival.{fest.festival}", lang), (fest.date, near.max()), xytext=(0, 6),
                    textcoords="offset points", ha="center", fontsize=8)
        ax.axvline(fest.date, color="grey", lw=0.6, ls=":")
ax.legend(frameon=False, loc="lower right")
plots.finish(ax, directional("tour.cny_run_up.title", cny, T, null=1.0, lang=lang).text, T("season.x", lang),
             T("season.y", lang))
plt.show()
print("\n".join(c.text for c in claims[-3:]))

# %% [markdown]
# ### 7. Repeat buying and revenue concentration
# How many orders does a customer place, and how concentrated is revenue? These two facts shape
# churn analysis (most customers buy once or twice) and segmentation (a few customers matter most).

# %% [markdown] lang="zh"
# ### 7. 重复购买与销售额集中度
# 一位客户下多少笔订单？销售额有多集中？这两点决定了客户流失分析（多数客户只买一两次）和客户细分
# （少数客户最重要）的做法。

# %%
per_customer = done.groupby("customer_id").size()
few = rfm.low_frequency_share(per_customer, max_orders=2)
claims.append(directional("tour.one_or_two", few, T, null=0.5, lang=lang))
buyers = per_customer.clip(upper=6).value_counts().sort_index()
buyers.index = [str(i) if i < 6 else "6+" for i in buyers.index]
plots.bar(buyers / buyers.sum(), directional("tour.one_or_two.title", few, T, null=0.5, lang=lang).text,
          T("orders.x", lang), T("orders.y", lang), fmt=".0%")
plt.show()
print(claims[-1].text)

# %%
facts = stylized_facts(data)
pd.Series({T(f"fact.{k}", lang) if f"fact.{k}" in T else FACT_LABELS[k]: v for k, v in facts.items() if v is not None},
          name=T("value", lang)).to_frame()

# %% [markdown]
# ### 8. Where the customers live and shop
# The archive records each customer's province, city and city tier (一线 … 五线城市), and the store
# table where the stores are. Counts by province, then the stores by format (flagship, standard,
# community store) and city tier. The names come out in the edition's language; the data keep
# codes.

# %% [markdown] lang="zh"
# ### 8. 客户住在哪里、在哪里购物
# 客户档案记录了每位客户所在的省份、城市和城市等级（一线 … 五线城市），门店表记录了门店的位置。
# 先按省份统计客户数，再按门店类型（旗舰店、标准门店、社区店）和城市等级统计门店数。名称以当前语言版本
# 显示；数据中保存的是代码。

# %%
if "province" in data.customers and data.customers["province"].notna().any():
    by_province = data.customers["province"].value_counts().head(10)
    plots.bar(by_province.rename(index=lambda p: place_name(p, lang, province=True)),
              T("places.title", lang), T("places.x", lang), T("places.y", lang))
    plt.show()
if "stores" in data:
    print(T("stores.table", lang))
    store_mix = pd.crosstab(data.stores["format"], data.stores["city_tier"])
    store_mix.index = labels(store_mix.index, lang)
    display(store_mix.rename_axis(index=None, columns=T("places.tier", lang)))
    display(display_names(data.stores.head(6)[["store_id", "name", "format", "city", "province", "city_tier"]], lang,
                          headers=True))

# %% [markdown]
# ## Result
#
# The dataset follows the contract and passes validation. The findings of this run, each with its
# interval (the data cannot tell where the interval includes "no change"), and the stylized facts
# in the table above are what the later notebooks rely on:

# %% [markdown] lang="zh"
# ## 结果
#
# 数据集符合数据契约并通过了校验。本次运行的结论（每条都附有置信区间；区间包含"没有变化"时，数据无法
# 作出判断）以及上表中的典型事实，是后续各课的基础：

# %%
for c in claims:
    print("-", c.text)

# %% [markdown]
#
# ## Discussion
#
# * **Caveat - synthetic data.** The patterns are planted by a simulator calibrated to public data
#   (CDNOW, Online Retail II, Olist); real extracts are messier: missing customer ids, cancellations as
#   negative quantities, duplicate rows, mixed date formats. Generate a faulty copy with
#   `crmlab.make_retail_crm("tiny", faults=True)` to practise cleaning.
# * The archive records what the retailer *can* see. Whether a customer has left, why, and which
#   segment they belong to are *latent*: later notebooks estimate them. Purchases at competitors
#   (share of wallet) and where a store visitor heard of a product are not recorded at all.
# * **One customer, one id.** The course documents warn of the silo effect (筒仓效应): store, web
#   and app data kept in systems that do not match. The joins above work only because every table
#   carries the same `customer_id`; in a real extract, check how many orders cannot be matched.
#
# ## Quiz
# 1. Which key joins `order_items` to `customers`, and through which table?
# 2. Why do we restrict most analyses to *completed* orders?
# 3. The app share grows over time. What could that do to a comparison of store and app customers?
# 4. Why does a festival peak need an interval when it is plainly visible in the figure?

# %% [markdown] lang="zh"
#
# ## 讨论
#
# * **注意——模拟数据。** 这些规律由一个按公开数据（CDNOW、Online Retail II、Olist）校准的模拟器写入；
#   真实数据要杂乱得多：缺失的客户编号、以负数量表示的取消、重复行、混杂的日期格式。可以用
#   `crmlab.make_retail_crm("tiny", faults=True)` 生成一份带错误的数据来练习数据清洗。
# * 客户档案只记录零售商*能*看到的信息。客户是否已经流失、为什么流失、属于哪个客户细分，都是*潜在的*，
#   需要在后续各课中估计。客户在竞争对手处的购买（顾客份额）以及门店顾客从哪里得知商品，则完全没有记录。
# * **一位客户，一个编号。** 课程资料提醒要警惕筒仓效应：门店、网站和手机客户端的数据存放在互不匹配的
#   系统中。上面的关联之所以可行，是因为每张表都带有同一个 `customer_id`；处理真实数据时，要检查有多少
#   订单无法匹配到客户。
#
# ## 测验
# 1. 哪个键把 `order_items` 与 `customers` 关联起来？要经过哪张表？
# 2. 为什么大多数分析只使用*已完成*订单？
# 3. 手机客户端的占比随时间上升。这会给门店客户与手机客户端客户的比较带来什么影响？
# 4. 购物节高峰在图上一目了然，为什么仍然需要置信区间？

# %% [markdown] tags=["quiz-answers"]
# **Quiz answers.**
# 1. There is no direct key: `order_items.order_id → orders.order_id`, then
#    `orders.customer_id → customers.customer_id`. Join the lines to the orders first.
# 2. Cancelled and returned orders are not purchases: they bring no revenue and say nothing about
#    repeat buying. Counting them inflates frequency and value. They are not thrown away: they are
#    service failures, studied in the churn lesson. The project has one rule for which orders count
#    (`crmlab.domain.COUNTED_STATUSES`), so every lesson counts the same orders.
# 3. Channel and time get mixed up: if app customers are on average more recent (or younger), a
#    store-vs-app difference may be a difference between early and late customers. Compare within
#    the same period (or cohort), or adjust for signup date, before calling it a channel effect.
# 4. The figure shows one realisation: daily orders vary a lot, a peak can coincide with a trend or a
#    weekday pattern, and with few years of data one festival day is a small sample. The interval says
#    how large the lift could plausibly be; where it includes 1 the data cannot tell whether there is a
#    lift at all. Look at whether the interval excludes 1 and how wide it is.

# %% [markdown] lang="zh"
# **测验答案。**
# 1. 两者之间没有直接的键：先用 `order_items.order_id → orders.order_id`，再用
#    `orders.customer_id → customers.customer_id`。先把明细关联到订单上。
# 2. 已取消和已退货的订单不是购买：它们没有带来销售额，也不能说明重复购买。把它们算进去会夸大购买频率和
#    金额。但它们并没有被丢掉：它们属于服务失误，在客户流失一课中分析。本项目对哪些订单计数只有一条规则
#    （`crmlab.domain.COUNTED_STATUSES`），因此每一课计算的订单都相同。
# 3. 渠道与时间会混在一起：如果手机客户端客户平均而言更新（或更年轻），门店与手机客户端的差异就可能只是
#    早期客户与后期客户的差异。在同一时期（或同一批次客户）内比较，或对注册日期进行调整后，才能称之为
#    渠道效应。
# 4. 图上只是一次实现：日订单量波动很大，高峰可能与趋势或星期规律重合，而只有两三年的数据时，一个购物节
#    只是很小的样本。置信区间说明提升幅度可能有多大；区间包含 1 时，数据无法判断是否真的有提升。要看区间
#    是否排除了 1，以及区间有多宽。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset. The tables `o`
# (all orders with their value) and `done` (completed orders) are ready to use. The checks after
# each exercise look for the usual mistakes on the course data (`course_data` is True for a
# generated dataset); they never show the expected value.
#
# **Exercise 1 (repeat buying of a cohort).** The chart in section 7 mixes customers who joined at
# different times: a customer whose first purchase was last month has had little time to come back.
# Take the customers whose *first* completed order was in the first calendar year of the data (2024
# in the classroom data). What share of them placed at least one more completed order later? Store it in `repeat_share_2024` (a share between 0 and 1).

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间编写代码；每道练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量会按你自己的数据集
# 评分。可以直接使用 `o`（所有订单及其金额）和 `done`（已完成订单）两张表。每道练习后面的检查会在课程数据上
# 查找常见错误（生成的数据集 `course_data` 为 True）；它们从不显示正确答案。
#
# **练习 1（一批客户的重复购买）。** 第 7 节的图把不同时间加入的客户混在了一起：上个月才首次购买的客户
# 几乎没有时间再次购买。取*首次*完成订单在数据第一个日历年（课堂数据中为 2024 年）的客户。他们之中有多大比例后来至少又完成了
# 一笔订单？
# 把结果保存在 `repeat_share_2024` 中（0 到 1 之间的比例）。

# %%
course_data = data.scenario is not None  # a generated dataset: the checks below know its usual mistakes

# %% tags=["exercise"]
# answer: repeat_share_2024 abs=1e-9 points=2
### BEGIN SOLUTION
first_order = done.groupby("customer_id")["order_ts"].min()
n_orders = done.groupby("customer_id").size()
first_year = done["order_ts"].dt.year.min()
repeat_share_2024 = float((n_orders[first_order.dt.year == first_year] >= 2).mean())
### END SOLUTION

# %%
assert isinstance(repeat_share_2024, float), T("ex.number", lang)
assert 0 <= repeat_share_2024 <= 1, T("ex.share", lang)
if course_data:
    assert abs(repeat_share_2024 - float((done.groupby("customer_id").size() >= 2).mean())) > 1e-9, T("ex1.cohort", lang)
    assert abs(repeat_share_2024 - float((o.groupby("customer_id").size() >= 2).mean())) > 1e-9, T("ex1.status", lang)
### BEGIN HIDDEN TESTS
_first = done.groupby("customer_id")["order_ts"].min()
_n = done.groupby("customer_id").size()
assert abs(repeat_share_2024 - float((_n[_first.dt.year == done["order_ts"].dt.year.min()] >= 2).mean())) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2 (the Double 11 month).** Section 6 counts orders per day. For the stock and staff plan
# the buyer needs money, not orders: what share of the completed *revenue* falls in November (all
# years together)? Store it in `november_share`.

# %% [markdown] lang="zh"
# **练习 2（双十一所在的月份）。** 第 6 节统计的是每日订单数。采购人员制定备货和人员计划时需要的是金额，
# 而不是订单数：已完成订单的*销售额*中有多大比例落在 11 月（各年合计）？把结果保存在 `november_share` 中。

# %% tags=["exercise"]
# answer: november_share abs=1e-9 points=1
### BEGIN SOLUTION
november_share = float(done.loc[done["order_ts"].dt.month == 11, "order_value"].sum() / done["order_value"].sum())
### END SOLUTION

# %%
assert isinstance(november_share, float), T("ex.number", lang)
assert 0 <= november_share <= 1, T("ex.share", lang)
if course_data:
    assert abs(november_share - float((done["order_ts"].dt.month == 11).mean())) > 1e-9, T("ex2.count", lang)
    assert abs(november_share - float(o.loc[o["order_ts"].dt.month == 11, "order_value"].sum()
                                      / o["order_value"].sum())) > 1e-9, T("ex2.status", lang)
### BEGIN HIDDEN TESTS
assert abs(november_share - done.loc[done["order_ts"].dt.month == 11, "order_value"].sum() / done["order_value"].sum()) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3 (big cities, big customers?).** Section 8 shows where the customers live. Are
# customers in tier-1 cities worth more than those in tier-5 cities? Among customers with at least
# one completed order, compute the mean completed revenue *per customer* in tier-1 cities divided by
# that in tier-5 cities (`customers.city_tier`). Store the ratio in `tier_ratio` (`float("nan")` if
# the data have no customers of either tier).

# %% [markdown] lang="zh"
# **练习 3（大城市，大客户？）。** 第 8 节展示了客户住在哪里。一线城市的客户是否比五线城市的客户更有价值？
# 在至少有一笔已完成订单的客户中，计算一线城市*每位客户*的平均已完成销售额，再除以五线城市的相应数值
# （`customers.city_tier`）。把这个比值保存在 `tier_ratio` 中（如果数据中没有其中某一等级的客户，则为
# `float("nan")`）。

# %% tags=["exercise"]
# answer: tier_ratio rel=1e-6 points=2
### BEGIN SOLUTION
revenue = done.groupby("customer_id")["order_value"].sum()
tier = data.customers.set_index("customer_id")["city_tier"].reindex(revenue.index)
mean_by_tier = revenue.groupby(tier).mean()
tier_ratio = float(mean_by_tier.get(1, np.nan) / mean_by_tier.get(5, np.nan))
### END SOLUTION

# %%
assert isinstance(tier_ratio, float), T("ex.number", lang)
assert np.isnan(tier_ratio) or tier_ratio > 0, T("ex3.positive", lang)
if course_data and not np.isnan(tier_ratio):
    _per_order = joined.groupby("city_tier")["order_value"].mean()
    assert abs(tier_ratio - float(_per_order[1] / _per_order[5])) > 1e-6 * tier_ratio, T("ex3.per_order", lang)
### BEGIN HIDDEN TESTS
_rev = done.groupby("customer_id")["order_value"].sum()
_m = _rev.groupby(data.customers.set_index("customer_id")["city_tier"].reindex(_rev.index)).mean()
_key = float(_m.get(1, np.nan) / _m.get(5, np.nan))
assert (np.isnan(tier_ratio) and np.isnan(_key)) or abs(tier_ratio - _key) <= 1e-6 * abs(_key)
### END HIDDEN TESTS

# %% [markdown]
# ## Written task: is the archive ready for CRM?
# Write a memo of at most one page to Suning's CRM manager. Say which CRM questions of this course
# the data can answer now, which they cannot (and why), and what the company should record or change
# first. Use the tables and checks of this notebook as evidence, and refer to the course documents'
# ideas (the customer archive, one integrated view of the customer, the silo effect).

# %% [markdown] lang="zh"
# ## 书面作业：客户档案能否支撑客户关系管理？
# 给苏宁的客户关系管理经理写一份不超过一页的备忘录。说明这些数据现在能回答本课程中的哪些客户关系管理问题、
# 不能回答哪些问题（以及原因），以及公司应当首先记录或改变什么。以本笔记本中的表和检查结果为依据，并联系
# 课程资料中的观点（客户档案、统一的客户视图、筒仓效应）。

# %% [markdown] tags=["written"]
# <!-- points: 6 -->
# **Model outline.** A good memo
# * lists questions the data support, each tied to a table: repeat buying and concentration (orders),
#   channel mix (orders.channel), seasonality (order dates), service failures (service_events),
#   satisfaction (survey), loyalty (loyalty, points);
# * names what the archive cannot see: whether and why a customer has left (latent), purchases at
#   competitors (share of wallet), where store visitors heard of a product, credit level, contacts
#   outside campaigns; and explains that some of these can be estimated (churn) while others need new
#   data;
# * uses the checks as evidence of fitness (keys, duplicates, cancellations, returns, date range)
#   and says what a real extract must be checked for (unmatched ids, negative quantities);
# * explains the silo effect: one `customer_id` across store, web and app is what makes the joins
#   possible; recommends a single customer id at the till (member card, phone number);
# * ends with two or three concrete, prioritised recommendations, written for a manager (no code).

# %% [markdown] lang="zh"
# <!-- points: 6 -->
# **参考要点。** 一份好的备忘录应当
# * 列出数据能支撑的问题，并各自对应到表：重复购买和集中度（订单表）、渠道结构（orders.channel）、季节性
#   （下单日期）、服务失误（service_events）、客户满意度（问卷调查）、忠诚度（会员表、积分表）；
# * 指出客户档案看不到的信息：客户是否已经流失以及为什么流失（潜在变量）、在竞争对手处的购买（顾客份额）、
#   门店顾客从哪里得知商品、信用等级、营销活动之外的接触；并说明其中一些可以估计（客户流失），另一些则需要
#   新的数据；
# * 用检查结果证明数据是否可用（主键、重复、取消、退货、日期范围），并说明处理真实数据时要检查什么
#   （无法匹配的编号、负数量）；
# * 解释筒仓效应：门店、网站和手机客户端共用同一个 `customer_id`，关联才成为可能；建议在收银台也使用统一的
#   客户编号（会员卡、手机号）；
# * 最后给出两三条具体、有先后顺序的建议，写给管理者看（不写代码）。

# %% [markdown] tags=["rubric"]
# **Rubric (6 points).**
# * 2 - at least three answerable questions, each tied to the table that answers it;
# * 1 - at least two things the data cannot tell, with the reason (latent, not recorded);
# * 1 - the checks of section 3 used as evidence, with what to check in a real extract;
# * 1 - the silo effect explained and linked to the customer id;
# * 1 - concrete, prioritised recommendations in a manager's language, within one page.

# %% [markdown] lang="zh"
# **评分标准（6 分）。**
# * 2 分——至少三个可以回答的问题，并分别对应到能回答它的表；
# * 1 分——至少两项数据无法告诉我们的信息，并说明原因（潜在变量、没有记录）；
# * 1 分——用第 3 节的检查结果作为依据，并说明处理真实数据时要检查什么；
# * 1 分——解释筒仓效应并与客户编号联系起来；
# * 1 分——建议具体、有先后顺序，使用管理者的语言，篇幅不超过一页。

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# * CRM data are linked tables; the keys (`customer_id`, `order_id`, `sku`) are what turn them into
#   one view of the customer.
# * Check the data before analysing them: the contract, duplicates, cancellations, returns, dates.
# * Count only completed orders as purchases, and say which orders a number is based on.
# * Compute with codes, show display names; state a trend or a peak only with its interval.
# * The archive shows behaviour, not reasons: churn, motives and segments must be estimated.

# %% [markdown] lang="zh"
# ## 要点回顾
# * 客户关系管理数据是相互关联的表；主键（`customer_id`、`order_id`、`sku`）把它们变成统一的客户视图。
# * 分析之前先检查数据：数据契约、重复、取消、退货、日期。
# * 只把已完成订单算作购买，并说明每个数字基于哪些订单。
# * 用代码计算，用显示名称展示；只有附上置信区间才能陈述趋势或高峰。
# * 客户档案记录的是行为而不是原因：客户流失、动机和客户细分都需要估计。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# The truth file records what the simulator planted; real extracts have none.
#
# The New Year run-up is planted as a demand multiplier on the simulator's calendar
# (`crmlab.simulate.calendar`); its truth is the same estimator applied to the planted daily
# multipliers (a noise-free series), so it is the quantity the notebook estimates.

# %% [markdown] lang="zh"
# ## 与真值对照（仅限模拟数据）
# 真值文件记录了模拟器写入的设定；真实数据没有真值。
#
# 春节前的购物高峰是以模拟器日历（`crmlab.simulate.calendar`）上的需求乘数写入的；它的真值是把同一估计方法
# 用于模拟设定的每日乘数（一个没有噪声的序列）得到的，因此正是本笔记本所估计的量。

# %%
claims_truth = {}
if data.truth is not None:
    from crmlab.simulate.calendar import daily_season  # the planted demand multipliers

    t = data.truth
    sc = t["scenario"]
    print(T("truth.scenario", lang, n=sc["n_customers"], start=sc["start"], end=sc["end"]))
    print(T("truth.segments", lang, names=", ".join(t["segments"]["names"])))
    days = pd.date_range(sc["start"], sc["end"])
    planted = pd.DataFrame({"orders": daily_season(days[0].date(), len(days))}, index=days).reindex(daily.index)
    claims_truth["tour.cny_run_up"] = seasonality.cny_run_up(planted).estimate
    print(T("truth.cny", lang, value=claims_truth["tour.cny_run_up"], estimate=cny.estimate, ci_low=cny.ci_low,
            ci_high=cny.ci_high))
else:
    print(T("truth.none", lang))

# %%
results = {"facts": facts, "rows": {k: len(v) for k, v in data.items()}, "claims": claims_json(claims)}
if claims_truth:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print(T("results", lang, keys=", ".join(sorted(results))))
