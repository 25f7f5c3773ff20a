# %% [markdown]
# # 02 · Churn case: why online customers leave, who leaves next, and whom to win back
#
# **Question.** In the Suning Yigou (苏宁易购) case, online customers left after an order was
# cancelled because the price rose by about 200 yuan, after e-coupons expired with a hidden expiry
# date, after late deliveries against the 12-hour promise and installations missed against the
# 24-hour promise, and after complaints that were never resolved. How much does each failure raise
# the risk of leaving, which customers will leave next, and whom should a retention offer target?
#
# **Method.** Define churn for a retailer without contracts (an inactivity window read from the
# data); Kaplan-Meier survival curves; hazard ratios of service failures (a naive Cox model, then a
# latent-dropout model that accounts for hidden churn and for heavy buyers churning less); a churn
# model validated *out of time* (AUC, top-decile lift, gains, calibration); BG/NBD P(alive) for
# contrast; the randomised retention campaign: average effect, uplift by churn risk and by customer
# value, sleeping dogs, the Qini curve, uplift vs risk targeting and its profit.
#
# **Contents.** *Theory* · *Practical* (window → survival → drivers → prediction → P(alive) →
# campaign) · *Result* · *Discussion* · *Quiz* · *check against the truth*.
#
# **References.** Fader, Hardie & Lee (2005) *Marketing Science* (BG/NBD); Schmittlein, Morrison &
# Colombo (1987) *Management Science* (Pareto/NBD); Neslin et al. (2006) *JMR* (churn modelling,
# top-decile lift); Ascarza (2018) *JMR* (target by uplift, not risk); Radcliffe (2007) (Qini).

