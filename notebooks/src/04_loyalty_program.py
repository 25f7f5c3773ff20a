# %% [markdown]
# # 04 · Loyalty programme: did the membership card make customers buy more?
#
# **Question.** Members of the Suning membership card (会员卡: points redeemable as cash, member
# prices, tiers) buy far more than non-members. Did the programme *cause* that, or did it only enrol
# customers who were loyal anyway?
#
# **Method.** The naive member vs non-member comparison; why it is biased (self-selection); then
# causal estimates: difference-in-differences around each member's enrolment with an event-study
# plot and a pre-trend test, propensity-score matching on pre-enrolment behaviour, all three on the
# same members; the effect by buyer type with a test of heterogeneity; the staggered city launch as
# a natural experiment (intention-to-treat); a look at the tier threshold (bunching); points
# liability and breakage.
#
# **Contents.** *Theory* · *Practical* · *Result* · *Discussion* · *Quiz* · *Exercises* ·
# *check against the truth*.
#
# **References.** Leenheer, van Heerde, Bijmolt & Smidts (2007) *IJRM* (self-selection in loyalty
# programmes); Goodman-Bacon (2021) *J. Econometrics*; Borusyak, Jaravel & Spiess (2024) *REStud*
# (imputation DiD); Wooldridge (2023) *Econometrics Journal* (Poisson DiD); Roth (2022) *AER:
# Insights* (pre-testing); Angrist, Imbens & Rubin (1996) *JASA* (intention-to-treat and the Wald
# estimator); Kleven (2016) *Annual Review of Economics* (bunching); Rosenbaum & Rubin (1983)
# *Biometrika* (propensity scores).

# %% [markdown] lang="zh"
# # 04 · 忠诚度计划：会员卡真的让客户买得更多了吗？
#
# **问题。** 苏宁会员卡（积分可抵现金、会员价、会员等级）的会员比非会员买得多得多。这是会员卡*造成*的，
# 还是会员卡只是吸收了本来就忠诚的客户？
#
# **方法。** 先做会员与非会员的简单对比，说明它为什么有偏（自选择偏差）；再做因果估计：围绕每位会员入会时间的
# 双重差分，配合事件研究图和入会前趋势检验；基于入会前行为的倾向得分匹配；三种估计放在同一批会员上比较；
# 按购买者类型估计效果并检验异质性；把城市分批上线当作自然实验（意向处理效应）；观察会员等级门槛处的聚束；
# 积分负债与积分沉淀。
#
# **内容。** *理论* · *实践* · *结果* · *讨论* · *测验* · *练习* · *与真值核对*。
#
# **参考文献。** Leenheer, van Heerde, Bijmolt & Smidts (2007) *IJRM*（忠诚度计划中的自选择）；
# Goodman-Bacon (2021) *J. Econometrics*；Borusyak, Jaravel & Spiess (2024) *REStud*（插补法双重差分）；
# Wooldridge (2023) *Econometrics Journal*（泊松双重差分）；Roth (2022) *AER: Insights*（预检验）；
# Angrist, Imbens & Rubin (1996) *JASA*（意向处理效应与 Wald 估计量）；Kleven (2016) *Annual Review of
# Economics*（聚束）；Rosenbaum & Rubin (1983) *Biometrika*（倾向得分）。

# %% [markdown] tags=["objectives"]
# **Learning objectives.** After this lesson you can
# * **explain** why a member vs non-member comparison overstates a loyalty programme's effect
#   (self-selection) and **compute** it with an interval;
# * **compute** a difference-in-differences by hand on a 2x2 table and **interpret** the imputation
#   estimator, its event study and its pre-trend test;
# * **decide** whether an enrolment-based estimate is credible when the pre-trend test rejects, and
#   **use** the staggered city launch as a natural experiment (intention-to-treat);
# * **test** whether the effect differs between buyer types and whether members bunch above a tier
#   threshold;
# * **compute** the points liability from the outstanding points and the breakage.
#
# **Prerequisites.** Lesson 00 (the data), lesson 02 (randomised campaign, confidence intervals);
# means, ratios and regression; the idea of a counterfactual.
#
# **Time.** About 120 minutes: 75 in class, 45 for the exercises and the memo.
#
# Terms: see the [glossary](../docs/glossary.md).

# %% [markdown] lang="zh"
# **学习目标。** 学完本课后，你能够
# * **解释**为什么会员与非会员的简单对比会高估忠诚度计划的效果（自选择偏差），并**计算**它及其置信区间；
# * 在一个 2x2 表上**手算**双重差分，并**解读**插补估计量、事件研究和入会前趋势检验；
# * 在入会前趋势检验拒绝时**判断**基于入会时间的估计是否可信，并**利用**城市分批上线作为自然实验（意向处理效应）；
# * **检验**效果是否因购买者类型而不同，以及会员是否在等级门槛之上出现聚束；
# * 由未兑换积分和积分沉淀率**计算**积分负债。
#
# **先修内容。** 第 00 课（数据）、第 02 课（随机化营销活动、置信区间）；均值、比值与回归；反事实的概念。
#
# **时间。** 约 120 分钟：课堂 75 分钟，练习和备忘录 45 分钟。
#
# 术语见[术语表](../../docs/glossary.md)。

