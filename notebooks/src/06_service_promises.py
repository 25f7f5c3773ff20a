# %% [markdown]
# # 06 · Service promises and complaints: is the promise kept, who complains, does recovery keep customers?
#
# **Question.** Suning promises delivery within 12 hours and installation within 24 hours
# (12小时送货上门、24小时安装到位), and the case says that the hard part is keeping the promise - above
# all in the air-conditioner peak season, which lasts only 10-15 days. When a promise fails, some
# customers complain (投诉); the complaint department resolves the complaint and calls the customer
# back (回访). How often is each promise missed, by channel, city tier and season? How many customers
# with a failure complain - is it really "only 2-10%"? And does resolving a complaint, or calling
# back, change whether the customer stays?
#
# **Method.** Miss rates of a promise with Wilson intervals; differences of two rates with Newcombe's
# interval; the complaint funnel (failure → complaint → resolution → follow-up); churn hazard ratios
# of complaint handling from the latent-dropout model of lesson 02, with the failures behind the
# complaints held fixed.
#
# **Contents.** *Theory* · *Practical* (the data → delivery promise by channel and city tier → the AC
# peak season → who complains → does recovery keep customers) · *Result* · *Discussion* · *Quiz* ·
# *Exercises* · *check against the truth*.
#
# **References.** TARP (1986) *Consumer Complaint Handling in America: An Update Study*; Goodman
# (2019) *Strategic Customer Service*; Smith, Bolton & Wagner (1999) *JMR* (service recovery);
# Gelbrich & Roschk (2011) *Journal of Service Research* (meta-analysis of complaint handling);
# Newcombe (1998) *Statistics in Medicine* (difference of proportions).

# %% [markdown] lang="zh"
# # 06 · 服务承诺与投诉处理：承诺兑现了吗，谁会投诉，服务补救能留住客户吗？
#
# **问题。** 苏宁承诺“12小时送货上门、24小时安装到位”，案例指出最关键的环节在于能否兑现——尤其是在只有
# 10-15天的空调旺季。承诺未兑现时，一部分客户会投诉；投诉部门解决投诉后对客户进行回访。每项承诺按渠道、
# 城市级别和季节的未兑现率是多少？遭遇服务失误的客户中有多少人投诉——真的“只有2%-10%”吗？解决投诉或回访
# 是否会改变客户的去留？
#
# **方法。** 承诺未兑现率及其 Wilson 置信区间；两组比例之差及其 Newcombe 置信区间；投诉漏斗（服务失误 →
# 投诉 → 解决 → 回访）；用第02课的潜在流失模型估计投诉处理对流失的风险比，并控制引起投诉的服务失误。
#
# **内容。** *理论* · *实践*（数据 → 各渠道和城市级别的送货承诺 → 空调旺季 → 谁会投诉 → 服务补救能否留住
# 客户）· *结果* · *讨论* · *测验* · *练习* · *与真实值对照*。
#
# **参考文献。** TARP (1986) *Consumer Complaint Handling in America: An Update Study*；Goodman (2019)
# *Strategic Customer Service*；Smith, Bolton & Wagner (1999) *JMR*（服务补救）；Gelbrich & Roschk (2011)
# *Journal of Service Research*（投诉处理的元分析）；Newcombe (1998) *Statistics in Medicine*（比例之差）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# - **compute** the compliance rate of a service promise with the right denominator and a confidence interval;
# - **compare** two groups' miss rates (channel, city tier, peak season) with an interval for the difference;
# - **test** a widely repeated claim ("only 2-10% of dissatisfied customers complain") against data;
# - **interpret** hazard ratios of complaint handling and say what they can and cannot show;
# - **decide** where a service manager should act first, and write it up for the CRM manager.
#
# **Prerequisites.** Lesson 00 (the tables); proportions and their confidence intervals. Section 5
# uses hazard ratios, introduced in the Theory below; lesson 02 explains the model behind them in depth.
#
# **Time.** About 90 minutes: 50 in class, 40 for the exercises and the memo.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课，你能够
# - **计算**服务承诺的兑现率：用正确的分母，并给出置信区间；
# - **比较**两组的未兑现率（渠道、城市级别、旺季），并给出差值的置信区间；
# - 用数据**检验**一个流传很广的说法（“不满意的客户中只有2%-10%会投诉”）；
# - **解读**投诉处理的风险比，并说明它能说明什么、不能说明什么；
# - **判断**服务经理应先从哪里着手，并写成给客户关系管理经理的备忘录。
#
# **先修内容。** 第00课（数据表）；比例及其置信区间。第5节用到风险比，下面的理论部分会介绍；第02课会深入讲解其背后的模型。
#
# **时间。** 约90分钟：课堂50分钟，练习和备忘录40分钟。
#
# 术语见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# **A promise and its denominator.** A promise applies to some orders only: the 12-hour delivery
# promise to orders delivered to the home (online orders and big appliances bought in a store), the
# 24-hour installation promise to TVs, washers and air conditioners that arrived. The *miss rate* is
# the number of promises missed divided by the number of orders the promise applied to - not by all
# orders. Compliance (兑现率) is one minus the miss rate. With $k$ misses out of $n$, Wilson's score
# interval is
# $\dfrac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}$, which behaves well
# also for small rates and small groups.
#
# **Comparing groups.** The difference of two miss rates (store vs online, small vs large cities, peak
# season vs the rest) gets Newcombe's interval, built from the two Wilson intervals. A difference is
# called "more often" or "less often" only when its interval excludes zero. The lesson makes four such
# comparisons (three for the delivery promise, one for installation). Each 95% interval misses the
# truth one time in twenty, so four of them would give a false "difference" far more often than that.
# Bonferroni's correction widens each interval to $1 - 0.05/4 = 98.75\%$, so that the four together
# are wrong with probability at most 5%.
#
# **Who complains.** The course repeats that "only 2-10% of dissatisfied customers complain, 90-98%
# leave silently". This misquotes the TARP studies of the 1970s-80s: about half of customers with a
# problem complain to front-line staff, and far fewer to head office. The share that *reaches
# management* is small - not the share that complains. With failure and complaint records we can
# measure the share of customers who complain after a failure.
#
# **Service recovery.** A complaint that is resolved, and a follow-up call (回访) after it, may win the
# customer back (the "service recovery paradox" says: sometimes above the level before the failure).
# We measure it with the churn hazard ratio of lesson 02: the factor by which an event multiplies the
# rate of leaving from then on. The model has a separate coefficient for every failure kind, so the
# comparison of resolved and unresolved complaints holds the failure behind the complaint fixed. It
# does **not** hold fixed what the data do not record - in real data the easy complaints are the ones
# that get resolved.
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval; it uses a directional word only when the
# interval excludes "no difference".