# %% [markdown] lang="zh"
# # 02 · 客户流失案例：网购客户为何离开、谁将流失、该挽回谁
#
# **问题。** 在苏宁易购的案例中，网购客户在以下情况后离开：订单因涨价约 200 元被取消、易购券未注明失效日期而过期、送货未兑现 12 小时的服务承诺、安装未兑现 24 小时的承诺，以及投诉始终没有得到解决。每一种服务失误使客户流失的风险提高多少？哪些客户将会流失？挽留优惠应当发给谁？
#
# **方法。** 为非契约型零售商定义客户流失（从数据中读出的不活跃窗口）；卡普兰-迈耶生存曲线；服务失误的风险比（先用朴素的 Cox 模型，再用潜在流失模型：它考虑了看不见的流失，以及购买频繁的客户流失较少这一事实）；经过*跨时间验证*的流失预测模型（AUC、前10%提升度、累积增益图、校准）；作为对照的 BG/NBD 存活概率；随机化的挽留活动：平均效果、按流失风险和按客户价值划分的增益、反作用客户、Qini 曲线、按增益与按风险选择目标客户的比较及其利润。
#
# **内容。** *理论* · *实践*（窗口 → 生存 → 流失原因 → 预测 → 存活概率 → 营销活动）· *结果* · *讨论* · *测验* · *与真值核对*。
#
# **参考文献。** Fader, Hardie & Lee (2005) *Marketing Science*（BG/NBD）；Schmittlein, Morrison & Colombo (1987) *Management Science*（Pareto/NBD）；Neslin et al. (2006) *JMR*（流失建模、前10%提升度）；Ascarza (2018) *JMR*（按增益而非按风险选择目标客户）；Radcliffe (2007)（Qini）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * define churn for customers without a contract and compute a churn rate with its confidence
#   interval;
# * compute a Kaplan-Meier survival curve by hand and with the package, and interpret the hazard
#   ratios of service failures;
# * validate a churn model out of time and interpret AUC, top-decile lift, gains and calibration;
# * estimate the effect of a randomised retention offer and the uplift of each customer (T-learner);
# * decide whom to target from the profit of each rule and its uncertainty.
#
# **Prerequisites.** 00 (the tables: orders, service events, campaigns); 01 (confidence intervals,
# the bootstrap, regression); logistic regression and probability at the level of a first
# statistics course. No survival analysis is assumed.
#
# **Time.** About 150 minutes: 90 in class, 60 for the exercises and the memo.
#
# **Terms.** 客户流失 (churn), 生存分析, 风险比, 提升模型 and the other terms are defined in the
# [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课，你能够
# * 为没有合同的客户定义客户流失，并计算客户流失率及其置信区间；
# * 手工和用程序包计算卡普兰-迈耶生存曲线，并解释服务失误的风险比；
# * 对流失预测模型做跨时间验证，并解释 AUC、前10%提升度、累积增益图和校准；
# * 估计随机化挽留优惠的效果和每位客户的增益（两模型法，T-learner）；
# * 根据各选择规则的利润及其不确定性，决定向谁发放优惠。
#
# **先修内容。** 第 00 课（数据表：订单、服务事件、营销活动）；第 01 课（置信区间、自助法、回归）；初级统计课程水平的逻辑回归与概率知识。不要求学过生存分析。
#
# **时间。** 约 150 分钟：课堂 90 分钟，练习和备忘录 60 分钟。
#
# **术语。** 客户流失、生存分析、风险比、提升模型等术语的定义见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# **Churn without a contract.** A telecom customer cancels; a retail customer just stops buying,
# and we never see the moment. The usual definition: a customer has churned at a cut-off date if
# they place no order in the following *W* days. *W* should be long enough that an active customer
# rarely goes that long without buying - read it off the distribution of gaps between orders.
#
# **Hazard ratios.** The churn hazard $h(t)$ is the rate of leaving at time $t$ among those still
# there; a failure with hazard ratio 2 doubles it from the moment it happens. Two traps make the
# naive estimate too small: (1) inactivity is a noisy measure of leaving, and (2) heavy buyers have
# more orders - hence more failures - *and* leave less (frailty). A latent-dropout model of the
# Pareto/NBD family handles both: after every order the customer may drop out with a hazard raised
# by the failures so far, and purchase and dropout rates vary between customers.
#
# **Prediction.** Features at a cut-off, label = churned in the next *W* days. *Out-of-time*
# validation trains on an earlier cut-off and tests on a later one, as the model will be used.
# AUC measures ranking; top-decile lift = churn rate in the riskiest 10% / overall churn rate
# (it cannot exceed 1 / base rate).
#
# **Retention.** A randomised campaign estimates the average treatment effect (ATE) by comparing
# treated and control. Targeting should follow *uplift* (the effect of the offer on this customer),
# not *risk*: some customers leave whatever we do, and "sleeping dogs" react badly to being
# contacted. Profit of a campaign: $N \times p \times (\gamma \cdot LTV - c)$, with $N$ customers in the
# base, a share $p$ of them contacted, $\gamma$ the uplift (extra response rate) among the contacted,
# $LTV$ what a retained customer is worth and $c$ the cost per contacted customer (contact plus the
# offers redeemed - also by customers who would have bought anyway). Here $LTV$ is each customer's
# estimated lifetime value at the send date (simple CLV: margin on annual spend over a few years,
# discounted, times an annual retention rate read from the data) and $c$ comes from
# `campaigns.offer_cost`. For a rule that contacts a set $S$ of customers, $N p = |S|$, $\gamma$ is
# the treated-minus-control response rate in $S$, $LTV$ the mean CLV of $S$ and $c$ the mean offer
# cost of the treated customers in $S$, all estimated on the randomised campaign, with a bootstrap
# interval.
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval. It uses a directional word (raises, more,
# most, backfires) only when the interval excludes "no effect"; otherwise it says that the data at
# this size cannot tell, and gives the interval.

# %% [markdown] lang="zh"
# ## 理论
#
# **没有合同的客户流失。** 电信客户会办理销户；零售客户只是不再购买，我们永远看不到离开的那一刻。通常的定义是：如果客户在截止日之后的 *W* 天内没有下单，就认为他在截止日已经流失。*W* 应当足够长，使活跃客户很少这么久不购买——可以从相邻两次购买间隔的分布中读出。
#
# **风险比。** 流失风险率 $h(t)$ 是在时刻 $t$ 仍留存的客户中离开的速率；风险比为 2 的服务失误从发生那一刻起使风险率加倍。两个陷阱会使朴素估计偏小：(1) 不活跃只是离开的一个有噪声的测量；(2) 购买频繁的客户订单多——因而服务失误也多——*同时*流失少（脆弱性，即未观测异质性）。Pareto/NBD 家族的潜在流失模型同时处理这两点：客户每次购买后都可能流失，其风险率随已发生的失误而升高，且购买率和流失率因人而异。
#
# **预测。** 在截止日计算特征，标签 = 接下来 *W* 天内是否流失。*跨时间验证*在较早的截止日上训练、在较晚的截止日上检验，正如模型实际使用时那样。AUC 衡量排序能力；前10%提升度 = 风险最高 10% 客户的流失率 ÷ 总体流失率（不可能超过 1 / 基础流失率）。
#
# **挽留。** 随机化的营销活动通过比较处理组和对照组来估计平均处理效应（ATE）。选择目标客户应当依据*增益*（优惠对这位客户的效果），而不是*风险*：有些客户无论如何都会离开，而"反作用客户"被联系后反而会离开。一次活动的利润：$N \times p \times (\gamma \cdot LTV - c)$，其中 $N$ 为客户总数，$p$ 为被联系客户的比例，$\gamma$ 为被联系客户中的增益（增加的响应率），$LTV$ 为一位被挽留客户的价值，$c$ 为每位被联系客户的成本（联系费用加上兑现的优惠——包括本来就会购买的客户兑现的部分）。这里的 $LTV$ 是每位客户在发送日的估计客户终身价值（简单 CLV：几年内年消费额的毛利，经折现，再乘以从数据中读出的年留存率），$c$ 来自 `campaigns.offer_cost`。对于联系客户集合 $S$ 的规则，$N p = |S|$，$\gamma$ 为 $S$ 中处理组减对照组的响应率，$LTV$ 为 $S$ 的平均 CLV，$c$ 为 $S$ 中处理组客户的平均优惠成本，全部在随机化活动上估计，并给出自助法置信区间。
#
# **如何阅读打印出的结论。** 下文中每一句关于*这份*数据的话，都由本次运行的估计值及其 95% 置信区间计算生成。只有当区间不包含"没有效果"时才使用方向性的词（提高、更多、最多、适得其反）；否则会说明以目前的数据量无法判断，并给出区间。

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
window_days = None
budget_share = 0.3
margin = 0.15  # gross margin on revenue, for the customer value (CLV)
clv_years = 3
discount_rate = 0.1
cost_per_contact = 1.0  # used only if the campaigns table has no offer_cost column
sleeping_dog_share = 0.1  # the customers with the lowest predicted uplift, checked for sleeping dogs
n_boot = 2000
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import churn, survival, uplift
from crmlab.analysis._results import Estimate
from crmlab.analysis.claims import claims_json, directional, leader
from crmlab.analysis.clv.bgnbd import MBGNBD, rfm_summary
from crmlab.analysis.clv.simple import estimate_retention, simple_clv
from crmlab.analysis.rfm import rfm_table
from crmlab.domain import FAILURE_KINDS
from crmlab.i18n import label
from crmlab.notebook import get_data, orders_with_value, require_tables, truth_check, write_results
from crmlab.notebook.texts.churn import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []  # every finding the notebook prints, with its estimate and interval (results.json)


def name(code):
    """Display name of a data code (failure kind, channel) in this edition's language."""
    return T(f"kind.{code}", lang) if f"kind.{code}" in T else label(code, lang)


def columns(df):
    """A table with its column headers in this edition's language."""
    return df.rename(columns={c: T(f"col.{c}", lang) for c in df.columns if f"col.{c}" in T})


# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders"], purpose="the churn notebook")
orders = data.orders
as_of = str(min(pd.Timestamp(as_of), orders["order_ts"].max().normalize()).date())
events = data["service_events"] if "service_events" in data else None
span = (pd.Timestamp(as_of) - orders["order_ts"].min()).days
print(T("data.summary", lang, customers=orders["customer_id"].nunique(), orders=len(orders), days=span, as_of=as_of))

# %% [markdown]
# ### 1. Defining churn: how long is "too long" without an order?

# %% [markdown] lang="zh"
# ### 1. 定义客户流失：多久不下单算"太久"？

# %%
gaps = churn.interpurchase_gaps(orders)
suggested = churn.suggest_window(orders, as_of=as_of)
window = int(window_days or suggested)
model_window = min(window, int(span / 2.7))  # the out-of-time split needs two windows plus history
ax = plt.subplots()[1]
ax.hist(gaps.clip(upper=720), bins=48, color=plots.PALETTE[0])
ax.axvline(window, color=plots.PALETTE[3], lw=2, label=T("gaps.window", lang, window=window))
ax.legend(frameon=False)
plots.finish(ax, T("gaps.title", lang, share=float((gaps < window).mean()), window=window),
             T("gaps.xlabel", lang), T("gaps.ylabel", lang))
plt.show()
print(T("gaps.print", lang, suggested=suggested, window=window, model_window=model_window))

# %%
cutoff_now = pd.Timestamp(as_of) - pd.Timedelta(days=window)
labels_now = churn.churn_labels(orders, cutoff=cutoff_now, window_days=window)
churn_rate = float(labels_now["churned"].mean())
se_rate = np.sqrt(churn_rate * (1 - churn_rate) / len(labels_now))
print(T("rate.print", lang, cutoff=f"{cutoff_now:%Y-%m-%d}", window=window, rate=churn_rate, level=0.95,
        ci_low=churn_rate - 1.96 * se_rate, ci_high=churn_rate + 1.96 * se_rate))

# %% [markdown]
# ### 2. Survival curves
# Time from the first order to the observed churn (the last order before a gap of at least the
# window), by the channel of the first order. One-time buyers churn "at time 0".
#
# **Kaplan-Meier by hand: ten customers.** Survival analysis studies the time until an event, here
# from a customer's first order until they churn. Its difficulty is *censoring*: for a customer who
# is still active when the follow-up ends we only know that the duration is *at least* that long.
# Dropping these customers, or counting them as churned, biases the answer. The Kaplan-Meier
# (product-limit) estimator uses each customer as long as they are observed. On each day $t_j$ on
# which someone churns, $n_j$ customers are still *at risk* (neither churned nor censored before
# $t_j$) and $d_j$ of them churn; the chance of getting past that day is $1 - d_j / n_j$, and the
# share still active after day $t$ is the product of these factors:
# $$\hat S(t) = \prod_{t_j \le t} \left(1 - \frac{d_j}{n_j}\right).$$
# A censored customer counts in $n_j$ up to their last observed day and then leaves the risk set
# without making a step. Below: ten customers drawn from the data (two one-time buyers, five who
# churned later, three censored), the product-limit steps in four lines, and the package's estimate
# for the same ten customers.

# %% [markdown] lang="zh"
# ### 2. 生存曲线
# 从首次购买到观察到流失（在至少一个窗口长度的间隔之前的最后一次购买）的时间，按首次购买的渠道分组。一次性购买者在"时刻 0"流失。
#
# **手算卡普兰-迈耶：十位客户。** 生存分析研究事件发生前的时间，这里是从客户首次购买到流失的时间。它的难点是*删失*：对于观察期结束时仍然活跃的客户，我们只知道其持续时间*至少*有那么长。删掉这些客户，或者把他们算作流失，都会使结果产生偏差。卡普兰-迈耶（乘积极限法）估计在客户被观察期间一直使用他们。在有人流失的每一天 $t_j$，有 $n_j$ 位客户仍处于*风险集*中（在 $t_j$ 之前既未流失也未删失），其中 $d_j$ 位流失；熬过这一天的概率是 $1 - d_j / n_j$，而第 $t$ 天之后仍活跃的比例是这些因子的乘积：
# $$\hat S(t) = \prod_{t_j \le t} \left(1 - \frac{d_j}{n_j}\right).$$
# 删失客户在最后一个被观察的日子之前都计入 $n_j$，之后离开风险集，但不会使曲线下降一步。下面：从数据中抽取十位客户（两位一次性购买者、五位后来流失的客户、三位删失客户），用四行代码完成乘积极限的各步，并与程序包对这十位客户的估计比较。

# %%
sf = survival.survival_frame(orders, as_of=as_of, window_days=window)
ten = survival.example_customers(sf, 10, random_state=seed)
columns(ten)

# %%
s, steps = 1.0, []
for t in sorted(ten.loc[ten["churned"], "duration_days"].unique()):  # the days on which someone churns
    n_j = int((ten["duration_days"] >= t).sum())  # at risk: not churned or censored before day t
    d_j = int(((ten["duration_days"] == t) & ten["churned"]).sum())  # churned on day t
    s = s * (1 - d_j / n_j)  # product-limit step
    steps.append({"day": t, "at_risk": n_j, "churned_today": d_j, "factor": 1 - d_j / n_j, "s_hand": s})
steps = pd.DataFrame(steps)
steps["s_package"] = survival.kaplan_meier(ten).set_index("time")["survival"].reindex(steps["day"]).to_numpy()
columns(steps).round(3)

# %% [markdown]
# Censored customers never make a step, but they shrink the risk set of the later steps. The package
# does the same for all customers at once (and adds a confidence band); the curves below are these
# steps for thousands of customers, one curve per channel of the first order.

# %% [markdown] lang="zh"
# 删失客户从不使曲线下降，但会缩小后面各步的风险集。程序包对全部客户一次完成同样的计算（并加上置信带）；下面的曲线就是成千上万位客户的这些步骤，每种首次购买渠道一条曲线。

# %%
first_channel = orders.sort_values("order_ts").groupby("customer_id")["channel"].first().reindex(sf.index)
if first_channel.nunique() < 2:  # e.g. an online-only extract: one curve
    first_channel = pd.Series(T("km.all", lang), index=sf.index)
else:
    first_channel = first_channel.map(lambda c: label(c, lang))
one_time = float((sf["churned"] & (sf["duration_days"] == 0)).mean())  # = 1 - S(0) of the pooled Kaplan-Meier
se_one = np.sqrt(one_time * (1 - one_time) / len(sf))
claims.append(directional("churn.one_time", Estimate(one_time, one_time - 1.96 * se_one, one_time + 1.96 * se_one),
                          T, null=0.5, lang=lang))
km = survival.kaplan_meier(sf, group=first_channel)
ax = plt.subplots()[1]
for i, (g, cur) in enumerate(km.groupby("group")):
    ax.step(cur["time"], cur["survival"], where="post", color=plots.PALETTE[i], label=str(g))
ax.legend(title=T("km.legend", lang), frameon=False)
ax.set_ylim(0, 1)
plots.finish(ax, T("km.title", lang, share=one_time), T("km.xlabel", lang), T("km.ylabel", lang))
plt.show()
print(claims[-1])
if first_channel.nunique() >= 2:
    lr = survival.logrank_test(sf, first_channel)
    print(T("logrank.print", lang, chi2=lr.chi2, df=lr.df, p=lr.p_value))

# %% [markdown]
# ### 3. Why do customers leave? Service failures
# First the naive view: the churn rate of customers with and without each kind of failure before
# the cut-off, and the difference with its 95% interval.

# %% [markdown] lang="zh"
# ### 3. 客户为什么离开？服务失误
# 先看朴素的比较：截止日之前有和没有各类服务失误的客户的流失率，以及两者之差及其 95% 置信区间。

# %%
kinds = list(FAILURE_KINDS)
if events is not None:
    naive = churn.churn_by_failure(labels_now, events, cutoff=cutoff_now, kinds=kinds)
    shown = naive[["churn_without", "churn_with", "difference", "ci_low", "ci_high", "n_with"]]
    display(columns(shown.rename(index=name)).rename_axis(T("col.kind", lang)).round(3))
    anyf = naive.loc["any"]
    claims.append(directional("churn.naive_any_failure", anyf[["difference", "ci_low", "ci_high"]].tolist(), T,
                              lang=lang, cutoff=f"{cutoff_now:%Y-%m-%d}", with_=anyf["churn_with"],
                              without=anyf["churn_without"]))
    print(claims[-1])
    per_kind = naive.drop(index="any")
    print(T("naive.by_kind", lang, down=int((per_kind["ci_high"] < 0).sum()), up=int((per_kind["ci_low"] > 0).sum()),
            unclear=int(((per_kind["ci_low"] <= 0) & (per_kind["ci_high"] >= 0)).sum())))

# %% [markdown]
# If customers with failures churn *less* in this comparison, do not conclude that failures keep
# customers. That is the frailty trap: frequent buyers have more orders, so more failures, and they
# rarely leave. The hazard ratios below compare a naive Cox model on observed churn with the
# latent-dropout model, which separates buying from leaving. Resolved complaints are a separate
# kind, so that unresolved and resolved complaints can be compared.

# %% [markdown] lang="zh"
# 如果在这一比较中有服务失误的客户流失得*更少*，不要据此认为服务失误能留住客户。这是脆弱性陷阱：经常购买的客户订单多，因此失误也多，而他们很少离开。下面的风险比把基于观察到的流失的朴素 Cox 模型与潜在流失模型进行比较，后者把购买与离开区分开来。已解决的投诉单独作为一类，以便比较未解决和已解决的投诉。

# %%
hr_kinds = [*kinds, "resolved_complaint"]
strongest = None
if events is not None:
    fit = churn.fit_dropout_model(orders, events, as_of=as_of, kinds=hr_kinds)
    hr = fit.hazard_ratios
    try:
        hr_cox = churn.failure_hazard_ratios(orders, events, as_of=as_of, method="cox", window_days=window,
                                             kinds=hr_kinds)
    except (np.linalg.LinAlgError, ValueError):  # too few events of some kind (small data)
        hr_cox = hr.assign(hazard_ratio=np.nan)
    table = pd.DataFrame({"naive_cox": hr_cox["hazard_ratio"], "latent_dropout": hr["hazard_ratio"],
                          "ci_low": hr["ci_low"], "ci_high": hr["ci_high"], "n_events": hr["n_events"]})
    display(columns(table.rename(index=name)).rename_axis(T("col.kind", lang)).round(2))
    for k in kinds:
        claims.append(directional(f"churn.hr.{k}", hr.loc[k, ["hazard_ratio", "ci_low", "ci_high"]].tolist(), T,
                                  null=1.0, lang=lang, kind=name(k)))
    finite = hr.loc[kinds].dropna(subset=["hazard_ratio"]).sort_values("hazard_ratio", ascending=False,
                                                                       kind="stable")
    if len(finite) >= 2:
        top, second = finite.index[:2]
        ratio = fit.ratio(top, second)  # the lead, with the covariance of the two estimates
        strongest = leader("churn.strongest_failure",
                           {k: tuple(np.log(finite.loc[k, ["hazard_ratio", "ci_low", "ci_high"]].to_numpy(float)))
                            for k in finite.index}, T,
                           difference=Estimate(np.log(ratio.estimate), np.log(ratio.ci_low), np.log(ratio.ci_high)),
                           names={k: name(k) for k in finite.index}, lang=lang, ratio=ratio.estimate,
                           ratio_low=ratio.ci_low, ratio_high=ratio.ci_high, leader_hr=finite.loc[top, "hazard_ratio"],
                           runner_up_hr=finite.loc[second, "hazard_ratio"])
        claims.append(strongest)
    complaints = fit.ratio("unresolved_complaint", "resolved_complaint")
    claims.append(directional("churn.unresolved_vs_resolved", complaints, T, null=1.0, lang=lang))
    ax = plt.subplots(figsize=(7, 4.2))[1]
    y = np.arange(len(hr))
    ax.errorbar(hr["hazard_ratio"], y, xerr=[hr["hazard_ratio"] - hr["ci_low"], hr["ci_high"] - hr["hazard_ratio"]],
                fmt="o", color=plots.PALETTE[0], capsize=3, label=T("hr.legend_dropout", lang))
    ax.scatter(hr_cox["hazard_ratio"], y, marker="x", color=plots.PALETTE[3], label=T("hr.legend_cox", lang), zorder=3)
    ax.axvline(1, color="grey", lw=1)
    ax.set_yticks(y, [name(k) for k in hr.index])
    ax.set_xscale("log")
    ticks = [t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6) if hr["ci_low"].min() / 1.2 <= t <= hr["ci_high"].max() * 1.2]
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.xaxis.set_minor_locator(plt.NullLocator())
    ax.legend(frameon=False, fontsize=8)
    title = (T("hr.title.leader", lang, leader=name(strongest.detail["leader"]).capitalize())
             if strongest is not None and strongest.supported else T("hr.title.unclear", lang))
    plots.finish(ax, title, T("hr.xlabel", lang), "")
    plt.show()
    for c in claims:
        if c.id.startswith("churn.hr.") or c.id in ("churn.strongest_failure", "churn.unresolved_vs_resolved"):
            print(c)
