#!/usr/bin/env python3
"""Calibration of the city-launch ITT (lesson 04): which model and interval are honest at classroom size.

For every seed a dataset of the chosen preset is generated, lesson 04's panel
built, and the launch intention-to-treat effect (months 0-6 after the launch)
estimated by four models; each estimate is compared with the seed's recorded
truth (``truth.loyalty.launch_itt``). Printed per model, over the seeds:

* **bias**: mean of ``log(1 + estimate) - log(1 + truth)``;
* **spread**: standard deviation of ``log(1 + estimate)`` across seeds;
* **mean SE**: mean standard error of ``log(1 + estimate)``, and the ratio
  spread / mean SE (the baseline: 1 when the errors are the right size);
* **z sd**: standard deviation of ``(log(1 + estimate) - log(1 + truth)) / SE``
  (1 when the intervals are honest);
* **covers**: seeds whose 95% interval contains the truth;
* **wrong**: seeds whose interval excludes 0 on the side opposite the truth
  (a supported finding in the wrong direction);
* **s/fit**: mean seconds per estimate (interval included), and the ratio to
  the first model, measured in the same run.

The models:

``customer+trend (analytic)``
    each customer's own level, calendar months, a linear trend per city-tier
    group; the clustered sandwich by city (the estimator lesson 04 used
    before 2026-11-28);
``customer (analytic)``
    the same without the trends;
``city, no tenure (jackknife)``
    each city's level and calendar months, delete-one-city jackknife;
``city + tenure (jackknife)``
    :func:`crmlab.analysis.loyalty.launch_effect`'s default: each city's
    level, calendar months and months since the first order, jackknife.

Nothing is written into the repository; timings are reported, never asserted.

Examples
--------
    python scripts/bench_launch_itt.py                      # 80 seeds (1000-1019, 3000-3059), classroom size
    python scripts/bench_launch_itt.py --seeds 3000-3009 --jobs 2
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

Z = 1.959963984540054
MODELS = ("customer+trend (analytic)", "customer (analytic)", "city, no tenure (jackknife)",
          "city + tenure (jackknife)")


def parse_seeds(text: str) -> list[int]:
    """``"1000-1019,3000-3059"`` -> the list of seeds."""
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.strip().partition("-")
        if not a.isdigit() or (b and not b.isdigit()):
            raise argparse.ArgumentTypeError(f"seeds must look like 1000-1019,3000 (got {text!r})")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def _estimates(seed: int, preset: str, n_customers: int | None, as_of: str) -> dict:
    """Every model's log ratio and SE on one seed's data."""
    warnings.simplefilter("ignore", RuntimeWarning)
    from crmlab.analysis import loyalty
    from crmlab.analysis.loyalty._imputation import Imputer, cluster_se, jackknife_se, post_rows
    from crmlab.analysis.loyalty.launch import itt_rows, launch_design, launch_panel
    from crmlab.notebook import get_data

    data = get_data(None, preset=preset, seed=seed, n_customers=n_customers)
    panel = loyalty.monthly_panel(data.orders, data.customers, data.loyalty, as_of=as_of)
    out = {"seed": seed, "truth": float(np.log1p(data.truth["loyalty"]["launch_itt"]))}

    def timed(name, fn):
        t0 = time.perf_counter()
        est, se = fn()
        out[name] = (float(est), float(se), time.perf_counter() - t0)

    def customer(strata):
        def run():
            lp = launch_panel(panel)
            imp = Imputer.from_panel(lp, strata, "orders", "city")
            r, psi, _ = imp.influence(post_rows(imp.design, (0, 6)))
            return np.log(r), cluster_se(psi, imp.clusters) / r
        return run

    def city_no_tenure():
        lp = launch_panel(panel)
        imp = Imputer.from_design(launch_design(lp, tenure=False))
        post = itt_rows(lp, (0, 6))
        r, _, _ = imp.influence(post)
        return np.log(r), jackknife_se(imp.jackknife(post))

    def default():
        res = loyalty.launch_effect(panel, months=(0, 6))
        return np.log1p(res.effect), res.se_log

    timed(MODELS[0], customer("tier_group"))
    timed(MODELS[1], customer(None))
    timed(MODELS[2], city_no_tenure)
    timed(MODELS[3], default)
    return out


def summarize(rows: list[dict]) -> pd.DataFrame:
    """One line per model: bias, spread, mean SE, calibration, coverage, wrong-direction findings, time."""
    truth = np.array([r["truth"] for r in rows])
    lines = []
    t_base = None
    for m in MODELS:
        est = np.array([r[m][0] for r in rows])
        se = np.array([r[m][1] for r in rows])
        sec = float(np.mean([r[m][2] for r in rows]))
        t_base = t_base or sec
        z = (est - truth) / se
        lo, hi = est - Z * se, est + Z * se
        wrong = ((lo > 0) & (truth < 0)) | ((hi < 0) & (truth > 0))
        spread = float(est.std(ddof=1))
        lines.append({"model": m, "bias": float((est - truth).mean()), "spread": spread,
                      "mean SE": float(se.mean()), "spread / SE": spread / float(se.mean()),
                      "z sd": float(z.std(ddof=1)), "covers": f"{int((np.abs(z) < Z).sum())}/{len(rows)}",
                      "wrong": int(wrong.sum()), "s/fit": sec, "time ratio": sec / t_base})
    return pd.DataFrame(lines)


def main(argv: list[str] | None = None) -> int:
    from tqdm.auto import tqdm

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Examples" + __doc__.split("Examples")[1])
    ap.add_argument("--seeds", type=parse_seeds, default=parse_seeds("1000-1019,3000-3059"),
                    help="seeds, e.g. 1000-1019,3000-3059 (default)")
    ap.add_argument("--preset", default="classroom", help="dataset preset (default classroom)")
    ap.add_argument("--n-customers", type=int, default=None, help="size override of the preset")
    ap.add_argument("--as-of", default="2025-12-31", help="end of the panel (lesson 04's default)")
    ap.add_argument("--jobs", type=int, default=2, help="seeds run in parallel (default 2)")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be positive")
    rows = []
    with ProcessPoolExecutor(args.jobs) as pool, tqdm(total=len(args.seeds), unit="seed", file=sys.stderr) as bar:
        futures = [pool.submit(_estimates, s, args.preset, args.n_customers, args.as_of) for s in args.seeds]
        for f in futures:
            rows.append(f.result())
            bar.update()
    table = summarize(rows)
    size = args.n_customers or "default"
    print(f"Launch ITT on {len(rows)} seeds ({args.preset} preset, {size} customers); log scale; "
          f"mean truth {np.mean([r['truth'] for r in rows]):.4f}\n")
    print(table.to_markdown(index=False, floatfmt=".3f"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