# %% [markdown] lang="zh"
# ## 理论
#
# **承诺与分母。** 承诺只适用于部分订单：12小时送货承诺适用于送货上门的订单（线上订单和在门店购买的大家电），
# 24小时安装承诺适用于已送达的电视、洗衣机和空调。*未兑现率* 是未兑现的承诺数除以适用该承诺的订单数——而不是
# 除以全部订单。兑现率等于 1 减未兑现率。$n$ 个订单中有 $k$ 个未兑现时，Wilson 置信区间为
# $\dfrac{\hat p + z^2/2n \pm z\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}}{1 + z^2/n}$，在比例很小、组很小时也表现良好。
#
# **组间比较。** 两组未兑现率之差（门店与线上、小城市与大城市、旺季与其他时间）用 Newcombe 置信区间，
# 它由两组的 Wilson 区间构成。只有当差值的置信区间不包含零时，才说“更常”或“更少”未兑现。本课做了四次这样的比较
# （送货承诺三次，安装承诺一次）。每个95%置信区间有二十分之一的概率错过真实值，四次比较出现虚假“差异”的机会就大得多。
# Bonferroni 校正把每个区间放宽到 $1 - 0.05/4 = 98.75\%$，使四个区间合起来出错的概率不超过5%。
#
# **谁会投诉。** 课程中反复提到“不满意的客户中只有2%-10%会投诉，90%-98%会默默离开”。这是对上世纪七八十年代
# TARP 研究的误引：遭遇问题的客户中约有一半会向一线员工投诉，向总部投诉的要少得多。*传到管理层* 的比例很小——
# 而不是投诉的比例很小。有了服务失误和投诉记录，我们可以直接测量遭遇失误后投诉的客户比例。
#
# **服务补救。** 投诉得到解决、解决后的回访，可能把客户赢回来（“服务补救悖论”认为有时甚至超过失误之前的水平）。
# 我们用第02课的流失风险比来衡量：某个事件发生后，客户离开的速率被乘以的倍数。模型对每种服务失误都有单独的系数，
# 因此比较已解决和未解决的投诉时，引起投诉的失误是被控制住的。但它**不能**控制数据没有记录的因素——在真实数据中，
# 容易处理的投诉才更容易被解决。
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
as_of = "2025-12-31"
output_dir = "."
myth_high = 0.10  # the upper end of "only 2-10% of dissatisfied customers complain"
low_tiers = [4, 5]  # "small cities": city tiers compared with the rest
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import service
from crmlab.analysis.claims import claims_json, directional
from crmlab.domain import AC_PEAK_SEASON, in_ac_peak
from crmlab.i18n import label
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.service import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []  # every finding the notebook prints, with its estimate and interval (results.json)


def columns(df):
    """A table with its column headers in this edition's language."""
    return df.rename(columns={c: T(f"col.{c}", lang) for c in df.columns if f"col.{c}" in T})


def name(code):
    """Display name of an event kind or channel in this edition's language."""
    return T(f"kind.{code}", lang) if f"kind.{code}" in T else label(code, lang)


def rate_bars(table, title, xlabel, names):
    """Bar chart of miss rates with their intervals."""
    ax = plt.subplots(figsize=(6.5, 3.8))[1]
    ax.bar([names(g) for g in table.index], table["miss_rate"], color=plots.PALETTE[0],
           yerr=np.clip([table["miss_rate"] - table["ci_low"], table["ci_high"] - table["miss_rate"]], 0, None),
           capsize=4)
    ax.set_ylim(0, None)
    plots.finish(ax, title, xlabel, T("rate.ylabel", lang))
    plt.show()


# %% [markdown]
# ### 1. The data: which orders carry a promise?
# `orders.home_delivery` marks the orders the 12-hour delivery promise applies to, `orders.installation`
# those with an installation due; a `late_delivery` or `failed_installation` event marks a promise missed.