# %% [markdown]
# ## Theory
#
# **Self-selection.** Customers who already buy a lot gain most from points and join first. A
# naive comparison of members and non-members mixes the programme's effect with that difference in
# who joins; Leenheer et al. (2007) found naive estimates several times the causal effect.
#
# **Difference-in-differences (DiD).** Compare members' purchases after enrolment with what they
# would have bought without it, imputed from the same customers *before* enrolment and from
# non-members over the same months. In the simplest 2x2 case: (members after − members before) −
# (non-members after − non-members before). With a purchase process that is multiplicative
# (a customer's rate × the season), the natural model is Poisson:
# $E[y_{it}] = \exp(\alpha_i + \gamma_t + \beta D_{it})$, and $e^\beta - 1$ is the relative lift.
# Plain two-way fixed effects with staggered enrolment and effects that fade can be badly biased
# (Goodman-Bacon 2021); the imputation estimator uses only untreated months to fit the
# counterfactual. **Parallel trends** is the key assumption: without the programme, members' orders
# would have moved like those of comparable non-members. The event-study plot and the pre-trend
# test look at the months *before* enrolment: if members already moved differently then, the
# assumption is doubtful.
#
# **Why enrolment timing breaks parallel trends.** A customer chooses *when* to join, and the
# choice is tied to her purchasing: only customers who are still active sign up (a customer who has
# silently lapsed does not walk into a store to join), and many join at a purchase. Before joining,
# a member is by construction still a customer; the non-members she is compared with include
# customers who have quietly left. Her months before enrolment therefore look better than a
# comparable customer's, and the comparison after enrolment is tilted (survivorship, or "immortal
# time"). The pre-trend test may catch this, or may lack the power to.
#
# **Correcting the survivorship - with a model.** The lesson's DiD gives the untreated model a
# *lapse slope*: a customer-month loses a fixed share of its expected orders for every year in
# which the customer may have lapsed unseen - counted from the first order for customers who never
# join, and only from enrolment for members (before it they are known to be active). The slope is
# estimated from the difference between members' months before enrolment and the other customers'
# months. This removes the survivor bias only if lapsing is that simple: a steady rate, the same for
# members after joining as for the other customers. It is an assumption about customer behaviour,
# not a property of the design - which is why the city launch below stays the stronger evidence.
#
# **The city launch as a natural experiment.** The customer does not choose when the programme
# launches in her city: the chain rolls it out city by city. Comparing *all* customers of launched
# cities (members or not) with customers of cities where it has not launched yet estimates the
# **intention-to-treat** (ITT) effect of launching the card. Its parallel-trends assumption holds when
# the launch order is unrelated to how the cities' customers would have bought anyway - true by the
# way the roll-out was decided. The ITT is diluted (most customers never join); dividing it by the
# share of the customers' purchasing that happens while enrolled gives the effect per enrolled
# member (the Wald estimator), assuming the launch changes only members' behaviour.
#
# **Tier thresholds.** Gold status starts at a spend threshold. Customers just below it may buy a
# little extra to qualify: *bunching* above the threshold, measured as the excess count above a
# smooth fit of the spend distribution. Such manipulation makes a regression discontinuity at the
# threshold invalid.
#
# **Breakage.** Points that expire unredeemed; the liability on the balance sheet is
# balance × point value × (1 − breakage).
#
# **Reading the printed findings.** Every sentence below that says something about *these* data is
# computed from this run's estimate and its 95% interval. It uses a directional word (more, raises,
# fades, bunch) only when the interval excludes "no effect"; otherwise it says that the data at this
# size cannot tell, and gives the interval.

# %% [markdown] lang="zh"
# ## 理论
#
# **自选择。** 本来就买得多的客户从积分中获益最多，也最先入会。会员与非会员的简单对比把会员卡的效果和"谁会入会"
# 的差异混在了一起；Leenheer 等（2007）发现简单估计是因果效果的数倍。
#
# **双重差分（DiD）。** 把会员入会后的购买与"假如没有入会她会买多少"相比较；后者由同一批客户*入会前*的购买和
# 同一时期非会员的购买推算出来。在最简单的 2x2 情形中：（会员入会后 − 会员入会前）−（非会员同期后 − 非会员同期前）。
# 购买过程是乘法形式的（客户自身购买率 × 季节），自然的模型是泊松模型：
# $E[y_{it}] = \exp(\alpha_i + \gamma_t + \beta D_{it})$，$e^\beta - 1$ 就是相对提升。
# 在交错入会且效果逐渐减弱时，普通的双向固定效应可能严重有偏（Goodman-Bacon 2021）；插补估计量只用未处理的月份来拟合
# 反事实。**平行趋势**是关键假设：如果没有会员卡，会员的订单会与可比的非会员同步变化。事件研究图和入会前趋势检验
# 考察入会*之前*的月份：如果那时会员已经走出不同的趋势，这个假设就值得怀疑。
#
# **为什么入会时间会破坏平行趋势。** 客户自己选择*何时*入会，而这个选择与她的购买行为相关：只有仍然活跃的客户才会
# 办卡（一个已经悄悄流失的客户不会走进门店来入会），很多人是在一次购买时入会的。入会之前，会员按定义仍然是
# 客户；而与她比较的非会员中包含已经悄悄离开的客户。因此她入会前的月份看起来比可比客户更好，入会后的比较也随之
# 倾斜（幸存者偏差，或"不朽时间"偏差）。入会前趋势检验可能发现这一点，也可能因功效不足而发现不了。
#
# **用模型校正幸存者偏差。** 本课的双重差分在未处理模型中加入一个*流失斜率*：客户可能已悄悄流失的每一年，都使该
# 客户月份的期望订单按固定比例下降——对从未入会的客户从首单算起，对会员只从入会时算起（入会前她们确知仍然活跃）。
# 这个斜率由会员入会前的月份与其他客户的月份之间的差异估计。只有当流失就是这么简单时——速率稳定，会员入会后与
# 其他客户相同——它才能消除幸存者偏差。这是关于客户行为的假设，而不是设计本身的性质——因此下面的城市上线设计
# 仍然是更有力的证据。
#
# **城市上线作为自然实验。** 会员卡何时在某个城市上线并不由客户决定：连锁企业是逐个城市推出的。把已上线城市的
# *全部*客户（无论是否入会）与尚未上线城市的客户相比较，估计的是上线会员卡的**意向处理效应**（ITT）。它的平行趋势
# 假设在上线顺序与各城市客户本来的购买走势无关时成立——这由推出方案的决定方式保证。意向处理效应被稀释了（大多数
# 客户从不入会）；把它除以客户购买中发生在入会期间的份额，就得到每位已入会会员的效果（Wald 估计量），前提是上线
# 只改变会员的行为。
#
# **等级门槛。** 金卡资格从某个消费门槛开始。刚好低于门槛的客户可能多买一点以达到资格：门槛之上出现*聚束*，用门槛
# 之上超出消费分布平滑拟合的人数来度量。这种操纵使门槛处的断点回归失效。
#
# **积分沉淀。** 到期未兑换的积分；资产负债表上的负债为 未兑换积分 × 积分价值 × (1 − 积分沉淀率)。
#
# **如何阅读打印出的发现。** 下面每一句关于*这份*数据的话，都由本次运行的估计值及其 95% 置信区间算出。只有当
# 区间排除"没有效果"时才使用方向性的词（更多、提高、减弱、聚束）；否则它会说明以目前的数据量无法判断，并给出区间。

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
effect_months = [1, 5]
late_months = [6, 9]
launch_months = [0, 6]
tier_threshold = 20000.0  # the programme's published rule: gold from 20,000 yuan spend in 365 days
n_boot = 200  # bootstrap replications of the naive / DiD ratio
lang = "en"  # edition: "en" or "zh" (language of printed findings and figures)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crmlab import plots
from crmlab.analysis import loyalty
from crmlab.analysis.claims import Claim, claims_json, directional
from crmlab.notebook import get_data, require_tables, truth_check, write_results
from crmlab.notebook.texts.loyalty import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)
claims = []


