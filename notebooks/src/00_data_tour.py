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
import matplotlib.pyplot as plt
import pandas as pd

import crmlab
from crmlab import plots
from crmlab.realism import FACT_LABELS, stylized_facts
from crmlab.notebook import get_data, orders_with_value, require_tables, truth_check, write_results

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
done = o[o["status"] == "completed"]
if "order_items" in data and "products" in data:
    main = data.order_items[data.order_items["line_no"] == 1].merge(data.products[["sku", "category"]], on="sku")
    done = done.merge(main[["order_id", "category"]], on="order_id", how="left")
joined = done.merge(data.customers[["customer_id", "city_tier"]], on="customer_id", how="left")
joined[["order_id", "customer_id", "order_ts", "channel", "order_value", "city_tier"]
       + (["category"] if "category" in joined else [])].head()

# %% [markdown]
# ### 5. Channels: the shift to the app
# Suning moved from stores to web (2010) and then to the app. Monthly orders by channel:

# %%
monthly = done.groupby([done["order_ts"].dt.to_period("M"), "channel"]).size().unstack(fill_value=0)
share = monthly.div(monthly.sum(axis=1), axis=0)
ax = share.plot.area(figsize=(8, 4), color=plots.PALETTE[:share.shape[1]], alpha=0.85)
plots.finish(ax, "The app's share of orders grows month by month", "month", "share of completed orders")
plt.show()

# %% [markdown]
# ### 6. Seasonality: Chinese New Year, 618 and Double 11
# Daily revenue shows the festivals: the run-up to Chinese New Year (春节), the mid-year 618 festival
# and Double 11 (双十一, 11 November), the biggest shopping day of the year.

# %%
daily = done.groupby(done["order_ts"].dt.normalize())["order_value"].sum() / 1000
fig, ax = plt.subplots(figsize=(9, 3.8))
ax.plot(daily.index, daily.to_numpy(), lw=0.8, color=plots.PALETTE[0])
ax.plot(daily.rolling(28, center=True).mean(), lw=2, color=plots.PALETTE[1], label="28-day average")
for md, label in (("06-18", "618"), ("11-11", "Double 11")):
    for y in sorted(set(daily.index.year)):
        day = pd.Timestamp(f"{y}-{md}")
        if day in daily.index:
            ax.annotate(label, (day, daily[day]), xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
ax.legend(frameon=False)
plots.finish(ax, "Double 11 and 618 are the peaks of the year", "date", "revenue per day (thousand yuan)")
plt.show()

# %% [markdown]
# ### 7. Repeat buying and revenue concentration
# How many orders does a customer place, and how concentrated is revenue? These two facts shape
# churn analysis (most customers buy once or twice) and segmentation (a few customers matter most).

# %%
per_customer = done.groupby("customer_id").size()
counts = per_customer.clip(upper=6).value_counts().sort_index()
counts.index = [str(i) if i < 6 else "6+" for i in counts.index]
plots.bar(counts / counts.sum(), "Most customers buy once or twice", "completed orders per customer",
          "share of customers", fmt=".0%")
plt.show()

# %%
facts = stylized_facts(data)
pd.Series({FACT_LABELS[k]: v for k, v in facts.items() if v is not None}, name="value").to_frame()

# %% [markdown]
# ## Result
#
# The dataset follows the contract and passes validation. Completed orders show the channel shift to
# the app, clear festival peaks (Double 11 above all), a majority of one-time buyers and a strong
# revenue concentration - the numbers are in the table above, computed from the data.
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

# %%
if data.truth is not None:
    t = data.truth
    print("scenario:", t["scenario"]["n_customers"], "customers,", t["scenario"]["start"], "to", t["scenario"]["end"])
    print("planted segments:", ", ".join(t["segments"]["names"]))
else:
    print("no truth available (real data)")

# %%
results = {"facts": facts, "rows": {k: len(v) for k, v in data.items()}}
saved = write_results(results, output_dir)
print("results written:", sorted(results))