# %% [markdown] lang="zh"
# ### 1. 数据：哪些订单适用承诺？
# `orders.home_delivery` 标记适用12小时送货承诺的订单，`orders.installation` 标记需要安装的订单；
# `late_delivery` 或 `failed_installation` 事件表示承诺未兑现。

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "service_events"], purpose="the service lesson")
orders, events = data.orders, data["service_events"]
has_promises = {"home_delivery", "installation"} <= set(orders.columns)
tier_of = (data.customers.set_index("customer_id")["city_tier"] if "customers" in data
           else pd.Series(dtype="int64"))
orders = orders.assign(city_tier=orders["customer_id"].map(tier_of), peak=in_ac_peak(orders["order_ts"]))
(m0, d0), (m1, d1) = AC_PEAK_SEASON
peak_text = f"{m0:02d}-{d0:02d} .. {m1:02d}-{d1:02d}"
if has_promises:
    print(T("data.summary", lang, orders=len(orders), due=int(orders["home_delivery"].fillna(False).sum()),
            installs=int(orders["installation"].fillna(False).sum()), events=len(events), peak=peak_text))
else:
    print(T("data.missing", lang))

# %% [markdown]
# A miss rate by hand first, on ten orders: three promises missed out of ten. The Wilson interval is
# wide at this size; the package function gives the same numbers.

# %% [markdown] lang="zh"
# 先在十个订单上手算一个未兑现率：十个承诺中三个未兑现。样本这么小时 Wilson 区间很宽；程序包的函数给出相同的结果。