else:
    hr = None
    print(T("hr.skipped", lang))

# %% [markdown]
# ### 4. Predicting who leaves next (out-of-time validation)

# %% [markdown] lang="zh"
# ### 4. 预测谁将流失（跨时间验证）

# %%
split = churn.out_of_time_split(orders, events if events is not None else orders.iloc[:0],
                                data["customers"] if "customers" in data else None,
                                as_of=as_of, window_days=model_window)
model = churn.train_churn_model(split.X_train, split.y_train, model="logistic", random_state=seed)
score = churn.predict_churn(model, split.X_test)
metrics = churn.evaluate_churn_model(split.y_test, score)
print(T("split.print", lang, train=split.train_cutoff, n_train=len(split.y_train), test=split.test_cutoff,
        n_test=len(split.y_test)))
claims.append(directional("churn.model_auc", (metrics.auc, metrics.auc_ci_low, metrics.auc_ci_high), T, null=0.5,
                          lang=lang))
print(claims[-1])
print(T("lift.print", lang, lift=metrics.top_decile_lift, level=metrics.confidence_level, lo=metrics.lift_ci_low,
        hi=metrics.lift_ci_high, base=metrics.base_rate, cap=1 / metrics.base_rate))

# %%
gains = churn.gains_table(split.y_test, score)
ax = plots.gains_chart(gains, T("gains.title", lang, share=gains["cum_share_customers"].iloc[2],
                                churners=gains["cum_share_churners"].iloc[2]))
ax.legend(ax.get_lines(), [T("gains.model", lang), T("gains.random", lang)], frameon=False, loc="lower right")
ax.set_xlabel(T("gains.xlabel", lang))
ax.set_ylabel(T("gains.ylabel", lang))
plt.show()
calib = churn.calibration_table(split.y_test, score)
print(T("calib.print", lang, ece=calib.ece, pred=float(score.mean()), obs=float(split.y_test.mean())))
columns(calib.table[["n", "mean_predicted", "observed_rate", "se"]]).rename_axis(T("col.bin", lang)).round(3)