def say(claim):
    """Keep a claim for results.json and print its sentence."""
    claims.append(claim)
    print(claim.text)

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["orders", "customers", "loyalty"], purpose="the loyalty notebook")
as_of = str(min(pd.Timestamp(as_of), data.orders["order_ts"].max().normalize()).date())
panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of=as_of)
months = tuple(effect_months)
print(T("data.summary", lang, customers=panel["customer_id"].nunique(), rows=len(panel),
        members=data.loyalty["customer_id"].nunique()))
if "city_launch_date" in data.loyalty:
    waves = data.loyalty.groupby("city_launch_date")["customer_id"].count()
    print(T("data.waves", lang, waves={str(k.date()): int(v) for k, v in waves.items()}))

# %% [markdown]
# ### 1. The naive comparison

# %% [markdown] lang="zh"
# ### 1. 简单对比

# %%
naive = loyalty.naive_member_effect(panel)
say(directional("loyalty.naive_lift", (naive.rate_lift, naive.ci_low, naive.ci_high), T, lang=lang))
print(T("naive.print", lang, members=naive.n_members, nonmembers=naive.n_nonmembers, spend=naive.spend_lift))

# %% [markdown]
# ### 2. Who joins? Orders before enrolment
# Orders per month in the six months before enrolment (members) vs all months of the customers who
# never joined.

# %% [markdown] lang="zh"
# ### 2. 谁会入会？入会前的订单
# 会员入会前六个月的每月订单数，对比从未入会客户所有月份的每月订单数。

# %%
rel = panel["months_since_enrol"].to_numpy(float)
pre_rows = (rel < 0) & (rel >= -6)
never_rows = ~np.isfinite(rel)
before = pd.Series({T("fig.before.members", lang): panel.loc[pre_rows, "orders"].mean(),
                    T("fig.before.never", lang): panel.loc[never_rows, "orders"].mean()})
say(directional("loyalty.selection", loyalty.rate_ratio(panel, pre_rows, never_rows), T, lang=lang))
plots.bar(before, T("fig.before.title", lang), "", T("fig.before.ylabel", lang), fmt=".3f")
plt.show()

# %% [markdown]
# ### 3. Difference-in-differences around enrolment
#
# **By hand first.** A 2x2 example with made-up numbers: average orders per customer-month of
# members and non-members in a month before and a month after the members joined. The DiD is the
# members' change minus the non-members' change; in ratio form (the Poisson model's scale) it is the
# members' ratio divided by the non-members' ratio.

# %% [markdown] lang="zh"
# ### 3. 围绕入会时间的双重差分
#
# **先手算。** 一个用虚构数字构成的 2x2 例子：会员与非会员在会员入会前的一个月和入会后的一个月里，每客户每月的
# 平均订单数。双重差分 = 会员的变化 − 非会员的变化；在比值形式下（泊松模型的尺度），它是会员的比值除以非会员的比值。

# %%
toy = pd.DataFrame({"before": [0.50, 0.20], "after": [0.70, 0.22]}, index=["members", "non-members"])
did_diff = (toy.loc["members", "after"] - toy.loc["members", "before"]) - (
    toy.loc["non-members", "after"] - toy.loc["non-members", "before"])
did_ratio = (toy.loc["members", "after"] / toy.loc["members", "before"]) / (
    toy.loc["non-members", "after"] / toy.loc["non-members", "before"]) - 1
display(toy.rename(index={"members": T("toy.members", lang), "non-members": T("toy.nonmembers", lang)},
                   columns={"before": T("toy.before", lang), "after": T("toy.after", lang)}))
print(T("toy.print", lang, diff=did_diff, ratio=did_ratio))

# %% [markdown]
# The imputation estimator does the same with every member and month: customer and calendar-month
# effects are fitted on untreated months (never-members, members before they joined; strata of
# age band × city tier × first-order value get their own time trend; the lapse slope of the Theory
# section corrects for members being active by construction before they join), each member's month
# after enrolment gets its imputed untreated expectation, and the lift is observed / imputed − 1.

# %% [markdown] lang="zh"
# 插补估计量对每位会员的每个月做同样的事：在未处理的月份（从未入会的客户、会员入会前的月份）上拟合客户效应和
# 日历月效应（年龄段 × 城市等级 × 首单金额构成的各层有各自的时间趋势；理论部分的流失斜率校正会员在入会前按定义
# 仍然活跃这一点），为每位会员入会后的每个月推算其未处理时的期望订单，提升 = 实际 / 推算 − 1。

# %%
did = loyalty.did_effect(panel, months=months, strata="profile")
say(directional("loyalty.enrolment_did", (did.effect, did.ci_low, did.ci_high), T, lang=lang, m0=months[0], m1=months[1]))
print(T("did.print", lang, members=did.n_members, controls=did.n_control_customers, lapse=did.lapse_factor))

# %% [markdown]
# The event study: the lift month by month after enrolment, and the pre-trend coefficients before
# it (month −1 is the reference). The pre-trend test asks whether the months before enrolment are
# jointly zero. It uses the model *without* the lapse slope (the pre-enrolment dummies leave nothing
# to estimate the slope from), so it shows the survivorship itself: members are active until they
# join, the others are not, and members' early months look low against month −1.

# %% [markdown] lang="zh"
# 事件研究：入会后逐月的提升，以及入会前的趋势系数（以入会前第 1 个月为基准）。入会前趋势检验考察入会前各月的
# 系数是否联合为零。它使用*不含*流失斜率的模型（入会前各月的虚拟变量使斜率无从估计），因此显示的正是幸存者效应
# 本身：会员在入会前一直活跃，其他客户则不然，会员较早的月份相对于第 −1 个月显得偏低。

# %%
es = loyalty.did_event_study(panel, strata="profile")
ax = plt.subplots()[1]
ax.axhline(0, color="grey", lw=1)
ax.axvline(-0.5, color="grey", lw=1, ls="--")
ax.fill_between(es["event_time"], es["ci_low"], es["ci_high"], color=plots.PALETTE[0], alpha=0.2,
                label=T("fig.es.band", lang))