# %%
k, n, z = 3, 10, 1.96
p_hat = k / n
mid = (p_hat + z**2 / (2 * n)) / (1 + z**2 / n)
half = z * np.sqrt(p_hat * (1 - p_hat) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
toy_orders = pd.DataFrame({"order_id": [f"t{i}" for i in range(n)], "home_delivery": True})
toy_events = pd.DataFrame({"order_id": ["t0", "t4", "t7"], "event_type": "late_delivery"})
toy = service.promise_compliance(toy_orders, toy_events)
print(T("toy.print", lang, rate=p_hat, lo=mid - half, hi=mid + half, pkg=toy.loc["all", "miss_rate"],
        pkg_lo=toy.loc["all", "ci_low"], pkg_hi=toy.loc["all", "ci_high"]))

# %% [markdown]
# ### 2. The 12-hour delivery promise by channel and city tier
# Overall, then by the channel of the order and by the city tier of the customer.

# %% [markdown] lang="zh"
# ### 2. 各渠道、各级城市的12小时送货承诺
# 先看总体，再按下单渠道和客户所在城市级别分组。

# %%
def print_overall(promise):
    t = service.promise_compliance(orders, events, promise=promise)
    row = t.loc["all"]
    print(T("overall.print", lang, promise=T(f"promise.{promise}", lang), missed=int(row["n_missed"]),
            due=int(row["n_due"]), rate=row["miss_rate"], level=0.95, ci_low=row["ci_low"], ci_high=row["ci_high"],
            compliance=row["compliance"]))
    return t


comparison_level = 1 - (1 - 0.95) / 4  # Bonferroni over the lesson's four group comparisons


def difference_claim(claim_id, table, a, b):
    est = service.rate_difference(table, a, b, confidence_level=comparison_level)
    claims.append(directional(claim_id, est, T, lang=lang,
                              rate_a=table.loc[a, "miss_rate"], rate_b=table.loc[b, "miss_rate"]))
    print(claims[-1])


if has_promises:
    overall_delivery = print_overall("delivery")
    by_channel = service.promise_compliance(orders, events, promise="delivery", by="channel")
    display(columns(by_channel).rename(index=lambda c: label(c, lang)).rename_axis(T("col.channel", lang)).round(3))
    rate_bars(by_channel, T("channel.title", lang), T("channel.xlabel", lang), lambda c: label(c, lang))
    online = orders["channel"].map(lambda c: "store" if c == "store" else "online")
    by_online = service.promise_compliance(orders, events, promise="delivery", by=online.rename("channel"))
    if {"store", "online"} <= set(by_online.index):
        difference_claim("service.late_store_minus_online", by_online, "store", "online")

# %%
if has_promises and orders["city_tier"].notna().any():
    by_tier = service.promise_compliance(orders, events, promise="delivery", by="city_tier")
    display(columns(by_tier).rename(index=lambda t: T("group.tier", lang, tier=t))
            .rename_axis(T("col.city_tier", lang)).round(3))
    rate_bars(by_tier, T("tier.title", lang), T("tier.xlabel", lang), str)
    small = orders["city_tier"].isin(low_tiers).map({True: "low", False: "high"}).rename("tiers")
    by_small = service.promise_compliance(orders, events, promise="delivery", by=small)
    if {"low", "high"} <= set(by_small.index):
        difference_claim("service.late_low_minus_high_tier", by_small, "low", "high")

# %% [markdown]
# ### 3. The air-conditioner peak season
# Both promises in the peak season (the first half of July) against the rest of the year.

# %% [markdown] lang="zh"
# ### 3. 空调旺季
# 比较旺季（7月上半月）与其他时间两项承诺的未兑现率。

# %%
if has_promises:
    season = orders["peak"].map({True: "peak", False: "rest"}).rename("season")
    by_season = {p: service.promise_compliance(orders, events, promise=p, by=season)
                 for p in ("delivery", "installation")}
    overall_install = print_overall("installation")
    tab = pd.concat({T(f"promise.{p}", lang): t for p, t in by_season.items()}, names=[T("season.legend", lang)])
    display(columns(tab).rename(index=lambda g: T(f"group.{g}", lang), level=1)
            .rename_axis([T("season.legend", lang), T("col.season", lang)]).round(3))
    for p, cid in (("delivery", "service.late_peak_minus_rest"), ("installation", "service.install_peak_minus_rest")):
        if {"peak", "rest"} <= set(by_season[p].index):
            difference_claim(cid, by_season[p], "peak", "rest")
    season_up = all(c.direction == 1 for c in claims if c.id in ("service.late_peak_minus_rest",
                                                                   "service.install_peak_minus_rest"))
    ax = plt.subplots(figsize=(6.5, 3.8))[1]
    x = np.arange(2)
    for i, g in enumerate(("rest", "peak")):
        vals = [by_season[p].reindex([g]) for p in ("delivery", "installation")]
        r = np.array([v["miss_rate"].iloc[0] for v in vals])
        lo = np.array([v["ci_low"].iloc[0] for v in vals])
        hi = np.array([v["ci_high"].iloc[0] for v in vals])
        ax.bar(x + (i - 0.5) * 0.38, r, width=0.38, color=plots.PALETTE[i], yerr=np.clip([r - lo, hi - r], 0, None),
               capsize=4,
               label=T(f"group.{g}", lang))
    ax.set_xticks(x, [T("promise.delivery", lang), T("promise.installation", lang)])
    ax.legend(frameon=False)
    plots.finish(ax, T("season.title.up" if season_up else "season.title.mixed", lang), T("season.legend", lang),
                 T("rate.ylabel", lang))
    plt.show()

# %% [markdown]
# ### 4. Who complains after a failure? The "2-10%" myth, tested
# For every customer with a service failure, take the first failed order: did the customer complain
# about it? One observation per customer keeps the observations independent. The band shows what the
# myth says.

# %% [markdown] lang="zh"
# ### 4. 服务失误后谁会投诉？检验“2%-10%”的说法
# 对每位遭遇过服务失误的客户，取其第一个出现失误的订单：客户是否就此投诉？每位客户只算一次，使观测相互独立。
# 阴影带表示该说法给出的范围。

# %%
myth = service.complaint_after_failure(events, per="customer")
claims.append(directional("service.myth", myth, T, null=myth_high, lang=lang, myth=myth_high, n=myth.n_failed))
per_order = service.complaint_after_failure(events, per="order")
ax = plt.subplots(figsize=(6.5, 2.6))[1]
ax.axvspan(0.02, myth_high, color=plots.PALETTE[3], alpha=0.25, label=T("myth.band", lang))
ax.errorbar([myth.estimate], [0], xerr=np.clip([[myth.estimate - myth.ci_low], [myth.ci_high - myth.estimate]], 0, None),
            fmt="o",
            color=plots.PALETTE[0], capsize=4, label=T("myth.estimate", lang))
ax.set_xlim(0, 1)
ax.set_yticks([])
ax.legend(frameon=False, loc="upper right", fontsize=8)
plots.finish(ax, T("myth.title", lang), T("myth.xlabel", lang))
plt.show()
print(claims[-1])
print(T("myth.per_order", lang, estimate=per_order.estimate, level=0.95, ci_low=per_order.ci_low,
        ci_high=per_order.ci_high, n=per_order.n_failed))

# %% [markdown]
# The complaint funnel: how many complaints were resolved, and how many of the resolved ones got a
# follow-up call?

# %% [markdown] lang="zh"
# 投诉漏斗：多少投诉得到解决，已解决的投诉中又有多少得到回访？

# %%
funnel = service.complaint_outcomes(events)
n_complaints = int((events["event_type"] == "complaint").sum())
print(T("funnel.print", lang, complaints=n_complaints, resolved=funnel.loc["resolved", "share"],
        followed=funnel.loc["followed_up", "share"]))
columns(funnel.rename(index=lambda s: T(f"step.{s}", lang))).rename_axis(T("col.step", lang)).round(3)

# %% [markdown]
# ### 5. Does service recovery keep customers?
# The latent-dropout model of lesson 02, with a coefficient for every failure kind, for resolved and for
# unresolved complaints, and for the follow-up call after a resolved complaint. The ratio of the
# unresolved to the resolved complaint's hazard ratio is the effect of leaving a complaint unresolved,
# with the failure behind it held fixed. The failure kinds are in the model only to hold them fixed;
# their own hazard ratios are the subject of lesson 02 and are not shown here.

# %% [markdown] lang="zh"
# ### 5. 服务补救能留住客户吗？
# 使用第02课的潜在流失模型：每种服务失误、已解决和未解决的投诉、已解决投诉后的回访各有一个系数。未解决投诉与
# 已解决投诉的风险比之比，就是“投诉未解决”的影响，且引起投诉的失误被控制住。各种服务失误放进模型只是为了控制它们；
# 它们自身的风险比是第02课的内容，这里不展示。

# %%
recovery = None
if n_complaints >= 20:
    try:
        recovery = service.recovery_hazard_ratios(orders, events, as_of=as_of)
    except (np.linalg.LinAlgError, ValueError):  # too few events of some kind (small data)
        recovery = None
if recovery is not None:
    hr = recovery.hazard_ratios.loc[["unresolved_complaint", "resolved_complaint", "followup"]]
    display(columns(hr[["hazard_ratio", "ci_low", "ci_high", "n_events"]].rename(index=name))
            .rename_axis(T("col.kind", lang)).round(2))
    claims.append(directional("service.unresolved_vs_resolved",
                              recovery.ratio("unresolved_complaint", "resolved_complaint"), T, null=1.0, lang=lang))
    claims.append(directional("service.followup_hr", hr.loc["followup", ["hazard_ratio", "ci_low", "ci_high"]].tolist(),
                              T, null=1.0, lang=lang))
    shown = hr.dropna(subset=["hazard_ratio"])
    ax = plt.subplots(figsize=(7, 4.2))[1]
    y = np.arange(len(shown))
    ax.errorbar(shown["hazard_ratio"], y, xerr=[shown["hazard_ratio"] - shown["ci_low"],
                                                shown["ci_high"] - shown["hazard_ratio"]],
                fmt="o", color=plots.PALETTE[0], capsize=3)
    ax.axvline(1, color="grey", lw=1)
    ax.set_yticks(y, [name(k) for k in shown.index])
    ax.set_xscale("log")
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6)
             if shown["ci_low"].min() / 1.2 <= t <= shown["ci_high"].max() * 1.2]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    plots.finish(ax, T("hr.title", lang), T("hr.xlabel", lang), "")
    plt.show()
    for c in claims[-2:]:
        print(c)