# %% [markdown]
# ### 5. For contrast: BG/NBD P(alive)
# The BG/NBD model needs only frequency, recency and age of each customer. The *modified* BG/NBD
# lets one-time buyers drop out too (in retail data many customers buy only once).

# %% [markdown] lang="zh"
# ### 5. 作为对照：BG/NBD 存活概率
# BG/NBD 模型只需要每位客户的购买频率、最近一次购买时间和客户年龄。*修正的* BG/NBD 模型允许一次性购买者也会流失（零售数据中很多客户只购买一次）。

# %%
summary = rfm_summary(orders, as_of=split.test_cutoff)
bgnbd = MBGNBD().fit(summary["frequency"], summary["recency"], summary["T"])
p_alive = pd.Series(bgnbd.p_alive(summary["frequency"], summary["recency"], summary["T"]), index=summary.index)
both = split.y_test.to_frame("churned").join(p_alive.rename("p_alive"), how="inner")
palive_eval = churn.evaluate_churn_model(both["churned"], 1 - both["p_alive"])
auc_palive = palive_eval.auc
print({k: round(v, 3) for k, v in bgnbd.params_.items()})
print(T("palive.print", lang, auc=auc_palive, level=palive_eval.confidence_level, lo=palive_eval.auc_ci_low,
        hi=palive_eval.auc_ci_high, auc_model=metrics.auc))

# %% [markdown]
# ### 6. The retention campaign
# A randomised offer: treated customers got a coupon, a control group got nothing. The outcome is an
# order within the response window. What a response is worth: each customer's estimated lifetime
# value at the send date (simple CLV), not a fixed amount.

# %% [markdown] lang="zh"
# ### 6. 挽留活动
# 一次随机化的优惠：处理组客户收到优惠券，对照组什么也没收到。结果变量是在响应窗口内是否下单。一次响应的价值：每位客户在发送日的估计客户终身价值（简单 CLV），而不是一个固定金额。

# %%
if "campaigns" in data:
    camp = data.campaigns
    ids = camp["customer_id"]
    effect = uplift.campaign_effect(camp)
    claims.append(directional("churn.campaign_ate", effect, T, lang=lang, treated=effect.rate_treated,
                              control=effect.rate_control))
    print(claims[-1])
    sent = camp["sent_date"].min()
    F = churn.churn_features(orders, events, data["customers"] if "customers" in data else None, cutoff=sent)
    risk = churn.predict_churn(model, F.reindex(ids))
    # customer value: simple CLV from the orders before the send date
    rfm = rfm_table(orders_with_value(data), as_of=sent - pd.Timedelta(days=1))
    try:
        retention = estimate_retention(rfm)
    except ValueError:  # less than a year of history
        retention = 0.5
    value = simple_clv(rfm, margin=margin, annual_retention=retention, discount_rate=discount_rate,
                       horizon_years=clv_years).reindex(ids.to_numpy()).fillna(0.0)
    print(T("value.print", lang, margin=margin, retention=retention, discount=discount_rate, years=clv_years,
            median=float(value.median()), mean=float(value.mean())))
    # uplift by churn-risk quintile: 1 = highest risk
    risk_q = pd.qcut((-risk).rank(method="first"), 5, labels=[1, 2, 3, 4, 5])
    by_risk = uplift.uplift_by_group(camp, risk_q)
    q_names = {1: T("risk.q1", lang), 5: T("risk.q5", lang)}
    print(T("risk.note", lang))
    display(columns(by_risk[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]]
                    .rename(index=lambda q: q_names.get(q, str(q)))).rename_axis(T("col.risk_quintile", lang)).round(3))
    d = by_risk.loc[1, "uplift"] - by_risk.loc[5, "uplift"]
    se = np.hypot(by_risk.loc[1, "se"], by_risk.loc[5, "se"])
    claims.append(directional("churn.uplift_risk_top_minus_bottom", (d, d - 1.96 * se, d + 1.96 * se), T, lang=lang))
    print(claims[-1])
else:
    effect = None
    print(T("campaign.skipped", lang))

# %% [markdown]
# Does the offer work as well for the most valuable customers? Uplift by tercile of estimated
# customer value (low, mid, high), each with its 95% interval.

# %% [markdown] lang="zh"
# 优惠对最有价值的客户是否同样有效？按估计客户价值的三分位（低、中、高）计算增益，每组给出 95% 置信区间。

# %%
if effect is not None:
    value_t = pd.qcut(value.rank(method="first"), 3, labels=["low", "mid", "high"])
    by_value = uplift.uplift_by_group(camp, value_t)
    hi_lo = by_value.loc["high", "uplift"] - by_value.loc["low", "uplift"]
    se = np.hypot(by_value.loc["high", "se"], by_value.loc["low", "se"])
    claims.append(directional("churn.uplift_value_high", by_value.loc["high", ["uplift", "ci_low", "ci_high"]].tolist(),
                              T, lang=lang))
    claims.append(directional("churn.uplift_value_high_minus_low", (hi_lo, hi_lo - 1.96 * se, hi_lo + 1.96 * se), T,
                              lang=lang))
    direction = {1: "up", -1: "down", 0: "unclear"}[claims[-1].direction]
    ax = plt.subplots()[1]
    ax.bar([T(f"value.{v}", lang) for v in by_value.index], by_value["uplift"], color=plots.PALETTE[0],
           yerr=np.clip(np.array([by_value["uplift"] - by_value["ci_low"], by_value["ci_high"] - by_value["uplift"]]), 0, None), capsize=4)
    ax.axhline(0, color="grey", lw=1)
    plots.finish(ax, T(f"value.title.{direction}", lang), T("value.xlabel", lang), T("value.ylabel", lang))
    plt.show()
    display(columns(by_value[["uplift", "ci_low", "ci_high", "n_treated", "n_control"]]
                    .rename(index=lambda v: T(f"value.{v}", lang))).rename_axis(T("col.value_tercile", lang)).round(3))
    het = uplift.uplift_heterogeneity(by_value)
    print(claims[-2])
    print(claims[-1])
    print(T("value.heterogeneity", lang, chi2=het.chi2, df=het.df, p=het.p_value))

# %% [markdown]
# **The T-learner step by step.** A churn model predicts *who will leave*; a retention offer needs
# *whose behaviour the offer changes*. For one customer with features $x$ that is the difference of
# two probabilities, $P(\text{respond} \mid \text{offer}, x) - P(\text{respond} \mid \text{no offer}, x)$,
# and we never observe both for the same customer. A randomised campaign lets us estimate each one
# from a different group of customers:
#
# 1. split the campaign customers at random into a *fit* half, to learn from, and an *evaluation*
#    half, to judge the model on;
# 2. in the fit half, fit a response model on the treated customers only: it predicts
#    $P(\text{respond} \mid \text{offer}, x)$;
# 3. fit a second model on the control customers only: $P(\text{respond} \mid \text{no offer}, x)$;
# 4. score each customer of the evaluation half with both models: the predicted uplift is the
#    difference.
#
# A made-up illustration: customer A responds with probability 0.30 with the offer and 0.20 without
# (uplift +0.10: worth contacting); customer B 0.50 and 0.55 (uplift -0.05: a possible sleeping dog);
# customer C 0.05 and 0.05 (uplift 0: the offer changes nothing, however high C's churn risk). The
# next two cells do the four steps with two logistic models and compare five customers with the
# package's `tlearner_uplift`, which scores the whole evaluation half in one call.

# %% [markdown] lang="zh"
# **两模型法（T-learner）分步讲解。** 流失模型预测*谁会离开*；挽留优惠需要知道*优惠改变了谁的行为*。对于特征为 $x$ 的一位客户，这是两个概率之差，$P(\text{响应} \mid \text{发优惠}, x) - P(\text{响应} \mid \text{不发优惠}, x)$，而同一位客户的这两种情况我们永远不能同时观察到。随机化的营销活动让我们可以分别用不同的客户组估计这两个概率：
#
# 1. 把活动客户随机分成用来学习的*拟合*一半和用来评价模型的*评估*一半；
# 2. 在拟合的一半中，只用处理组客户拟合一个响应模型：它预测 $P(\text{响应} \mid \text{发优惠}, x)$；
# 3. 只用对照组客户拟合第二个模型：$P(\text{响应} \mid \text{不发优惠}, x)$；
# 4. 用两个模型为评估一半中的每位客户打分：预测增益就是两者之差。
#
# 一个虚构的例子：客户 A 收到优惠时响应概率为 0.30，不收到时为 0.20（增益 +0.10：值得联系）；客户 B 为 0.50 和 0.55（增益 -0.05：可能是反作用客户）；客户 C 为 0.05 和 0.05（增益 0：无论 C 的流失风险多高，优惠都不起作用）。接下来两个单元格用两个逻辑回归模型完成这四步，并把其中五位客户与程序包的 `tlearner_uplift` 比较，后者一次为整个评估一半打分。