ax.plot(es["event_time"], es["effect"], marker="o", color=plots.PALETTE[0], label=T("fig.es.estimate", lang))
ax.legend(frameon=False)
plots.finish(ax, T("fig.es.title", lang), T("fig.es.xlabel", lang), T("fig.es.ylabel", lang))
plt.show()
pretrend = loyalty.pretrend_test(panel, strata="profile")
print(T("pretrend.print", lang, chi2=pretrend.chi2, df=pretrend.df, p=pretrend.p_value,
        lo=pretrend.coefficients.min(), hi=pretrend.coefficients.max()))
print(T("pretrend.rejects" if pretrend.p_value < 0.05 else "pretrend.passes", lang, p=pretrend.p_value))

# %% [markdown]
# Does the effect fade? Comparing the monthly points by eye says little - each month is noisy. The
# difference between the mean lift of the early and the late months, with its interval, answers it.

# %% [markdown] lang="zh"
# 效果会减弱吗？用肉眼比较各月的点估计说明不了什么——每个月的估计都很嘈杂。回答这个问题的是早期月份与后期月份
# 平均提升之差及其置信区间。

# %%
fade = loyalty.fade_effect(panel, early=months, late=tuple(late_months), strata="profile")
say(directional("loyalty.fade", fade, T, lang=lang, early=fade.early, late=fade.late, e0=months[0], e1=months[1],
                l0=late_months[0], l1=late_months[1]))

# %% [markdown]
# ### 4. Naive, matching and DiD on the same members
# Each estimator drops different members (matching needs six months of history before joining,
# the DiD a baseline month), so they are compared on the members every one of them can use. Matching
# pairs each member with a non-member who looked the same before (orders, spend, recency, tenure,
# city tier) in the months before the member joined.

# %% [markdown] lang="zh"
# ### 4. 同一批会员上的简单对比、匹配与双重差分
# 每种估计量舍弃的会员不同（匹配需要入会前六个月的记录，双重差分需要一个基期月份），所以要在所有估计量都能使用的
# 会员上进行比较。匹配为每位会员配对一位在会员入会前几个月里表现相同（订单、消费额、最近一次购买、客户年限、
# 城市等级）的非会员。

# %%
common = loyalty.common_members(panel, months=months, pre_months=6)
sub = loyalty.same_members(panel, common)
print(T("compare.print", lang, n=len(common), m0=months[0], m1=months[1]))
naive_s = loyalty.naive_member_effect(sub)
did_s = loyalty.did_effect(sub, months=months, strata="profile")
try:
    matched = loyalty.propensity_matching(sub, months=months)
    match_est = (matched.effect, matched.ci_low, matched.ci_high)
except (ValueError, ZeroDivisionError) as err:  # too few members with a pre-period (small data)
    print(T("matching.skipped", lang, err=err or "too few members to match"))
    matched, match_est = None, (np.nan, np.nan, np.nan)
table = pd.DataFrame([(naive_s.rate_lift, naive_s.ci_low, naive_s.ci_high), match_est,
                      (did_s.effect, did_s.ci_low, did_s.ci_high)], columns=["estimate", "ci_low", "ci_high"],
                     index=[T("est.naive", lang), T("est.matching", lang), T("est.did", lang)])
for name, row in table.iterrows():
    print(T("compare.row", lang, name=name, estimate=row["estimate"], ci_low=row["ci_low"], ci_high=row["ci_high"],
            level=0.95))
ax = plots.bar(table["estimate"], T("fig.estimators.title", lang, n=len(common)), T("fig.estimators.xlabel", lang),
               T("fig.estimators.ylabel", lang), fmt="+.0%")
ax.errorbar(np.arange(len(table)), table["estimate"], yerr=np.clip(np.array([table["estimate"] - table["ci_low"],
            table["ci_high"] - table["estimate"]]), 0, None), fmt="none", color="black", capsize=4)
plt.show()

# %%
ratio = loyalty.naive_did_ratio(sub, months=months, strata="profile", n_boot=n_boot)
if ratio.did_ci_low > 0 or ratio.did_ci_high < 0:
    say(directional("loyalty.naive_over_did", ratio, T, null=1.0, lang=lang))
else:  # the ratio of a lift to a lift that may be 0 has no meaning
    say(Claim("loyalty.naive_over_did", T("loyalty.naive_over_did.no_did", lang, did_low=ratio.did_ci_low,
                                          did_high=ratio.did_ci_high),
              ratio.estimate, (ratio.ci_low, ratio.ci_high), 1.0, False))

# %% [markdown]
# ### 5. Who responds? Light, moderate and heavy buyers
# Members are grouped by their order rate in the months before their last three pre-enrolment
# months (those three are the baseline; classifying on the baseline itself would manufacture
# differences by regression to the mean). A Wald test asks whether the three effects are equal.

# %% [markdown] lang="zh"
# ### 5. 谁有反应？轻度、中度和重度购买者
# 会员按其入会前（最后三个月之前）的订单率分组（最后三个月作为基期；若用基期本身来分组，会因均值回归而
# 制造出虚假的差异）。Wald 检验考察三组效果是否相等。

# %%
by_type = loyalty.effect_by_segment(panel, months=months, strata="profile")
shown = by_type.assign(group=[T(f"group.{g}", lang) for g in by_type["group"].astype(str)])
display(shown.set_index("group")[["effect", "ci_low", "ci_high", "n_members"]].round(3))
hetero = loyalty.effect_heterogeneity(panel, months=months, strata="profile")
print(T("hetero.print", lang, chi2=hetero.chi2, df=hetero.df, p=hetero.p_value))
say(directional("loyalty.buyer_type_gap", hetero, T, lang=lang, detail={"first": hetero.first, "last": hetero.last}))

# %% [markdown]
# ### 6. The city launch as a natural experiment
# Every customer who bought before her city's launch is compared, from the launch month on, with
# customers of cities where the card had not launched yet (imputation estimator with the launch month
# as the event). The launch was assigned by city, so the model compares cities: a city's level comes
# from all its customers' months before the launch (most customers buy a couple of times a year - too
# few orders to give each customer her own level), the calendar months are shared, and the months
# since a customer's first order let a city's customer base age: the customers in the estimate grow
# older after the launch while the waiting cities keep gaining new customers, who buy more. The 95%
# interval leaves out one city at a time and re-estimates (the jackknife), because cities, not
# customers, were assigned. The chain launched in bigger cities earlier; a city's own level absorbs
# that their customers buy more (`strata="tier_group"` would give each city-tier group its own
# months, at a cost in precision).