else:
    print(T("hr.skipped", lang))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
print(T("result.header", lang))
for c in claims:
    print("-", c)

# %% [markdown]
# How to read these results: a miss rate needs the orders the promise applied to as its denominator,
# and a difference between groups is a finding only when its interval excludes zero. Groups also
# differ in what they contain - store deliveries are big appliances, small cities are served by
# other warehouses - so a difference between channels may come from the city tiers behind them. The
# complaint share is measured on customers who had a recorded failure; dissatisfaction without a
# recorded failure is not in these data. The hazard ratios of complaint handling hold the failure
# kinds fixed, nothing else.
#
# ## Discussion
#
# * **Caveat - selection.** In real data the complaints that get resolved are the easier ones, and the
#   customers a call centre reaches are the reachable ones; both also stay more often for other
#   reasons. A randomised trial (call back a random half of the resolved complaints) answers the
#   question cleanly; an observational hazard ratio is a hint.
# * **The myth.** "Only 2-10% complain" and "most complaints never reach management" are different
#   statements. The first is about customers, the second about the company's records: a complaint made
#   in a store and settled there may never reach the complaint system.
# * **Several comparisons.** This lesson compares channels, city tiers and seasons, and widens the four
#   intervals (Bonferroni) so that a false "difference" among them has a chance of at most 5%. The
#   tables of miss rates by channel and by tier still show many groups with 95% intervals: looking
#   through them for the largest gap finds one by chance; a surprising difference that nobody
#   predicted deserves a second look on new data.
# * **Peaks are short.** A 10-15 day season is a small share of the year, so its interval is wide;
#   two years of data give two peaks. Planning the installation crews for the peak is a capacity
#   question the miss rate alone does not answer.
# * **What is not measured.** Delivery times themselves (hours), the courier rating of the delivery
#   note (《配送服务单》), and advance calls when a delivery will be late are not in the data; a real
#   extract that has them allows a finer analysis.
#
# ## Quiz
# 1. A student divides the number of failed installations by the number of all orders and reports
#    "installation compliance 98%". What is wrong, and what is the right denominator?
# 2. The course says that only 2-10% of dissatisfied customers complain. What did the TARP studies
#    find, and how do you decide with these data whether the figure holds?
# 3. Customers whose complaint was resolved churn less. Why is that not yet proof that resolving
#    complaints keeps customers, and what does the hazard model of section 5 hold fixed?

# %% [markdown] lang="zh"
# 解读这些结果时要注意：未兑现率的分母必须是适用该承诺的订单；组间差异只有在其置信区间不包含零时才算发现。各组的构成
# 也不同——门店送货的都是大家电，小城市由其他仓库配送——因此渠道之间的差异可能来自背后的城市级别。投诉比例是在有服务
# 失误记录的客户中测量的；没有失误记录的不满意不在本数据中。投诉处理的风险比只控制了服务失误的类型，别的都没有控制。
#
# ## 讨论
#
# * **注意——选择偏差。** 在真实数据中，被解决的投诉往往是较容易处理的，呼叫中心能联系上的客户往往是容易联系的；
#   这两类客户本来就更可能留下。随机试验（对已解决投诉随机回访一半）能干净地回答这个问题；观察数据得到的风险比只是线索。
# * **关于那个说法。** “只有2%-10%会投诉”和“大多数投诉传不到管理层”是两种不同的陈述。前者关于客户，后者关于公司的记录：
#   在门店提出并当场处理的投诉，可能永远不会进入投诉系统。
# * **多重比较。** 本课比较了渠道、城市级别和季节，并用 Bonferroni 校正放宽了这四个区间，使其中出现虚假“差异”的概率
#   不超过5%。按渠道和城市级别列出的未兑现率表仍有许多组，各带95%置信区间：在其中寻找最大的差距，偶然也能找到一个；
#   一个事先没人预料到的差异，值得在新数据上再检验一次。
# * **旺季很短。** 10-15天的旺季只占全年的一小部分，因此其置信区间较宽；两年的数据只有两个旺季。为旺季安排安装队伍
#   是产能问题，仅凭未兑现率回答不了。
# * **没有测量到的内容。** 送货时长（小时）、《配送服务单》对送货员的评价，以及送货延误时的提前电话，都不在数据中；
#   有这些字段的真实数据可以做更细的分析。
#
# ## 测验
# 1. 一位同学用安装失败的数量除以全部订单数，报告“安装兑现率98%”。错在哪里？正确的分母是什么？
# 2. 课程中说不满意的客户只有2%-10%会投诉。TARP 研究的发现是什么？如何用本数据判断这个数字是否成立？
# 3. 投诉得到解决的客户流失更少。为什么这还不能证明解决投诉能留住客户？第5节的风险模型控制了什么？