# %%
if effect is not None:
    fit_ids, eval_ids = uplift.split_campaign(camp, random_state=seed)  # step 1
    fit_rows = fit_ids.intersection(F.index)
    responded = camp.set_index("customer_id").loc[fit_rows, "responded"].astype(int)
    offer = camp.set_index("customer_id").loc[fit_rows, "treated"].astype(bool).to_numpy()
    by_hand = responded[offer].nunique() == 2 and responded[~offer].nunique() == 2  # both outcomes in each arm
    if by_hand:
        m_offer = churn.train_churn_model(F.loc[fit_rows[offer]], responded[offer], random_state=seed)  # step 2
        m_none = churn.train_churn_model(F.loc[fit_rows[~offer]], responded[~offer], random_state=seed)  # step 3

# %%
if effect is not None:
    uplift_score = uplift.tlearner_uplift(F, camp, evaluate_on=eval_ids, random_state=seed)  # the package
    camp_eval = camp[ids.isin(uplift_score.index)]
if effect is not None and by_hand:
    five = eval_ids.intersection(F.index)[:5]
    steps = pd.DataFrame({"p_offer": m_offer.predict_proba(F.loc[five])[:, 1],  # step 4
                          "p_no_offer": m_none.predict_proba(F.loc[five])[:, 1]}, index=five)
    steps["uplift_hand"] = steps["p_offer"] - steps["p_no_offer"]
    steps["uplift_package"] = uplift_score.reindex(five).to_numpy()
    display(columns(steps).round(3))

# %% [markdown]
# Sleeping dogs are customers whom the offer pushes away; the T-learner points at candidates.
# Everything that judges the model - sleeping dogs, the Qini curve, the profit of targeting by it -
# is measured on the evaluation half, where the scores cannot have learnt from the outcomes (with
# cross-fitting on the same customers the intervals come out too narrow). Among the evaluation
# customers with the lowest predicted uplift, does the offer lower the response?

# %% [markdown] lang="zh"
# 反作用客户是被优惠推走的客户；两模型法可以指出候选人。评价模型的一切——反作用客户、Qini 曲线、按模型选择目标客户的利润——都在评估的一半上衡量，那里的得分不可能从结果中学到东西（如果在同一批客户上做交叉拟合，置信区间会偏窄）。在预测增益最低的评估客户中，优惠是否降低了响应率？

# %%
if effect is not None:
    n_low = max(int(round(sleeping_dog_share * len(uplift_score))), 4)
    low_ids = uplift_score.sort_values(kind="stable").index[:n_low]
    dogs = uplift.campaign_effect(camp_eval[camp_eval["customer_id"].isin(low_ids)])
    claims.append(directional("churn.sleeping_dogs", dogs, T, lang=lang, share=sleeping_dog_share))
    print(claims[-1])

# %% [markdown]
# How well does the uplift model rank customers? Radcliffe's Qini curve: the extra responses when the
# top of the ranking is treated, against random targeting (the straight line). The Qini coefficient
# is the area between the two, with a bootstrap interval.

# %% [markdown] lang="zh"
# 增益模型对客户的排序有多好？Radcliffe 的 Qini 曲线：按排序从高到低处理客户时增加的响应数，与随机选择（直线）相比。Qini 系数是两者之间的面积，并给出自助法置信区间。

# %%
if effect is not None:
    qc = uplift.qini_curve(camp_eval, uplift_score)
    qini = uplift.qini_coefficient(camp_eval, uplift_score, n_boot=n_boot, random_state=seed)
    claims.append(directional("churn.qini", qini, T, lang=lang))
    direction = {1: "up", -1: "down", 0: "unclear"}[claims[-1].direction]
    ax = plt.subplots()[1]
    ax.plot(np.r_[0, qc["share"]], np.r_[0, qc["gain"]], color=plots.PALETTE[0], label=T("qini.model", lang))
    ax.plot([0, 1], [0, qc["gain"].iloc[-1]], ls="--", color="grey", label=T("qini.random", lang))
    ax.legend(frameon=False)
    plots.finish(ax, T(f"qini.title.{direction}", lang), T("qini.xlabel", lang), T("qini.ylabel", lang))
    plt.show()
    print(claims[-1])

# %% [markdown]
# Target the top share of customers by predicted churn risk, by predicted uplift, or at random (on the
# held-out half of the campaign)? Each rule's profit is $N p (\gamma \cdot LTV - c)$ estimated on the randomised campaign: the extra
# responses among the customers it targets, valued at their mean estimated CLV, minus the offer
# cost, with bootstrap intervals of the profits and of their differences.

# %% [markdown] lang="zh"
# 按预测流失风险、按预测增益，还是随机选择前一部分客户（在活动中留出的一半客户上）？每条规则的利润 $N p (\gamma \cdot LTV - c)$ 在随机化活动上估计：所选客户中增加的响应，按其平均估计客户终身价值计价，减去优惠成本，并给出利润及利润之差的自助法置信区间。

# %%
if effect is not None:
    comparison = uplift.targeting_comparison(camp_eval, risk, uplift_score, budget_share=budget_share, value=value,
                                             cost_per_contact=cost_per_contact, n_boot=n_boot, random_state=seed)
    tab = comparison.table
    strategy = {s: T(f"strategy.{s}", lang) for s in tab.index}
    display(columns(tab[["n_targeted", "uplift", "incremental_responses", "value_per_response", "cost_per_contact",
                         "profit", "profit_ci_low", "profit_ci_high"]].rename(index=strategy))
            .rename_axis(T("col.strategy", lang)).round(3).round({T(f"col.{k}", lang): 0 for k in
                                                                   ("profit", "profit_ci_low", "profit_ci_high")}))
    best = leader("churn.best_targeting", {s: tab.loc[s, ["profit", "profit_ci_low", "profit_ci_high"]].tolist()
                                           for s in tab.index}, T, difference=comparison.lead()[2], names=strategy,
                  lang=lang)
    claims += [best,
               directional("churn.profit_uplift_minus_risk", comparison.difference("uplift", "risk"), T, lang=lang),
               directional("churn.profit_uplift_minus_random", comparison.difference("uplift", "random"), T, lang=lang)]
    ax = plt.subplots()[1]
    ax.bar([strategy[s] for s in tab.index], tab["profit"], color=plots.PALETTE[0],
           yerr=np.clip(np.array([tab["profit"] - tab["profit_ci_low"], tab["profit_ci_high"] - tab["profit"]]), 0, None), capsize=4)
    ax.axhline(0, color="grey", lw=1)
    title = (T("profit.title.leader", lang, leader=strategy[best.detail["leader"]]) if best.supported
             else T("profit.title.unclear", lang))
    plots.finish(ax, title, T("profit.xlabel", lang, share=budget_share), T("profit.ylabel", lang))
    plt.show()
    for c in claims[-3:]:
        print(c)
    treated = camp["treated"].astype(bool)
    c_mean = float(camp.loc[treated, "offer_cost"].mean()) if "offer_cost" in camp else cost_per_contact
    ltv = float(value.mean())
    profit = uplift.retention_profit(n=len(camp), p_targeted=budget_share, gamma=effect.ate, ltv=ltv, cost=c_mean)
    print(T("formula.print", lang, n=len(camp), p=budget_share, gamma=effect.ate, ltv=ltv, c=c_mean, profit=profit))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
print(T("result.window", lang, window=window, rate=churn_rate))
if hr is not None:
    print(T("result.hr", lang), {name(k): round(v, 2) for k, v in hr["hazard_ratio"].items()})
print(T("result.model", lang, auc=metrics.auc, lift=metrics.top_decile_lift))
headline = ("churn.naive_any_failure", "churn.strongest_failure", "churn.unresolved_vs_resolved", "churn.model_auc",
            "churn.campaign_ate", "churn.uplift_value_high_minus_low", "churn.sleeping_dogs", "churn.qini",
            "churn.best_targeting", "churn.profit_uplift_minus_risk")
for c in claims:
    if c.id in headline:
        print("-", c)

# %% [markdown]
# How to read these results: the naive comparison of section 3 mixes the effect of failures with
# purchase frequency, and the latent-dropout hazard ratios separate the two. The out-of-time AUC
# measures ranking; when most customers churn anyway the top-decile lift is capped at 1 / base rate.
# Whether uplift targeting beats risk targeting on these data is printed above with its interval;
# Ascarza (2018) explains why it usually does: the riskiest customers often leave whatever we do, and
# some customers react badly to being contacted (sleeping dogs).
#
# ## Discussion
#
# * **Caveat - churn is not observed.** Every number depends on the window; a customer who buys an
#   air conditioner every five years is "churned" by any practical window. Hazard ratios come from a
#   model of latent dropout: check its assumptions before quoting them.
# * The course says "90% of dissatisfied customers leave silently": the TARP studies behind it found
#   that about half of customers with a problem complain to front-line staff; most complaints never
#   reach management. Section 3 tests on these data whether unresolved complaints matter more than
#   resolved ones.
# * Uplift estimates are noisy at classroom size; decide on a strategy with a second experiment.
# * The profit depends on what a response is worth: here each customer's simple CLV at the send date.
#   A response is an order in the window, so valuing it at the whole CLV assumes that the offer keeps
#   the customer; valuing it at one order's margin gives a lower bound.

