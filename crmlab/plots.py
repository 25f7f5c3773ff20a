"""One look for every figure: theme, palette and a few recurring charts.

Call :func:`set_theme` once at the top of a notebook. Titles state the
finding, axes carry units, colours come from a colour-blind-safe palette.
Chinese text (the ``zh`` edition, city and product names) is drawn with the
font crmlab ships - a 3 MB subset of Noto Sans CJK SC covering GB 2312 and
every character of the lessons (:func:`register_cjk_font`) - so figures
render on a fresh machine without "Glyph ... missing" warnings.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["set_theme", "register_cjk_font", "CJK_FONT", "PALETTE", "finish", "bar", "line_chart", "quadrant_chart", "gains_chart", "event_study_chart"]

#: Okabe-Ito colour-blind-safe palette
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


#: Family name of the bundled CJK font.
CJK_FONT = "Crmlab Sans SC"
_CJK_FILE = "CrmlabSansSC-Regular.otf"


def register_cjk_font() -> str:
    """Make the bundled CJK font known to matplotlib (idempotent) and return its family name.

    Examples
    --------
    >>> register_cjk_font()
    'Crmlab Sans SC'
    """
    from importlib.resources import as_file, files

    from matplotlib import font_manager

    import dataclasses

    manager = font_manager.fontManager
    if not any(f.name == CJK_FONT for f in manager.ttflist):
        with as_file(files("crmlab") / "data" / "fonts" / _CJK_FILE) as path:
            manager.addfont(str(path))
        # Only the regular weight is shipped: register it for bold text too (titles), so matplotlib
        # uses it there instead of logging "Failed to find font weight bold" on every figure.
        regular = next(f for f in manager.ttflist if f.name == CJK_FONT)
        manager.ttflist.append(dataclasses.replace(regular, weight=700))
    return CJK_FONT


def set_theme(context: str = "notebook") -> None:
    """Seaborn theme used by every notebook (white grid, Okabe-Ito palette, CJK fallback font).

    Latin text keeps matplotlib's default font; characters it lacks (Chinese)
    fall back to the bundled CJK font glyph by glyph.
    """
    import seaborn as sns

    sns.set_theme(context=context, style="whitegrid", palette=PALETTE)
    cjk = register_cjk_font()
    sans = [f for f in plt.rcParams["font.sans-serif"] if f != cjk]
    plt.rcParams.update({"figure.figsize": (7.5, 4.2), "figure.dpi": 100, "axes.titleweight": "bold",
                         "axes.titlesize": 12, "savefig.bbox": "tight", "font.family": "sans-serif",
                         "font.sans-serif": [*sans[:1], cjk, *sans[1:]]})


def finish(ax: plt.Axes, title: str, xlabel: str | None = None, ylabel: str | None = None,
           legend: bool | None = None) -> plt.Axes:
    """Title (the finding) and axis labels (with units) in one call."""
    ax.set_title(title)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if legend is False and ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.figure.tight_layout()
    return ax


def bar(values: pd.Series, title: str, xlabel: str, ylabel: str, *, horizontal: bool = False,
        color: str | Sequence[str] = PALETTE[0], fmt: str | None = None, ax: plt.Axes | None = None) -> plt.Axes:
    """A labelled bar chart of a Series (index = categories)."""
    ax = ax or plt.subplots()[1]
    if horizontal:
        ax.barh(values.index.astype(str), values.to_numpy(), color=color)
        ax.invert_yaxis()
    else:
        ax.bar(values.index.astype(str), values.to_numpy(), color=color)
        labels = [str(i) for i in values.index]
        if len(values) > 6 or len(values) * max(map(len, labels), default=0) > 60:
            plt.setp(ax.get_xticklabels(), rotation=30, ha="right")
    if fmt:
        for i, v in enumerate(values.to_numpy()):
            if horizontal:
                ax.annotate(format(v, fmt), (v, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=9)
            else:
                ax.annotate(format(v, fmt), (i, v), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=9)
    return finish(ax, title, xlabel, ylabel)


def line_chart(df: pd.DataFrame, title: str, xlabel: str, ylabel: str, *, ax: plt.Axes | None = None,
               markers: bool = False) -> plt.Axes:
    """One line per column of ``df`` against its index."""
    ax = ax or plt.subplots()[1]
    for i, col in enumerate(df.columns):
        ax.plot(df.index, df[col].to_numpy(), label=str(col), color=PALETTE[i % len(PALETTE)],
                marker="o" if markers else None, ms=4)
    if df.shape[1] > 1:
        ax.legend(frameon=False)
    return finish(ax, title, xlabel, ylabel)


def quadrant_chart(x: pd.Series, y: pd.Series, title: str, xlabel: str, ylabel: str, *,
                   xcut: float | None = None, ycut: float | None = None, quadrant_labels: Sequence[str] | None = None,
                   ax: plt.Axes | None = None) -> plt.Axes:
    """Scatter of labelled points with quadrant lines (importance-performance grid)."""
    ax = ax or plt.subplots(figsize=(6.5, 5))[1]
    ax.scatter(x, y, s=60, color=PALETTE[0], zorder=3)
    for name in x.index:
        ax.annotate(str(name), (x[name], y[name]), xytext=(5, 4), textcoords="offset points")
    xc = float(x.mean()) if xcut is None else xcut
    yc = float(y.mean()) if ycut is None else ycut
    ax.axvline(xc, color="grey", lw=1, ls="--")
    ax.axhline(yc, color="grey", lw=1, ls="--")
    if quadrant_labels:
        # order: top-left, top-right, bottom-left, bottom-right
        pos = [(0.02, 0.97, "left"), (0.98, 0.97, "right"), (0.02, 0.03, "left"), (0.98, 0.03, "right")]
        for (px, py, ha), lab in zip(pos, quadrant_labels):
            ax.text(px, py, lab, transform=ax.transAxes, ha=ha, va="top" if py > 0.5 else "bottom",
                    fontsize=9, color="dimgrey", style="italic")
    return finish(ax, title, xlabel, ylabel)


def gains_chart(gains: pd.DataFrame, title: str, *, x: str = "cum_share_customers", y: str = "cum_share_churners",
                ax: plt.Axes | None = None) -> plt.Axes:
    """Cumulative gains: share of churners captured vs share of customers targeted.

    ``gains`` is a gains table, by default as
    :func:`crmlab.analysis.churn.prediction.gains_table` returns it (columns
    ``cum_share_customers`` and ``cum_share_churners``); ``x`` and ``y``
    name other columns.
    """
    ax = ax or plt.subplots(figsize=(5.5, 5))[1]
    ax.plot(np.r_[0, gains[x].to_numpy()], np.r_[0, gains[y].to_numpy()], marker="o", ms=4,
            color=PALETTE[0], label="model")
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="random targeting")
    ax.legend(frameon=False, loc="lower right")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    return finish(ax, title, "share of customers targeted (ranked by score)", "share of churners captured")


def event_study_chart(es: pd.DataFrame, title: str, *, x: str = "event_time", y: str = "effect",
                      lo: str = "ci_low", hi: str = "ci_high", ax: plt.Axes | None = None) -> plt.Axes:
    """Event-time coefficients with a confidence band and the enrolment line."""
    ax = ax or plt.subplots()[1]
    ax.axhline(0, color="grey", lw=1)
    ax.axvline(-0.5, color="grey", lw=1, ls="--")
    ax.fill_between(es[x], es[lo], es[hi], color=PALETTE[0], alpha=0.2, label="95% CI")
    ax.plot(es[x], es[y], marker="o", color=PALETTE[0], label="estimate")
    ax.legend(frameon=False)
    return finish(ax, title, "months since enrolment", "relative change in orders")