# %% [markdown] tags=["quiz-answers"]
# **Quiz answers.**
# 1. The promise applies only to orders with an installation due (`orders.installation`): orders
#    without an installation cannot miss it. Dividing by all orders shrinks the miss rate by the
#    share of installation orders and overstates compliance. Right: failed installations / orders
#    with an installation due (and, for a group, both counted within the group).
# 2. TARP found that roughly half of customers with a problem complain to front-line staff, and that
#    few complaints reach head office; "2-10%" is the share reaching management, misquoted as the share
#    who complain. With these data: take the share of customers who complained after their first
#    failure, with its interval, and compare the interval with 10% (the myth's upper end). If the whole
#    interval lies above 10%, the data contradict the myth; if it contains 10%, the data cannot tell.
# 3. Resolution is not assigned at random: easier problems, and customers who were less angry or more
#    loyal to begin with, are resolved more often - they would have stayed anyway (selection). The
#    model holds the recorded failure kinds fixed (and the customer's buying and dropout rates through
#    its latent classes), not the severity of the problem or the customer's attitude. Look at whether
#    the interval of the ratio excludes 1, and remember that only an experiment removes the selection.

# %% [markdown] lang="zh"
# **测验答案。**
# 1. 安装承诺只适用于需要安装的订单（`orders.installation`）：不需要安装的订单不可能违背它。除以全部订单会把未兑现率
#    按安装订单所占比例缩小，从而高估兑现率。正确做法：安装失败数 / 需要安装的订单数（分组时，分子分母都在组内计算）。
# 2. TARP 发现，遭遇问题的客户中大约一半会向一线员工投诉，而传到总部的投诉很少；“2%-10%”是传到管理层的比例，被误引为
#    投诉的比例。用本数据：计算客户在首次服务失误后投诉的比例及其置信区间，并与10%（该说法的上限）比较。若整个区间都在
#    10%以上，数据与该说法相矛盾；若区间包含10%，则数据无法判断。
# 3. 投诉是否被解决并非随机分配：较容易的问题、本来就不那么生气或更忠诚的客户，更常得到解决——他们本来就会留下（选择偏差）。
#    模型控制了记录在案的服务失误类型（并通过潜在类别控制客户的购买率和流失率），但没有控制问题的严重程度或客户的态度。
#    看该比值的置信区间是否不包含1，并记住只有实验才能消除选择偏差。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The variables
# named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** The 24-hour installation promise in small cities: what share of the installations
# due for customers in the cities of `low_tiers` was missed? Store it in `install_miss_low_tier`
# (a share between 0 and 1; `float("nan")` if the data do not record installations).

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间写代码；每个练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量将根据你自己的数据集评分。
#
# **练习 1。** 小城市的24小时安装承诺：对于 `low_tiers` 中城市的客户，应安装的订单中有多少比例未兑现？
# 存入 `install_miss_low_tier`（0 到 1 之间的比例；如果数据没有记录安装，则为 `float("nan")`）。

# %% tags=["exercise"]
# answer: install_miss_low_tier rel=1e-6 points=1
### BEGIN SOLUTION
if not has_promises:
    install_miss_low_tier = float("nan")
else:
    due = orders["installation"].fillna(False).astype(bool) & orders["city_tier"].isin(low_tiers)
    failed = orders["order_id"].isin(events.loc[events["event_type"] == "failed_installation", "order_id"])
    install_miss_low_tier = float(failed[due].mean())
### END SOLUTION

# %%
if has_promises:
    assert isinstance(install_miss_low_tier, float) and 0 <= install_miss_low_tier <= 1, T("hint.share", lang)
    # equal to a number of the wrong kind: a hint, not a failure (it can coincide by chance on small data)
    if abs(install_miss_low_tier - by_small.loc["low", "miss_rate"]) < 1e-9:
        print(T("hint.wrong_promise", lang))
    if abs(install_miss_low_tier - overall_install.loc["all", "miss_rate"]) < 1e-9:
        print(T("hint.install_denominator", lang))