# %% [markdown] lang="zh"
# 如何阅读这些结果：第 3 节的朴素比较把服务失误的效果与购买频率混在一起，而潜在流失模型的风险比把两者分开。跨时间验证的 AUC 衡量排序能力；当大多数客户无论如何都会流失时，前10%提升度的上限是 1 / 基础流失率。在这份数据上按增益选择是否优于按风险选择，上面已连同置信区间打印出来；Ascarza (2018) 解释了为什么通常如此：风险最高的客户往往无论如何都会离开，而有些客户被联系后反而会离开（反作用客户）。
#
# ## 讨论
#
# * **注意——流失是观察不到的。** 每个数字都取决于窗口；一位每五年买一次空调的客户，在任何实际可用的窗口下都会被算作"流失"。风险比来自潜在流失模型：引用之前要检查它的假设。
# * 课程材料说"90% 不满意的客户会默默离开"：其背后的 TARP 研究发现，遇到问题的客户中约一半会向一线员工投诉，但大多数投诉从未到达管理层。第 3 节在这份数据上检验未解决的投诉是否比已解决的投诉影响更大。
# * 在课堂数据规模下增益估计的噪声很大；应当用第二次实验来决定策略。
# * 利润取决于一次响应的价值：这里是每位客户在发送日的简单 CLV。一次响应是窗口内的一笔订单，因此按完整的 CLV 计价是假设优惠留住了这位客户；按一笔订单的毛利计价则给出下限。

# %% [markdown]
# ## Quiz
# 1. Why can a naive comparison show that customers with service failures churn *less*?
# 2. The base churn rate is 70%. What is the largest possible top-decile lift?
# 3. Why may contacting a loyal, high-value customer with a discount reduce their purchases?
# 4. Of ten customers, three are still active when the follow-up ends, after 50, 120 and 400 days.
#    Why is "the share of the ten with a duration above 200 days" not the share still active after
#    200 days, and what does Kaplan-Meier do with the three?
# 5. Why does a T-learner fit two response models instead of using the churn model? What does a
#    negative predicted uplift mean for a customer?

# %% [markdown] lang="zh"
# ## 测验
# 1. 为什么朴素比较可能显示有服务失误的客户流失得*更少*？
# 2. 基础流失率为 70%。前10%提升度最大可能是多少？
# 3. 为什么给一位忠诚的高价值客户发折扣可能反而减少他的购买？
# 4. 十位客户中，有三位在观察期结束时仍然活跃，分别已观察 50、120 和 400 天。为什么"十位客户中持续时间超过 200 天的比例"不是 200 天后仍活跃的比例？卡普兰-迈耶估计如何处理这三位客户？
# 5. 为什么两模型法要拟合两个响应模型，而不直接用流失模型？预测增益为负对一位客户意味着什么？

# %% [markdown] tags=["quiz-answers"]
# ## Quiz answers
# 1. Because failures happen to orders. Customers who buy often place more orders, so they collect
#    more failures, and they leave less *because* they buy often (frailty). A customer must also stay
#    long enough to have a failure at all. The naive comparison mixes the effect of a failure with
#    purchase frequency and time; a hazard model with time-varying failure counts, which separates
#    buying from leaving (the latent-dropout model), compares customers at the same moment.
# 2. $1 / 0.7 \approx 1.43$. Even a perfect model cannot do better than a 100% churn rate in its
#    riskiest 10%, and lift is that rate divided by the base rate. A lift of 1.3 is therefore good
#    when 70% churn; always compare the lift with its ceiling $1/\text{base rate}$.
# 3. The offer costs money and may change nothing for a customer who would have bought anyway
#    (the discount only subsidises the purchase), and the contact itself can remind a satisfied
#    customer to compare prices, signal that the price was too high, or annoy them (sleeping dogs,
#    Ascarza 2018). On the data: look at the sleeping-dogs line of section 6; speak of a backfire
#    only if its interval lies below zero.
# 4. The three active customers' durations are censored: we only know that they stayed *at least*
#    50, 120 and 400 days. Counting the first two as "not above 200" treats them as churned; dropping
#    them throws away the days they were observed; both bias the estimate (usually down). Kaplan-Meier keeps a
#    censored customer in the risk set $n_j$ until the last observed day and then removes them
#    without a step, so the curve uses exactly what is known.
# 5. A churn model predicts the risk of leaving; targeting needs the *change* the offer causes,
#    $P(\text{respond} \mid \text{offer}, x) - P(\text{respond} \mid \text{no offer}, x)$. The two
#    terms are estimated from the two randomised arms, one model each, and subtracted. A negative
#    predicted uplift means the model expects the offer to lower this customer's response: a
#    candidate sleeping dog, not to be contacted, though single scores are noisy and the model is
#    judged on held-out customers.

# %% [markdown] lang="zh"
# ## 测验答案
# 1. 因为服务失误发生在订单上。经常购买的客户订单更多，因此遇到的失误更多，而他们*因为*经常购买才流失得少（脆弱性）。客户还必须留存足够久才可能遇到失误。朴素比较把失误的效果与购买频率和时间混在一起；用随时间变化的失误次数、并把购买与离开区分开的风险模型（潜在流失模型）在同一时刻比较客户。
# 2. $1 / 0.7 \approx 1.43$。即使是完美的模型，风险最高的 10% 客户的流失率也不会超过 100%，而提升度是这一流失率除以基础流失率。因此在 70% 的客户流失时，1.3 的提升度已经不错；总要把提升度与其上限 $1/\text{基础流失率}$ 比较。
# 3. 优惠要花钱，而对本来就会购买的客户可能什么也没改变（折扣只是补贴了这次购买）；联系本身还可能提醒满意的客户去比价、暗示原价太高，或者打扰到他们（反作用客户，Ascarza 2018）。在数据上：看第 6 节关于反作用客户的那一行；只有当其置信区间完全低于零时才能说适得其反。
# 4. 这三位活跃客户的持续时间是删失的：我们只知道他们至少留存了 50、120 和 400 天。把前两位算作"没有超过 200 天"就是把他们当作流失；删掉他们则丢掉了他们被观察的那些天；两者都会使估计产生偏差（通常偏低）。卡普兰-迈耶估计把删失客户一直保留在风险集 $n_j$ 中直到最后一个被观察的日子，然后移出而不使曲线下降，因此曲线恰好使用了已知的信息。
# 5. 流失模型预测离开的风险；选择目标客户需要的是优惠带来的*变化*，$P(\text{响应} \mid \text{发优惠}, x) - P(\text{响应} \mid \text{不发优惠}, x)$。这两项分别由随机化的两组客户各用一个模型估计，然后相减。预测增益为负，意味着模型预计优惠会降低这位客户的响应：他是反作用客户的候选人，不应联系；不过单个得分噪声很大，模型要在留出的客户上评价。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset. The visible checks
# catch common slips; they do not tell you the answer.
#
# **Exercise 1 (survival).** Section 2 draws one Kaplan-Meier curve per channel of the first order.
# What share of *all* customers (one curve, every channel together) is still active 365 days after
# the first order? Use the curve's value at the last step on or before day 365, and store it as a
# float in `s_365`.

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间写代码；每道练习后面的单元格会检查你的答案。`# answer:` 行中列出的变量将在你自己的数据集上评分。可见的检查会发现常见的失误，但不会告诉你答案。
#
# **练习 1（生存分析）。** 第 2 节按首次购买渠道各画了一条卡普兰-迈耶曲线。*全部*客户（一条曲线，所有渠道合在一起）在首次购买 365 天后仍活跃的比例是多少？取曲线在第 365 天或之前最后一步的值，以浮点数存入 `s_365`。

# %% tags=["exercise"]
# answer: s_365 abs=0.001 points=2
### BEGIN SOLUTION
km_all = survival.kaplan_meier(sf)
s_365 = float(km_all.loc[km_all["time"] <= 365, "survival"].iloc[-1])
### END SOLUTION

