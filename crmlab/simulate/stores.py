"""Physical stores: flagship, standard and community stores across Chinese cities."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..config import Scenario
from ..domain import STORE_FORMATS as FORMATS

__all__ = ["simulate_stores"]

_TIER_STORE_WEIGHT = np.array([3.0, 2.0, 1.3, 1.0, 0.7])
_FORMAT_ZH = {"flagship": "旗舰店", "standard": "门店", "community": "社区店"}


def simulate_stores(scenario: Scenario, rng: np.random.Generator, cities: pd.DataFrame) -> pd.DataFrame:
    """Place ``scenario.n_stores`` stores in cities.

    Generative model: store cities are drawn with probability proportional to
    population times a tier weight (bigger, richer cities get more stores); the
    home city of the chain (Nanjing) always has the first flagship. The first
    store of a tier-1/2 city is a flagship, further stores are standard (60%) or
    community stores (40%). Flagships opened 2000-2012, standard stores up to a
    year before the window, community stores from three years before the
    window to 70% into it (so a few open during the window and sell only after
    ``open_date``).

    Returns
    -------
    DataFrame with ``store_id, name, format, city, city_name, province,
    province_name, city_tier, open_date``.
    """
    start = scenario.start_date
    w = cities["population_m"].to_numpy(float) * _TIER_STORE_WEIGHT[cities["tier"].to_numpy() - 1]
    w = w / w.sum()
    home = np.flatnonzero(cities["city"].to_numpy() == "nanjing")
    first = int(home[0]) if len(home) else int(np.argmax(w))
    picks = np.concatenate([[first], rng.choice(len(cities), size=scenario.n_stores - 1, p=w)])
    # keep the order of first appearance stable: sort by (city index, draw order)
    order = np.lexsort((np.arange(len(picks)), picks))
    picks = picks[order]
    rank_in_city = pd.Series(picks).groupby(picks).cumcount().to_numpy()
    tiers = cities["tier"].to_numpy()[picks]
    u = rng.random(len(picks))
    fmt = np.where(
        rank_in_city == 0,
        np.where(tiers <= 2, "flagship", "standard"),
        np.where(u < 0.6, "standard", "community"),
    )
    start_ord = start.toordinal()
    lo = np.where(fmt == "flagship", dt.date(2000, 1, 1).toordinal(),
                  np.where(fmt == "standard", dt.date(2005, 1, 1).toordinal(), start_ord - 3 * 365))
    hi = np.where(fmt == "flagship", dt.date(2012, 12, 31).toordinal(),
                  np.where(fmt == "standard", start_ord - 365, start_ord + int(0.7 * scenario.n_days)))
    hi = np.maximum(hi, lo + 1)
    open_ord = lo + np.floor(rng.random(len(picks)) * (hi - lo)).astype(int)
    c = cities.iloc[picks].reset_index(drop=True)
    if scenario.locale == "zh_CN":
        cname = c["city_name_zh"].to_numpy()
        names = [f"苏宁易购{cn}{_FORMAT_ZH[f]}{k + 1}号" for cn, f, k in zip(cname, fmt, rank_in_city)]
        city_name, prov_name = c["city_name_zh"], c["province_name_zh"]
    else:
        names = [f"Suning {cn} {f.title()} #{k + 1}" for cn, f, k in zip(c["city_name_en"], fmt, rank_in_city)]
        city_name, prov_name = c["city_name_en"], c["province_name_en"]
    return pd.DataFrame(
        {
            "store_id": [f"S{i + 1:04d}" for i in range(len(picks))],
            "name": names,
            "format": fmt,
            "city": c["city"].to_numpy(),
            "city_name": city_name.to_numpy(),
            "province": c["province"].to_numpy(),
            "province_name": prov_name.to_numpy(),
            "city_tier": c["tier"].to_numpy().astype("int64"),
            "open_date": pd.to_datetime([dt.date.fromordinal(int(o)) for o in open_ord]),
        }
    )