# %% [markdown] lang="zh"
# ### 6. 城市上线作为自然实验
# 每位在其所在城市上线前就已购买的客户，从上线当月起，与会员卡尚未上线城市的客户相比较（以上线月份为事件的插补
# 估计量）。上线是按城市分配的，所以模型比较的是城市：一个城市的水平来自该城市全部客户在上线前的各月（大多数客户
# 一年只买一两次，订单太少，无法给每位客户估计各自的水平），日历月效应各城市共用，"距首单的月数"则让城市的客户群
# 可以变老：进入估计的客户在上线后越来越"老"，而尚未上线的城市不断有新客户加入，新客户买得更多。95% 置信区间每次
# 去掉一个城市重新估计（刀切法），因为被分配的是城市而不是客户。连锁企业在较大的城市先上线；每个城市自己的水平
# 吸收了大城市客户买得更多这一差异（`strata="tier_group"` 可以让每个城市等级组有各自的日历月效应，但会损失精度）。

# %%
launch = loyalty.launch_effect(panel, months=tuple(launch_months))  # by city; jackknife interval
say(directional("loyalty.launch_itt", (launch.effect, launch.ci_low, launch.ci_high), T, lang=lang))
say(directional("loyalty.launch_per_member", (launch.per_member, launch.per_member_ci_low, launch.per_member_ci_high),
                T, lang=lang, share=launch.enrolled_share))
print(T("launch.print", lang, customers=launch.n_customers, cities=launch.n_clusters, dropped=launch.n_dropped_rows))

# %% [markdown]
# ### 7. The gold-tier threshold: bunching

# %% [markdown] lang="zh"
# ### 7. 金卡门槛：聚束

# %%
threshold = float(tier_threshold)
view = loyalty.tier_threshold_view(data.loyalty, threshold)
bunch = loyalty.bunching_estimate(data.loyalty, threshold)
ax = plt.subplots()[1]
ax.bar(view["bin_left"], view["count"], width=view["bin_right"] - view["bin_left"], align="edge",
       color=np.where(view["above"], plots.PALETTE[1], plots.PALETTE[0]))
ax.plot((view["bin_left"] + view["bin_right"]) / 2, view["counterfactual"], color="black", lw=1.5,
        label=T("fig.bunch.fit", lang))
ax.axvline(threshold, color=plots.PALETTE[3], ls="--", label=T("fig.bunch.threshold", lang))
ax.legend(frameon=False)
plots.finish(ax, T("fig.bunch.title", lang), T("fig.bunch.xlabel", lang), T("fig.bunch.ylabel", lang))
plt.show()
say(directional("loyalty.bunching", (bunch.excess, bunch.excess - 1.96 * bunch.excess_se,
                                     bunch.excess + 1.96 * bunch.excess_se), T, lang=lang))

# %% [markdown]
# ### 8. Points liability and breakage

# %% [markdown] lang="zh"
# ### 8. 积分负债与积分沉淀

# %%
points = loyalty.points_breakage(data.points_ledger, as_of=as_of) if "points_ledger" in data else None
if points is not None:
    print(T("points.print", lang, breakage=points.breakage, points=points.liability_points,
            face=points.face_value_yuan, liability=points.liability_yuan))
else:
    print(T("points.none", lang))

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果

# %%
print(T("result.header", lang))
for c in claims:
    print("-", c.text)

# %% [markdown]
# Read the findings above with their intervals. The naive member vs non-member gap mixes the
# programme's effect with self-selection, and section 2 shows how much of the gap existed before
# members joined. The enrolment-based difference-in-differences removes the fixed differences
# between customers but rests on parallel trends around a date the customer chose; the pre-trend
# test and the reasoning in the Theory section say how far to trust it. The city-launch design
# rests on a date the customer did not choose; its estimate is diluted and, at classroom size,
# imprecise - an honest "cannot tell" is a result, and a reason to plan the next roll-out as an
# experiment.
#
# ## Discussion
#
# * **Caveat - parallel trends is an assumption.** A pre-trend test can *reject* it: then the
#   members were already moving differently before they joined, the imputed counterfactual is
#   wrong, and the enrolment-based estimate must not be reported as the programme's effect. A test
#   that does *not* reject is no proof: with a few thousand customers its power is limited, and a
#   slow divergence can go unnoticed and still bias the estimate (Roth 2022).
# * Enrolment is chosen by the customer, and only active customers choose it: the plain
#   enrolment-based comparison overstates the effect. The lapse slope corrects this under an
#   assumption about how customers lapse; a launch date chosen by the retailer, or better a
#   randomised invitation, gives a comparison whose assumption holds by design.
# * Whether the effect fades is a question about the *difference* between early and late months,
#   with its interval - not about two point estimates.
# * Bunching at the gold threshold means customers respond to tiers - and that a regression
#   discontinuity at the threshold would compare different kinds of customers.
# * Breakage is income for the retailer but a sign of disengaged members; the liability must be
#   booked.
#
# ## Quiz
# 1. Why is "members spend twice as much" not evidence that the card works?
# 2. What would a rising pre-enrolment trend in the event-study plot tell you, and what do you do if
#    the pre-trend test rejects?
# 3. Why can the city-launch comparison be trusted more than the enrolment-based one, and why is its
#    estimate smaller?
# 4. Why would heavy buyers react least to a points programme, and how do you check whether buyer
#    types really differ?