# %%
assert isinstance(s_365, float) and 0 <= s_365 <= 1, T("hint.share", lang, name="s_365")
assert s_365 <= 1 - one_time + 1e-9, T("hint.km_start", lang)
early_censored = bool((~sf["churned"] & (sf["duration_days"] <= 365)).any() and (sf["duration_days"] > 365).any())
assert not early_censored or abs(s_365 - float((sf["duration_days"] > 365).mean())) > 1e-9, T("hint.km_censoring", lang)
### BEGIN HIDDEN TESTS
_km = survival.kaplan_meier(sf)
assert abs(s_365 - _km.loc[_km["time"] <= 365, "survival"].iloc[-1]) < 1e-3
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2 (definition).** Every churn number depends on the window. Measure the churn rate with
# a 180-day window instead of the lesson's window: at the latest cut-off that still leaves 180 days
# of data before `as_of`, the share of the customers active before the cut-off who place no order
# in the following 180 days. Store it in `churn_rate_180`.

# %% [markdown] lang="zh"
# **练习 2（定义）。** 每个流失数字都取决于窗口。用 180 天窗口代替本课的窗口来衡量客户流失率：在 `as_of` 之前仍留有 180 天数据的最晚截止日，截止日之前活跃的客户中，在之后 180 天内没有下单的比例。存入 `churn_rate_180`。

# %% tags=["exercise"]
# answer: churn_rate_180 abs=0.0001 points=1
### BEGIN SOLUTION
cutoff_180 = pd.Timestamp(as_of) - pd.Timedelta(days=180)
churn_rate_180 = float(churn.churn_labels(orders, cutoff=cutoff_180, window_days=180)["churned"].mean())
### END SOLUTION

# %%
assert 0 <= churn_rate_180 <= 1, T("hint.share", lang, name="churn_rate_180")
assert window == 180 or abs(churn_rate_180 - churn_rate) > 1e-12, T("hint.same_window", lang)
assert window == 180 or abs(churn_rate_180 - churn.churn_labels(orders, cutoff=cutoff_now, window_days=180)["churned"]
                            .mean()) > 1e-12, T("hint.cutoff_180", lang)
### BEGIN HIDDEN TESTS
_c = pd.Timestamp(as_of) - pd.Timedelta(days=180)
assert abs(churn_rate_180 - churn.churn_labels(orders, cutoff=_c, window_days=180)["churned"].mean()) < 1e-4
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 3 (prediction).** When most customers churn, the useful side of a churn model is often
# the customers it rates *safe*: offers sent to them are wasted. Among the quarter of the test
# customers (rounded to whole customers) with the lowest predicted churn risk, what share churned?
# Store it in `churn_rate_low25`.

# %% [markdown] lang="zh"
# **练习 3（预测）。** 当大多数客户都会流失时，流失模型有用的一面往往是它认为*安全*的客户：发给他们的优惠是浪费。在测试客户中，预测流失风险最低的四分之一（取整到整数位客户）中，流失的比例是多少？存入 `churn_rate_low25`。

# %% tags=["exercise"]
# answer: churn_rate_low25 abs=0.005 points=2
### BEGIN SOLUTION
safest = score.sort_values(kind="stable").index[: int(round(0.25 * len(score)))]
churn_rate_low25 = float(split.y_test.loc[safest].mean())
### END SOLUTION

# %%
assert isinstance(churn_rate_low25, float) and 0 <= churn_rate_low25 <= 1, T("hint.share", lang, name="churn_rate_low25")
assert abs(churn_rate_low25 - metrics.base_rate) > 1e-12, T("hint.all_test", lang)
assert metrics.auc < 0.6 or churn_rate_low25 < metrics.base_rate, T("hint.low_order", lang)
### BEGIN HIDDEN TESTS
_low = score.sort_values(kind="stable").index[: int(round(0.25 * len(score)))]
assert abs(churn_rate_low25 - split.y_test.loc[_low].mean()) < 0.005
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 4 (campaign).** Does the retention offer work for customers the retailer has already
# let down? Among the campaign customers with at least one service event (any type) before the
# send date, estimate the offer's effect on the response rate. Store it in `uplift_failed`
# (`float("nan")` if the data have no campaigns or no service events).

# %% [markdown] lang="zh"
# **练习 4（营销活动）。** 对已经让客户失望过的情况，挽留优惠是否有效？在发送日期之前至少有一条服务事件（任何类型）的活动客户中，估计优惠对响应率的效果。存入 `uplift_failed`（如果数据中没有营销活动或服务事件，则为 `float("nan")`）。

# %% tags=["exercise"]
# answer: uplift_failed abs=0.0001 points=2
### BEGIN SOLUTION
if effect is None or events is None:
    uplift_failed = float("nan")
else:
    before = events.loc[events["event_ts"] < camp["sent_date"].min(), "customer_id"]
    sub = camp[camp["customer_id"].isin(before)]
    uplift_failed = float(sub.loc[sub["treated"], "responded"].mean() - sub.loc[~sub["treated"], "responded"].mean())
### END SOLUTION

# %%
if effect is not None and events is not None:
    assert isinstance(uplift_failed, float) and not np.isnan(uplift_failed), T("hint.nan", lang, name="uplift_failed")
    assert -1 <= uplift_failed <= 1, T("hint.difference", lang)
    assert abs(uplift_failed - effect.ate) > 1e-12, T("hint.subgroup", lang)
    assert abs(uplift_failed - effect.rate_treated) > 1e-12, T("hint.control", lang)
### BEGIN HIDDEN TESTS
if effect is not None and events is not None:
    _ids = events.loc[events["event_ts"] < camp["sent_date"].min(), "customer_id"]
    _s = camp[camp["customer_id"].isin(_ids)]
    assert abs(uplift_failed - (_s.loc[_s["treated"], "responded"].mean() - _s.loc[~_s["treated"], "responded"].mean())) < 1e-4
else:
    assert np.isnan(uplift_failed)
### END HIDDEN TESTS

# %% [markdown]
# ## Written task
# **A retention memo to Suning Yigou's CRM manager (about one page).** The manager can send the
# retention offer to 30% of the online customers next quarter and asks whom to target. Write a memo
# that uses this notebook's results for your dataset and states the uncertainty of every number you
# rely on. Cover: (a) your recommendation - target by churn risk, by predicted uplift, at random, or
# not at all - and why; (b) what the campaign is expected to earn or cost, with its interval;
# (c) whom *not* to contact; (d) the service failure you would fix first, and the evidence for it;
# (e) what to test next.

# %% [markdown] lang="zh"
# ## 书面作业
# **给苏宁易购客户关系管理经理的挽留备忘录（约一页）。** 经理下个季度可以向 30% 的网购客户发送挽留优惠，想知道应该发给谁。请写一份备忘录，使用本 notebook 在你的数据集上得到的结果，并说明你所依据的每个数字的不确定性。内容包括：(a) 你的建议——按流失风险、按预测增益、随机选择，还是根本不发——以及理由；(b) 活动预计的收益或成本及其置信区间；(c) *不*应联系哪些客户；(d) 你会首先改进哪种服务失误，依据是什么；(e) 下一步要检验什么。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# **Model outline** (what a good memo covers; the numbers come from the student's own run).
# * Opens with a recommendation the manager can act on, and the rule behind it: uplift targeting
#   aims at customers whose behaviour the offer changes, risk targeting at customers who may leave
#   whatever we do; the choice follows the profit comparison of section 6, not habit.
# * Gives each number it relies on with its 95% interval (average effect of the offer, profit of the
#   chosen rule and its difference to the alternatives) and says "the data cannot tell" where an
#   interval includes zero - then recommends the cautious option (e.g. a smaller or random test)
#   rather than a confident one.
# * Explains what the profit assumes: a response valued at the customer's CLV assumes the offer
#   keeps the customer (an upper bound); one order's margin gives a lower bound; costs include
#   offers redeemed by customers who would have bought anyway.
# * Names whom not to contact (predicted sleeping dogs, if the held-out evidence supports it;
#   otherwise says that it does not) and why contacting everyone is not free.
# * Links retention to service: the failure with the largest hazard ratio (latent-dropout model)
#   with its interval, the caveat that churn is defined by an inactivity window, and that fixing a
#   failure keeps customers without paying for offers.
# * Proposes a next experiment (a holdout control group in the next campaign, a test of the offer
#   value, a larger sample for the subgroup effects) and how it would be judged.
# * Fits on one page, leads with the decision, uses round numbers and plain words.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# **参考提纲**（好的备忘录应涵盖的内容；数字来自学生自己的运行结果）。
# * 开头给出经理可以执行的建议及其依据的规则：按增益选择针对的是行为会被优惠改变的客户，按风险选择针对的是无论如何都可能离开的客户；选择取决于第 6 节的利润比较，而不是习惯。
# * 给出所依据的每个数字及其 95% 置信区间（优惠的平均效果、所选规则的利润及其与其他规则之差），区间包含零时说明"数据无法判断"——并因此建议谨慎的做法（例如规模较小的或随机的测试），而不是过于自信的做法。
# * 说明利润的假设：按客户终身价值为一次响应计价，是假设优惠留住了客户（上限）；按一笔订单的毛利计价给出下限；成本包括本来就会购买的客户兑现的优惠。
# * 指出不应联系的客户（如果留出数据支持，则为预测的反作用客户；否则说明证据不足），以及为什么联系所有人并非没有代价。
# * 把挽留与服务联系起来：风险比最大的服务失误（潜在流失模型）及其置信区间，流失由不活跃窗口定义这一注意事项，以及改进服务失误无需支付优惠就能留住客户。
# * 提出下一次实验（下次活动保留对照组、检验优惠金额、为子群效果扩大样本）以及如何评价它。
# * 篇幅一页，先给结论，使用取整的数字和平实的语言。