### BEGIN HIDDEN TESTS
if has_promises:
    _key = service.promise_compliance(orders, events, promise="installation", by=small).loc["low", "miss_rate"]
    assert abs(install_miss_low_tier - _key) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** The myth per failure kind: what share of the *failed installations* (orders with a
# `failed_installation` event) were followed by a complaint about the same order? Store it in
# `complaint_share_installation`.

# %% [markdown] lang="zh"
# **练习 2。** 按失误类型检验这一说法：在*安装失败*的订单（有 `failed_installation` 事件的订单）中，有多少比例的订单
# 随后出现了针对同一订单的投诉？存入 `complaint_share_installation`。

# %% tags=["exercise"]
# answer: complaint_share_installation rel=1e-6 points=1
### BEGIN SOLUTION
fi = events.loc[events["event_type"] == "failed_installation", "order_id"].unique()
complained = events.loc[events["event_type"] == "complaint", "order_id"].unique()
complaint_share_installation = float(np.isin(fi, complained).mean())
### END SOLUTION

# %%
assert isinstance(complaint_share_installation, float) and 0 <= complaint_share_installation <= 1, T("hint.share", lang)
if min(abs(complaint_share_installation - myth.estimate), abs(complaint_share_installation - per_order.estimate)) < 1e-9:
    print(T("hint.complaint_per_customer", lang))
### BEGIN HIDDEN TESTS
assert abs(complaint_share_installation - service.complaint_after_failure(events, per="order",
                                                                          kinds=["failed_installation"]).estimate) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** What was the *compliance* with the 12-hour delivery promise for online orders (web
# and app) placed in the AC peak season? Store it in `online_peak_compliance` (`float("nan")` if the
# data do not record which orders were delivered to the home).

# %% [markdown] lang="zh"
# **练习 3。** 空调旺季下单的线上订单（网站和App）的12小时送货承诺*兑现率*是多少？存入 `online_peak_compliance`
# （如果数据没有记录哪些订单送货上门，则为 `float("nan")`）。

# %% tags=["exercise"]
# answer: online_peak_compliance rel=1e-6 points=1
### BEGIN SOLUTION
if not has_promises:
    online_peak_compliance = float("nan")
else:
    sel = orders["home_delivery"].fillna(False).astype(bool) & orders["peak"] & (orders["channel"] != "store")
    late = orders["order_id"].isin(events.loc[events["event_type"] == "late_delivery", "order_id"])
    online_peak_compliance = float(1 - late[sel].mean())
### END SOLUTION

# %%
if has_promises:
    assert isinstance(online_peak_compliance, float) and 0 <= online_peak_compliance <= 1, T("hint.share", lang)
    assert online_peak_compliance > 0.5, T("hint.compliance", lang)
    if abs(online_peak_compliance - by_season["delivery"].loc["peak", "compliance"]) < 1e-9:
        print(T("hint.online_only", lang))
### BEGIN HIDDEN TESTS
if has_promises:
    _peak_online = (orders["peak"] & (orders["channel"] != "store")).map({True: "x", False: "y"})
    _key = service.promise_compliance(orders, events, promise="delivery", by=_peak_online).loc["x", "compliance"]
    assert abs(online_peak_compliance - _key) < 1e-6
### END HIDDEN TESTS

# %% [markdown]
# **Written task (graded by hand).** Write a one-page memo to Suning's CRM manager. Using only what
# this notebook computed on *your* data: where are the 12-hour and 24-hour promises kept and where not
# (channel, city tier, peak season), what share of customers complain after a failure, and what the
# data say about resolving complaints and calling back. Recommend two actions, say which evidence each
# rests on, and name one thing the data cannot tell and how to find it out.

# %% [markdown] lang="zh"
# **书面作业（人工评分）。** 给苏宁的客户关系管理经理写一页备忘录。只使用本笔记本在*你的*数据上算出的结果：
# 12小时送货和24小时安装承诺在哪些地方兑现、哪些地方没有（渠道、城市级别、旺季），遭遇失误后投诉的客户比例是多少，
# 数据对解决投诉和回访说明了什么。提出两项行动建议，说明每项建议依据的证据，并指出一件数据无法告诉我们的事以及如何查明。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# *Model outline (what a good memo covers):*
# - States each promise's miss rate with its interval and the right denominator; names the groups
#   whose difference is supported by the interval and says "cannot tell" for the others.
# - Reads the peak-season comparison as a capacity question (crews, warehouses) for a short season.
# - Reports the complaint share after a failure with its interval and contrasts it with "2-10%":
#   complaints are common; what is rare is their reaching management.
# - Describes resolution and follow-up effects with their intervals and the selection caveat.
# - Two concrete actions tied to the evidence (e.g. peak-season installation capacity in the weakest
#   places; a randomised call-back programme), and one open question with a way to answer it.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# *参考要点（好的备忘录应包括）：*
# - 给出每项承诺的未兑现率及其置信区间，并使用正确的分母；指出哪些组间差异得到置信区间支持，其余的说明“无法判断”。
# - 把旺季的比较理解为短期产能问题（安装队伍、仓库）。
# - 报告失误后投诉的客户比例及其置信区间，并与“2%-10%”对比：投诉很常见，少见的是投诉传到管理层。
# - 说明解决投诉和回访的影响及其置信区间，并指出选择偏差。
# - 两项与证据相联系的具体行动（如在最薄弱的地方增加旺季安装能力；随机化的回访计划），以及一个未解决的问题和回答它的办法。

# %% [markdown] tags=["rubric"]
# **Rubric (10 points).**
# - Promise compliance correct and with intervals, right denominators (2).
# - Group differences stated only where the interval supports them; "cannot tell" otherwise (2).
# - Complaint share vs the myth, with interval and the TARP correction (2).
# - Service recovery: effect with interval and the selection caveat (2).
# - Two actions tied to evidence, one open question with a way to answer it; clear, one page (2).

# %% [markdown] lang="zh"
# **评分标准（10分）。**
# - 承诺兑现率正确，有置信区间，分母正确（2分）。
# - 只在置信区间支持时陈述组间差异，否则说明“无法判断”（2分）。
# - 投诉比例与该说法的对比，有置信区间并说明 TARP 的更正（2分）。
# - 服务补救：影响及其置信区间，并指出选择偏差（2分）。
# - 两项有证据支持的行动建议，一个未解决的问题及回答办法；条理清楚，一页以内（2分）。

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# - A compliance rate is only as good as its denominator: count the orders the promise applied to.
# - Compare groups with an interval for the *difference*; "more often" needs an interval that excludes zero.
# - Many customers with a problem do complain; "2-10%" describes complaints that reach management,
#   not customers who complain - test such figures on your own records.
# - Resolution and call-backs are judged with the failure held fixed, and even then observational
#   estimates carry selection; an experiment settles it.

# %% [markdown] lang="zh"
# ## 要点回顾
# - 兑现率的好坏取决于分母：只计算适用该承诺的订单。
# - 比较两组时要给出*差值*的置信区间；说“更常”需要区间不包含零。
# - 遭遇问题的客户中很多人确实会投诉；“2%-10%”描述的是传到管理层的投诉，而不是投诉的客户——要用自己的记录检验这类数字。
# - 评价投诉解决和回访时要控制服务失误；即便如此，观察数据的估计仍有选择偏差，实验才能定论。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# Every claim whose true value the simulator knows, next to its estimate and interval. The true miss
# rate of an order follows from the planted probabilities, its season and its customer's city tier;
# the true difference of two groups averages these probabilities over the same orders.

# %% [markdown] lang="zh"
# ## 与真实值对照（仅限模拟数据）
# 模拟器知道真实值的每一项发现，与其估计值和置信区间并列。订单的真实未兑现率由预设概率、下单季节和客户所在城市级别决定；
# 两组的真实差值是对同一批订单的这些概率取平均后的差。

# %%
claims_truth = {}
if data.truth is not None and "service" in data.truth:
    sv = data.truth["service"]
    rows = []
    if has_promises:
        low = orders["city_tier"].isin(sv["low_tiers"]).to_numpy()
        pk = orders["peak"].to_numpy()
        p_late = pd.Series(sv["p_late_delivery"] * np.where(pk, sv["late_delivery_peak_rr"], 1.0)
                           * np.where(low, sv["late_delivery_low_tier_rr"], 1.0), index=orders.index)
        p_inst = pd.Series(sv["p_failed_installation"] * np.where(pk, sv["installation_peak_rr"], 1.0),
                           index=orders.index)
        deliv = orders["home_delivery"].fillna(False).to_numpy(bool)
        inst = orders["installation"].fillna(False).to_numpy(bool)

        def true_difference(p, due, groups, a, b):
            g = np.asarray(groups)
            return float(p[due & (g == a)].mean() - p[due & (g == b)].mean())

        claims_truth["service.late_store_minus_online"] = true_difference(p_late, deliv, online, "store", "online")
        claims_truth["service.late_low_minus_high_tier"] = true_difference(p_late, deliv, small, "low", "high")
        claims_truth["service.late_peak_minus_rest"] = true_difference(p_late, deliv, season, "peak", "rest")
        claims_truth["service.install_peak_minus_rest"] = true_difference(p_inst, inst, season, "peak", "rest")
        rows += [("late delivery rate", round(overall_delivery.loc["all", "miss_rate"], 3),
                  round(float(p_late[deliv].mean()), 3), "CI should cover"),
                 ("failed installation rate", round(overall_install.loc["all", "miss_rate"], 3),
                  round(float(p_inst[inst].mean()), 3), "CI should cover")]
    claims_truth["service.myth"] = sv["complaint_given_failure"]
    claims_truth["service.unresolved_vs_resolved"] = sv["hr_unresolved_complaint"] / sv["hr_resolved_complaint"]
    claims_truth["service.followup_hr"] = sv["hr_followup"]
    rows += [("complaint after a failure", round(myth.estimate, 3), sv["complaint_given_failure"], "CI should cover"),
             ("complaints resolved", round(funnel.loc["resolved", "share"], 3), sv["complaint_resolved"],
              "CI should cover"),
             ("resolved complaints followed up", round(funnel.loc["followed_up", "share"], 3),
              sv["p_followup_given_resolved"], "CI should cover")]
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
    "late_delivery_rate": float(overall_delivery.loc["all", "miss_rate"]) if has_promises else None,
    "failed_installation_rate": float(overall_install.loc["all", "miss_rate"]) if has_promises else None,
    "complaint_after_failure": myth.estimate,
    "complaint_after_failure_ci": [myth.ci_low, myth.ci_high],
    "complaints_resolved": float(funnel.loc["resolved", "share"]),
    "hazard_ratios": recovery.hazard_ratios["hazard_ratio"].to_dict() if recovery is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