# %% [markdown] lang="zh"
# 结合置信区间阅读上面的发现。会员与非会员的简单差距把会员卡的效果与自选择混在一起，第 2 节显示了会员入会前
# 这一差距已有多大。基于入会时间的双重差分消除了客户之间固定的差异，但依赖于围绕一个由客户自己选择的日期的平行
# 趋势；入会前趋势检验和理论部分的分析告诉我们对它能信任到什么程度。城市上线设计依赖的是客户无法选择的日期；它的
# 估计被稀释了，在课堂数据规模下也不精确——诚实的"无法判断"本身就是结果，也是把下一次推出设计成实验的理由。
#
# ## 讨论
#
# * **注意——平行趋势是一个假设。** 入会前趋势检验可以*拒绝*它：这说明会员在入会前就已经走出不同的趋势，推算的
#   反事实是错的，基于入会时间的估计不能作为会员卡的效果来报告。检验*没有*拒绝也不是证明：只有几千位客户时检验
#   功效有限，缓慢的偏离可能不被察觉却仍然使估计产生偏差（Roth 2022）。
# * 入会由客户选择，而且只有活跃的客户才会选择入会：简单的基于入会时间的比较会高估效果。流失斜率在关于客户如何
#   流失的假设下校正这一点；由零售商决定的上线日期，或者更好的随机邀请，能给出其假设由设计保证成立的比较。
# * 效果是否减弱，问的是早期与后期月份之*差*及其置信区间，而不是两个点估计。
# * 金卡门槛处的聚束说明客户会对会员等级做出反应——也说明在门槛处做断点回归会比较不同类型的客户。
# * 积分沉淀是零售商的收入，却也是会员不活跃的信号；负债必须入账。
#
# ## 测验
# 1. 为什么"会员的消费是非会员的两倍"不能证明会员卡有效？
# 2. 事件研究图中入会前上升的趋势说明什么？如果入会前趋势检验拒绝了，你该怎么办？
# 3. 为什么城市上线的比较比基于入会时间的比较更可信？为什么它的估计更小？
# 4. 为什么重度购买者对积分计划的反应可能最弱？如何检验各类购买者是否真的不同？

# %% [markdown] tags=["quiz-answers"]
# **Answers.**
# 1. Members are not a random group: customers who already buy a lot gain most from points and
#    join first. The gap mixes the programme's effect with that difference (self-selection); section
#    2 measures how large the gap was before anyone joined. Only a comparison with a credible
#    counterfactual (DiD, a natural experiment, a randomised invitation) isolates the effect.
# 2. That members' orders were already rising relative to the comparison customers before they
#    joined - parallel trends fails, and the lift after enrolment partly continues that trend. If the
#    test rejects, say so, do not report the enrolment-based number as the effect, look for the reason
#    (here: customers join while active, often at a purchase) and use a design whose timing the
#    customer does not choose. If it does not reject, remember the test's low power.
# 3. The launch date is chosen by the chain city by city, not by the customer, so customers of
#    launched and not-yet-launched cities would have moved alike without the card (check that the
#    launch order is unrelated to the cities' trends). Its estimate is an intention-to-treat effect
#    over all customers, most of whom never join, so it is diluted; dividing by the enrolled share
#    gives the effect per member. Look at the interval: at classroom size it is wide.
# 4. Heavy buyers already buy most of what they need from the retailer (little room to grow) and
#    would join anyway; light buyers have more purchases to shift. Check it with the effect by group
#    *and* the Wald test of equal effects (or the interval of the light-minus-heavy difference): three
#    point estimates in a table are not a test, and groups formed on the baseline months would create
#    differences by regression to the mean.

# %% [markdown] lang="zh"
# **答案。**
# 1. 会员不是随机的一群人：本来就买得多的客户从积分中获益最多，也最先入会。这个差距把会员卡的效果与这种差异
#    （自选择）混在一起；第 2 节测量了在任何人入会之前这个差距有多大。只有具有可信反事实的比较（双重差分、自然
#    实验、随机邀请）才能分离出效果。
# 2. 说明会员在入会前相对于比较对象的订单就已在上升——平行趋势不成立，入会后的提升部分只是这一趋势的延续。如果
#    检验拒绝，要明确指出，不要把基于入会时间的数字作为效果报告，要寻找原因（这里：客户在活跃时入会，往往在一次
#    购买时入会），并改用客户无法选择时间的设计。如果没有拒绝，要记住检验的功效很低。
# 3. 上线日期由连锁企业逐个城市决定，而不是由客户决定，所以已上线与未上线城市的客户在没有会员卡时会同步变化
#    （要检查上线顺序与各城市的趋势无关）。它的估计是针对全部客户的意向处理效应，而其中大多数人从不入会，因此被
#    稀释；除以入会份额就得到每位会员的效果。要看置信区间：在课堂数据规模下它很宽。
# 4. 重度购买者在这家零售商已经买了大部分需要的东西（增长空间小），而且无论如何都会入会；轻度购买者有更多购买
#    可以转移过来。检验方法是按组估计效果*并*做各组效果相等的 Wald 检验（或看轻度减重度差值的置信区间）：表中
#    三个点估计不是检验，而用基期月份来分组会因均值回归制造出差异。

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** Does the programme still work after the full-effect period? Estimate the lift over
# months 6 to 9 after enrolment as **one** window, with the enrolment-based estimator and the same
# strata as in section 3 (not the average of the monthly estimates). Store the relative lift in
# `late_lift` (a float, e.g. 0.05 for +5%).

# %% [markdown] lang="zh"
# ## 练习
# 在标记之间编写代码；每个练习之后的单元格会检查你的答案。`# answer:` 行中列出的变量会根据你自己的数据集评分。
#
# **练习 1.** 会员卡在全效期过后还有效吗？用基于入会时间的估计量和第 3 节相同的分层，把入会后第 6 至第 9 个月
# 作为**一个**窗口估计提升（不是各月估计值的平均）。把相对提升存入 `late_lift`（浮点数，例如 +5% 写作 0.05）。

# %% tags=["exercise"]
# answer: late_lift rel=1e-6 points=2
### BEGIN SOLUTION
late_lift = float(loyalty.did_effect(panel, months=(6, 9), strata="profile").effect)
### END SOLUTION