# %% [markdown] tags=["rubric"]
# **Rubric (10 points)**
#
# | criterion | points |
# |---|---|
# | Clear recommendation (whom to target, with what share of the budget) justified by the profit comparison and the uplift-vs-risk logic | 3 |
# | Uncertainty: every number with its interval; no directional claim when the interval includes the null; cautious decision when evidence is weak | 3 |
# | Assumptions and caveats: value of a response (CLV vs one order), the churn window, held-out evaluation, sleeping dogs | 2 |
# | Service and next steps: the failure to fix first with its evidence; a concrete next experiment | 1 |
# | Communication: one page, decision first, readable by a manager | 1 |

# %% [markdown] lang="zh"
# **评分标准（10 分）**
#
# | 评分项 | 分数 |
# |---|---|
# | 明确的建议（选择哪些客户、用多少预算），以利润比较和"按增益还是按风险"的逻辑为依据 | 3 |
# | 不确定性：每个数字都有置信区间；区间包含零假设值时不作方向性结论；证据不足时作出谨慎决策 | 3 |
# | 假设与注意事项：一次响应的价值（客户终身价值 vs 一笔订单）、流失窗口、留出样本评价、反作用客户 | 2 |
# | 服务与下一步：首先改进的服务失误及其证据；具体的下一次实验 | 1 |
# | 表达：一页篇幅，先给决策，经理能读懂 | 1 |

# %% [markdown] tags=["take-home"]
# ## Take-home messages
# 1. Without contracts churn is a definition: an inactivity window read from the gaps between
#    orders. Every churn number depends on it, so report the window and check another one.
# 2. Kaplan-Meier keeps censored customers in the risk set until they leave observation; dropping
#    them or counting them as churned biases survival down.
# 3. Naive failure-vs-churn comparisons are confounded by purchase frequency (frailty); hazard ratios
#    need a model that follows each customer over time.
# 4. Validate churn models out of time and read the top-decile lift against its ceiling 1 / base rate.
# 5. Target retention offers by uplift, estimated from a randomised campaign (two models, difference
#    of predictions) and judged on held-out customers; decide on the profit *with* its interval.

# %% [markdown] lang="zh"
# ## 要点回顾
# 1. 没有合同时，客户流失是一个定义：从购买间隔中读出的不活跃窗口。每个流失数字都取决于它，因此要报告所用的窗口，并检查另一个窗口。
# 2. 卡普兰-迈耶估计把删失客户保留在风险集中，直到他们离开观察；删掉他们或把他们算作流失都会使生存率偏低。
# 3. 服务失误与流失的朴素比较受购买频率（脆弱性）的混杂；风险比需要一个随时间跟踪每位客户的模型。
# 4. 对流失模型做跨时间验证，并对照其上限 1 / 基础流失率来解读前10%提升度。
# 5. 按增益选择挽留优惠的目标客户：增益由随机化营销活动估计（两个模型，预测值之差），并在留出的客户上评价；依据利润*及其*置信区间作决策。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# Every claim whose true value the simulator knows, next to its estimate and interval. The true
# uplifts are each campaign customer's expected uplift given their hidden state; the true profit of
# a targeting rule uses the same customer values as the estimate and the expected offer cost.

# %% [markdown] lang="zh"
# ## 与真值核对（仅限模拟数据）
# 模拟器知道真实值的每个结论，都与其估计值和置信区间并列。真实增益是每位活动客户在其隐藏状态下的期望增益；选择规则的真实利润使用与估计相同的客户价值和期望优惠成本。

# %%
claims_truth = {}
if data.truth is not None:
    t = data.truth
    rows = [(T("truth.churn_rate", lang), round(churn_rate, 3), t["churn"]["rate"], T("truth.definitions", lang))]
    # complaints count only when unresolved; a follow-up call after a resolved complaint has its own effect,
    # which this model folds into "resolved complaint" (approximately its geometric mean over the calls)
    sv = t.get("service", {})
    true_hr = {**t["churn"]["hazard_ratios"],
               "resolved_complaint": float(sv.get("hr_followup", 1.0) ** sv.get("p_followup_given_resolved", 0.0))}
    if hr is not None:
        for k, v in t["churn"]["hazard_ratios"].items():
            if k in hr.index:
                rows.append((T("truth.hr", lang, kind=name(k)), round(hr.loc[k, "hazard_ratio"], 2), v,
                             T("truth.cover", lang)))
                claims_truth[f"churn.hr.{k}"] = v
        if strongest is not None:  # the leader's lead over the runner-up, on the claim's (log) scale
            claims_truth["churn.strongest_failure"] = float(np.log(true_hr[strongest.detail["leader"]])
                                                            - np.log(true_hr[strongest.detail["runner_up"]]))
        claims_truth["churn.unresolved_vs_resolved"] = true_hr["unresolved_complaint"] / true_hr["resolved_complaint"]
    if effect is not None:
        rows.append((T("truth.ate", lang), round(effect.ate, 3), t["campaign"]["ate"], T("truth.cover", lang)))
        tc = data.truth_customers.set_index("customer_id")
        tau = tc["campaign_uplift"].reindex(ids.to_numpy())  # each campaign customer's true uplift
        display(columns(uplift.uplift_by_group(camp, tc["segment"])[["uplift", "ci_low", "ci_high"]].round(3)
                        .join(pd.Series(t["campaign"]["uplift_by_segment"], name="true_uplift")))
                .rename_axis(T("col.segment", lang)))
        claims_truth["churn.campaign_ate"] = t["campaign"]["ate"]
        q = risk_q.reindex(ids.to_numpy()).to_numpy()
        claims_truth["churn.uplift_risk_top_minus_bottom"] = float(tau[q == 1].mean() - tau[q == 5].mean())
        v = value_t.reindex(ids.to_numpy()).to_numpy()
        claims_truth["churn.uplift_value_high"] = float(tau[v == "high"].mean())
        claims_truth["churn.uplift_value_high_minus_low"] = float(tau[v == "high"].mean() - tau[v == "low"].mean())
        claims_truth["churn.sleeping_dogs"] = float(tau.reindex(low_ids).mean())
        claims_truth["churn.qini"] = uplift.oracle_qini_coefficient(uplift_score, tau)
        if "campaign_response_treated" in tc:  # the expected offer cost needs P(response | offer)
            sc = t["scenario"]
            p1 = tc["campaign_response_treated"].reindex(ids.to_numpy())
            true_profit = comparison.expected_profit(tau, sc["campaign_contact_cost"] + sc["campaign_offer_value"] * p1)
            claims_truth["churn.best_targeting"] = float(true_profit[best.detail["leader"]]
                                                         - true_profit[best.detail["runner_up"]])
            claims_truth["churn.profit_uplift_minus_risk"] = float(true_profit["uplift"] - true_profit["risk"])
            claims_truth["churn.profit_uplift_minus_random"] = float(true_profit["uplift"] - true_profit["random"])
    display(columns(truth_check(rows).rename_axis(T("col.quantity", lang))))
    check = pd.DataFrame([(c.id, c.estimate, c.ci[0], c.ci[1], claims_truth[c.id], c.supported) for c in claims
                          if c.id in claims_truth],
                         columns=["claim", "estimate", "ci_low", "ci_high", "truth", "supported"]).set_index("claim")
    check["covered"] = (check["ci_low"] <= check["truth"]) & (check["truth"] <= check["ci_high"])
    display(columns(check.astype({k: object for k in ("estimate", "ci_low", "ci_high", "truth")})
                    .map(lambda v: f"{v:.4g}" if isinstance(v, float) else v)).rename_axis(T("col.claim", lang)))
else:
    print(T("truth.none", lang))

# %%
results = {
    "window_days": window,
    "churn_rate": churn_rate,
    "auc": metrics.auc,
    "top_decile_lift": metrics.top_decile_lift,
    "base_rate": metrics.base_rate,
    "hazard_ratios": hr.loc[kinds, "hazard_ratio"].to_dict() if hr is not None else None,
    "hazard_ratio_ci": hr.loc[kinds, ["ci_low", "ci_high"]].to_dict(orient="index") if hr is not None else None,
    "campaign_ate": effect.ate if effect is not None else None,
    "campaign_ate_ci": [effect.ci_low, effect.ci_high] if effect is not None else None,
    "auc_p_alive": auc_palive,
    "qini_coefficient": qini.estimate if effect is not None else None,
    "targeting_profit": comparison.table["profit"].to_dict() if effect is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print(T("results.written", lang), sorted(results))
