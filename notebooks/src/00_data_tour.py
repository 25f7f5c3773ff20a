# %% [markdown]
# # 00 · Data tour: the Suning-style retailer and its CRM data
#
# **Question.** What does a multichannel 3C retailer (家电 3C 零售商: appliances, computers, phones)
# know about its customers, and is the data fit for the analyses of this course?
#
# **Method.** Walk through the tables of the data contract, how they join, check them against the
# contract, and look at the patterns every later notebook relies on: channels, seasonality,
# repeat buying and revenue concentration.
#
# **Contents.** *Theory*: the customer archive (客户档案) and the data contract.
# *Practical*: load → validate → join → channels → seasonality → repeat buying → concentration.
# *Discussion*, *Quiz*, and a final *check against the truth* (synthetic data only).
#
# **References.** Course case: Suning (苏宁易购) multichannel retail; CDNOW and UCI Online Retail II
# for the realism targets (Fader & Hardie; Chen 2019).

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

# %% [markdown]
# ## Practical
#
# ### Parameters
# `data_dir = None` uses the classroom dataset (or generates `preset`/`seed`); point it at a folder
# to analyse another dataset, e.g. a real extract.

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
from crmlab.i18n import label
from crmlab.realism import FACT_LABELS, stylized_facts
from crmlab.notebook import get_data, orders_with_value, require_tables, truth_check, write_results
from crmlab.notebook.texts.tour import MESSAGES as T

plots.set_theme()
pd.set_option("display.precision", 3)

# %% [markdown]
# ### 1. Load the data
# One call returns a `Dataset`: a mapping of table name → DataFrame (`data.orders` or
# `data["orders"]`). Loading validates every table against the contract.

# %%
data = get_data(data_dir, preset=preset, seed=seed, n_customers=n_customers)
require_tables(data, ["customers", "orders"], purpose="the data tour")
pd.Series({name: len(table) for name, table in data.items()}, name="rows").to_frame()

# %% [markdown]
# ### 2. The data contract
# Each table has a key and typed columns. Here are the columns of the order table, as the contract
# describes them (`crmlab.CONTRACT`).

# %%
orders_spec = crmlab.CONTRACT["orders"]
pd.DataFrame([(c.name, c.kind, c.description) for c in orders_spec.columns],
             columns=["column", "type", "meaning"]).set_index("column")

# %%
data.orders.head()

# %% [markdown]
# ### 3. Data quality checks
# `crmlab.validate_dataset` checks types, allowed codes, unique keys and foreign keys. A clean
# dataset passes silently; a broken one raises an error that names the file, the column and the
# offending rows. We also count a few things every analyst checks by hand.

# %%
crmlab.validate_dataset(data.tables)
o = orders_with_value(data)
checks = pd.Series({
    "orders without a customer": int(o["customer_id"].isna().sum()),
    "duplicate order ids": int(o["order_id"].duplicated().sum()),
    "cancelled orders (share)": round(float(o["status"].eq("cancelled").mean()), 3),
    "returned orders (share)": round(float(o["status"].eq("returned").mean()), 3),
    "first order": str(o["order_ts"].min().date()),
    "last order": str(o["order_ts"].max().date()),
}, name="value")
checks.to_frame()

# %% [markdown]
# ### 4. Joining the tables
# A typical analysis table: completed orders with the customer's city tier and the main product
# category of each order (line 1).

# %%
claims = []  # the findings of this run, each with its interval (saved in results.json)
done = o[o["status"] == "completed"]
if "order_items" in data and "products" in data:
    main = data.order_items[data.order_items["line_no"] == 1].merge(data.products[["sku", "category"]], on="sku")
    done = done.merge(main[["order_id", "category"]], on="order_id", how="left")
joined = done.merge(data.customers[["customer_id", "city_tier"]], on="customer_id", how="left")
joined[["order_id", "customer_id", "order_ts", "channel", "order_value", "city_tier"]
       + (["category"] if "category" in joined else [])].head()

# %% [markdown]
# ### 5. Channels: the shift to the app?
# Suning moved from stores to web (2010) and then to the app. Monthly shares of completed orders by
# channel; the sentence compares the app's share in the first and the last six months (Newcombe's
# interval of the difference).

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
pd.Series({FACT_LABELS[k]: v for k, v in facts.items() if v is not None}, name="value").to_frame()

# %% [markdown]
# ## Result
#
# The dataset follows the contract and passes validation. The findings of this run, each with its
# interval (the data cannot tell where the interval includes "no change"), and the stylized facts
# in the table above are what the later notebooks rely on:

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
#   segment they belong to are *latent*: later notebooks estimate them.
#
# ## Quiz
# 1. Which key joins `order_items` to `customers`, and through which table?
# 2. Why do we restrict most analyses to *completed* orders?
# 3. The app share grows over time. What could that do to a comparison of store and app customers?

# %% [markdown]
# ## Exercises
# Write your code between the markers; the cell after each exercise checks your answer. The
# variables named on the `# answer:` lines are graded against your own dataset.
#
# **Exercise 1.** How many customers placed exactly one completed order? Store it in `n_one_time`.

# %% tags=["exercise"]
# answer: n_one_time abs=0 points=1
### BEGIN SOLUTION
n_one_time = int((done.groupby("customer_id").size() == 1).sum())
### END SOLUTION

# %%
assert isinstance(n_one_time, int) and n_one_time >= 0
### BEGIN HIDDEN TESTS
assert n_one_time == int((done.groupby("customer_id").size() == 1).sum())
### END HIDDEN TESTS

# %% [markdown]
#
# **Exercise 2.** What share of completed revenue falls in November (all years together)? Store it in `november_share`.

# %% tags=["exercise"]
# answer: november_share rel=1e-6 points=1
### BEGIN SOLUTION
november_share = float(done.loc[done["order_ts"].dt.month == 11, "order_value"].sum() / done["order_value"].sum())
### END SOLUTION

# %%
assert 0 <= november_share <= 1
### BEGIN HIDDEN TESTS
assert abs(november_share - done.loc[done["order_ts"].dt.month == 11, "order_value"].sum() / done["order_value"].sum()) < 1e-9
### END HIDDEN TESTS

# %% [markdown]
# **Exercise 3.** Which sales channel brought the most completed revenue over the whole period? Store its code (e.g. `"store"`) in `top_channel`.

# %% tags=["exercise"]
# answer: top_channel points=1
### BEGIN SOLUTION
top_channel = str(done.groupby("channel")["order_value"].sum().idxmax())
### END SOLUTION

# %%
assert top_channel in set(done["channel"])
### BEGIN HIDDEN TESTS
assert top_channel == done.groupby("channel")["order_value"].sum().idxmax()
### END HIDDEN TESTS

# %% [markdown]
# ## Check against the truth (synthetic data only)
# The truth file records what the simulator planted; real extracts have none.
#
# The New Year run-up is planted as a demand multiplier on the simulator's calendar
# (`crmlab.simulate.calendar`); its truth is the same estimator applied to the planted daily
# multipliers (a noise-free series), so it is the quantity the notebook estimates.

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
    print("no truth available (real data)")

# %%
results = {"facts": facts, "rows": {k: len(v) for k, v in data.items()}, "claims": claims_json(claims)}
if claims_truth:
    results["claims_truth"] = claims_truth
saved = write_results(results, output_dir)
print("results written:", sorted(results))