# %%
assert isinstance(late_lift, float), T("hint.float", lang, name="late_lift")
assert -1 < late_lift < 5, T("hint.relative", lang)
assert not np.isclose(late_lift, did.effect), T("hint.window", lang)
assert not np.isclose(late_lift, fade.late), T("hint.pooled", lang)
### BEGIN HIDDEN TESTS
assert np.isclose(late_lift, loyalty.did_effect(panel, months=(6, 9), strata="profile").effect, rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 2.** The finance team asks what the points liability would be if breakage were only
# half of the rate estimated in section 8 (members redeem more). Use the outstanding points, the
# point value of 0.01 yuan and the liability rule of the Theory section. Store the liability in yuan,
# rounded to cents, in `liability_half_breakage` (`float("nan")` without a points ledger).

# %% [markdown] lang="zh"
# **练习 2.** 财务部门想知道：如果积分沉淀率只有第 8 节估计值的一半（会员兑换得更多），积分负债会是多少？
# 使用未兑换积分、每分 0.01 元的积分价值和理论部分的负债公式。把以元为单位、四舍五入到分的负债存入
# `liability_half_breakage`（没有积分流水时为 `float("nan")`）。

# %% tags=["exercise"]
# answer: liability_half_breakage abs=0.01 points=2
### BEGIN SOLUTION
if points is None:
    liability_half_breakage = float("nan")
else:
    liability_half_breakage = round(float(points.liability_points * 0.01 * (1 - points.breakage / 2)), 2)
### END SOLUTION

# %%
if points is not None:
    assert isinstance(liability_half_breakage, float), T("hint.float", lang, name="liability_half_breakage")
    assert liability_half_breakage >= points.liability_yuan, T("hint.less_breakage", lang)
    assert liability_half_breakage <= points.face_value_yuan + 0.01, T("hint.face_value", lang)
### BEGIN HIDDEN TESTS
if points is not None:
    assert abs(liability_half_breakage - points.liability_points * 0.01 * (1 - points.breakage / 2)) <= 0.01
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Section 2 looked at the six months before enrolment. Was the members' head start
# already there a year before they joined? Compute members' mean orders per customer-month in months
# 12 to 7 before their enrolment month (event months −12 to −7), relative to never-members (all their
# months), as a relative difference (0.5 = 50% more). Store it in `early_head_start`.

# %% [markdown] lang="zh"
# **练习 3.** 第 2 节考察的是入会前六个月。会员的领先优势在入会前一年就已经存在了吗？计算会员在入会月份之前
# 第 12 至第 7 个月（事件月份 −12 至 −7）每客户每月的平均订单数，相对于从未入会的客户（他们的所有月份）的相对差值
# （0.5 表示多 50%）。存入 `early_head_start`。

# %% tags=["exercise"]
# answer: early_head_start rel=1e-6 points=2
### BEGIN SOLUTION
early_rows = (rel >= -12) & (rel <= -7)
early_head_start = float(panel.loc[early_rows, "orders"].mean() / panel.loc[never_rows, "orders"].mean() - 1)
### END SOLUTION

# %%
assert isinstance(early_head_start, float), T("hint.float", lang, name="early_head_start")
assert np.isnan(early_head_start) or early_head_start > -1, T("hint.relative", lang)
assert not np.isclose(early_head_start, loyalty.rate_ratio(panel, pre_rows, never_rows).estimate), T("hint.months", lang)
assert not np.isclose(early_head_start + 1, panel.loc[(rel >= -12) & (rel <= -7), "orders"].mean()), T("hint.ratio", lang)
### BEGIN HIDDEN TESTS
_e = (rel >= -12) & (rel <= -7)
assert np.isclose(early_head_start, panel.loc[_e, "orders"].mean() / panel.loc[never_rows, "orders"].mean() - 1,
                  equal_nan=True)
### END HIDDEN TESTS

# %% [markdown]
# **Written task (graded by hand).** Write a one-page memo to Suning's CRM manager, who wants to
# report to the board that "the membership card raised members' purchases by the naive percentage".
# Explain what the naive number measures, which of this lesson's estimates you would report instead
# and with what uncertainty, what the pre-trend test and the enrolment timing mean for the
# enrolment-based estimate, and how the next programme change (e.g. a new tier rule) should be rolled
# out so that its effect can be measured.

# %% [markdown] lang="zh"
# **书面作业（人工评分）。** 给苏宁的 CRM 经理写一份一页的备忘录。她想向董事会报告"会员卡使会员的购买提高了
# 简单对比的那个百分比"。请说明这个简单数字衡量的是什么；你会改为报告本课的哪一个估计，附带怎样的不确定性；
# 入会前趋势检验和入会时间对基于入会时间的估计意味着什么；以及下一次方案调整（例如新的等级规则）应如何推出，
# 才能衡量其效果。

# %% [markdown] tags=["written"]
# <!-- points: 10 -->
# A good memo covers:
# * the naive gap measures who joins as much as what the card does (self-selection), shown by the
#   members' head start before joining;
# * which estimate to report: a causal design with its interval, in plain words ("between ... and
#   ..."), and what "cannot tell" means if the interval includes 0 - not the point estimate alone;
# * the enrolment-based DiD rests on parallel trends around a date the customer chose; active
#   customers join, which tilts the plain comparison upward, and the lapse correction rests on a
#   model of how customers lapse; a rejected pre-trend test is a reason not to report it as the
#   effect; the city-launch ITT (and its per-member scaling) rests on the roll-out instead;
# * a recommendation for the next change: randomise it (invite a random half of eligible customers,
#   or randomise the order of cities) and fix the analysis plan in advance;
# * tone and format of a memo: one page, a clear recommendation first, no jargon left unexplained.

# %% [markdown] lang="zh"
# <!-- points: 10 -->
# 一份好的备忘录包括：
# * 简单差距衡量的既是谁会入会，也是会员卡的作用（自选择），并以会员入会前的领先优势为证据；
# * 应报告哪个估计：一个因果设计的估计及其置信区间，用通俗的话表达（"在……与……之间"），以及区间包含 0 时
#   "无法判断"的含义——而不是只给点估计；
# * 基于入会时间的双重差分依赖于围绕客户自选日期的平行趋势；活跃客户才入会，这使简单比较向上偏，而流失校正依赖于
#   关于客户如何流失的模型；入会前趋势检验被拒绝是不把它作为效果报告的理由；城市上线的意向处理效应（及其按会员
#   折算）依赖的是推出方案本身；
# * 对下一次调整的建议：随机化（随机邀请一半符合条件的客户，或随机决定城市的上线顺序），并事先确定分析方案；
# * 备忘录的语气和格式：一页，先给明确的建议，术语都有解释。

# %% [markdown] tags=["rubric"]
# **Rubric (10 points).**
# * Naive gap explained as self-selection, with the pre-enrolment evidence - 2 points.
# * Reports a causal estimate with its interval and reads it correctly (direction only if the
#   interval excludes 0) - 3 points.
# * Pre-trend test and enrolment timing: what a rejection means, why the launch design is more
#   credible, what the ITT measures - 3 points.
# * A concrete, testable recommendation for the next roll-out (randomisation, pre-registered plan) -
#   1 point.
# * Clear memo format for a manager - 1 point.

# %% [markdown] lang="zh"
# **评分标准（10 分）。**
# * 把简单差距解释为自选择，并给出入会前的证据——2 分。
# * 报告一个因果估计及其置信区间并正确解读（只有区间排除 0 时才说方向）——3 分。
# * 入会前趋势检验与入会时间：拒绝意味着什么，为什么上线设计更可信，意向处理效应衡量的是什么——3 分。
# * 对下一次推出提出具体、可检验的建议（随机化、预先登记的方案）——1 分。
# * 面向经理的清晰备忘录格式——1 分。

# %% [markdown] tags=["take-home"]
# **Take-home messages.**
# 1. Members out-buy non-members mostly because of who joins; the naive gap is not the effect.
# 2. Difference-in-differences needs parallel trends; when the customer chooses the date, enrolment
#    itself breaks them (members are survivors until they join). A model can correct what it names
#    (a lapse slope), but then the estimate rests on that model; a rejected pre-trend test is a
#    warning, a passed one proves nothing.
# 3. A date the customer does not choose (a staggered launch, a randomised invitation) gives an
#    intention-to-treat effect whose assumption holds by design; scale it by the enrolled share.
# 4. Compare estimators on the same members, each with an interval; say "cannot tell" when the
#    interval includes no effect.
# 5. Tier thresholds create bunching; points create a liability of balance × value × (1 − breakage).

# %% [markdown] lang="zh"
# **要点回顾。**
# 1. 会员比非会员买得多，主要是因为谁会入会；简单差距不是效果。
# 2. 双重差分需要平行趋势；当日期由客户选择时，入会本身就会破坏平行趋势（会员在入会前都是"幸存者"）。模型可以
#    校正它明确写出的部分（流失斜率），但估计随之依赖于这个模型；入会前趋势检验被拒绝是一个警告，通过检验也不能
#    证明什么。
# 3. 客户无法选择的日期（分批上线、随机邀请）给出的意向处理效应，其假设由设计保证成立；再按入会份额折算。
# 4. 在同一批会员上比较各种估计量，每个都附置信区间；区间包含"没有效果"时就说"无法判断"。
# 5. 等级门槛会造成聚束；积分形成负债：未兑换积分 × 积分价值 × (1 − 积分沉淀率)。

# %% [markdown]
# ## Check against the truth (synthetic data only)
# Each claim whose true value the simulator knows, next to its estimate and interval. The truth of
# the enrolment-based DiD is the programme's actual effect on those members (on the days they are
# still active); its estimate may miss it if the lapse model of the Theory section is wrong. The buyer-type truth is the planted lift of each group's members weighted
# by their purchase rate (an approximation of the estimand).

# %% [markdown] lang="zh"
# ## 与真值核对（仅限模拟数据）
# 每个模拟器知道真值的结论，与其估计值和置信区间并列。基于入会时间的双重差分的真值是会员卡对这些会员（在她们仍然
# 活跃的日子里）的实际效果；如果理论部分的流失模型不成立，其估计可能偏离真值。购买者类型的真值是各组会员的预设提升按其购买率加权的平均（对估计目标的近似）。

# %%
claims_truth = {}
if data.truth is not None:
    t = data.truth["loyalty"]
    claims_truth["loyalty.enrolment_did"] = t["att"]
    claims_truth["loyalty.fade"] = t["fade_early_minus_late"]
    claims_truth["loyalty.launch_itt"] = t["launch_itt"]
    claims_truth["loyalty.launch_per_member"] = t["launch_effect_per_member"]
    claims_truth["loyalty.bunching"] = t["bunching_excess"]
    tc = data.truth_customers.set_index("customer_id")
    classify = np.isfinite(rel) & (rel < -3)
    rate = panel[classify].groupby("customer_id")["orders"].mean()
    rate = rate[rate.index.isin(panel.loc[np.isfinite(rel) & (rel < 0) & ~classify, "customer_id"])]
    group = pd.qcut(rate.rank(method="first"), 3, labels=["light", "moderate", "heavy"])
    planted = {g: np.average(tc.loc[group.index[group == g], "loyalty_effect"],
                             weights=tc.loc[group.index[group == g], "purchase_rate"]) for g in ("light", "heavy")}
    claims_truth["loyalty.buyer_type_gap"] = float(planted[hetero.first] - planted[hetero.last])
    rows = [("loyalty ATT (enrolment DiD)", round(did.effect, 3), t["att"], "95% CI should cover if the lapse model holds"),
            ("launch ITT", round(launch.effect, 3), t["launch_itt"], "95% CI should cover"),
            ("fade (early - late)", round(fade.estimate, 3), t["fade_early_minus_late"], "95% CI should cover")]
    if points is not None:
        rows.append(("breakage", round(points.breakage, 3), t["breakage"], "±0.05"))
    display(truth_check(rows))
    check = pd.DataFrame([(c.id, c.estimate, c.ci[0], c.ci[1], claims_truth[c.id], c.supported) for c in claims
                          if c.id in claims_truth],
                         columns=["claim", "estimate", "ci_low", "ci_high", "truth", "supported"]).set_index("claim")
    check["covered"] = (check["ci_low"] <= check["truth"]) & (check["truth"] <= check["ci_high"])
    display(check.astype({k: object for k in ("estimate", "ci_low", "ci_high", "truth")})
            .map(lambda v: f"{v:.4g}" if isinstance(v, float) else v))
    display(es.loc[es["event_time"] >= 0, ["event_time", "effect", "ci_low", "ci_high"]]
            .assign(truth=t["att_by_event_month"][:int((es["event_time"] >= 0).sum())]).round(3))
else:
    print("no truth available (real data)")

# %%
results = {
    "naive_effect": naive.rate_lift,
    "naive_effect_ci": [naive.ci_low, naive.ci_high],
    "naive_spend_effect": naive.spend_lift,
    "causal_effect": did.effect,
    "causal_ci": [did.ci_low, did.ci_high],
    "matching_effect": matched.effect if matched is not None else None,
    "matching_ci": [matched.ci_low, matched.ci_high] if matched is not None else None,
    "same_members": int(len(common)),
    "naive_did_ratio": ratio.estimate,
    "naive_did_ratio_ci": [ratio.ci_low, ratio.ci_high],
    "pretrend_p_value": pretrend.p_value,
    "fade_early_minus_late": fade.estimate,
    "fade_ci": [fade.ci_low, fade.ci_high],
    "heterogeneity_p_value": hetero.p_value,
    "launch_itt": launch.effect,
    "launch_itt_ci": [launch.ci_low, launch.ci_high],
    "launch_effect_per_member": launch.per_member,
    "bunching_excess": bunch.excess,
    "bunching_excess_se": bunch.excess_se,
    "breakage": points.breakage if points is not None else None,
    "claims": claims_json(claims),
}
if data.truth is not None:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
