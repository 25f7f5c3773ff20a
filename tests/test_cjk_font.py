"""Chinese text in figures renders with the bundled font: no missing glyphs, no warnings."""

from __future__ import annotations

import io
import re
import warnings
from importlib.resources import files
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

from crmlab import plots  # noqa: E402
from crmlab.i18n import LABELS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FONT = files("crmlab") / "data" / "fonts" / "CrmlabSansSC-Regular.otf"
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _cmap() -> set[int]:
    return set(TTFont(str(FONT))["cmap"].getBestCmap())


def _render(text: str) -> np.ndarray:
    fig, ax = plt.subplots(figsize=(4, 1))
    ax.set_axis_off()
    ax.text(0.01, 0.5, text, fontsize=14)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    plt.close(fig)
    buf.seek(0)
    return plt.imread(buf)


def test_font_is_small_and_licensed():
    size = Path(str(FONT)).stat().st_size
    assert size < 4_000_000, size
    licence = (files("crmlab") / "data" / "fonts" / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence and "Noto Sans CJK SC" in licence


def test_font_covers_every_chinese_character_of_the_project():
    cmap = _cmap()
    texts = [p.read_text(encoding="utf-8") for pattern in ("notebooks/src/*.py", "crmlab/**/*.py", "crmlab/data/*.csv")
             for p in ROOT.glob(pattern)]
    texts += [v["zh"] for v in LABELS.values()]
    used = {ch for t in texts for ch in HAN.findall(t)}
    missing = sorted(ch for ch in used if ord(ch) not in cmap)
    assert len(used) > 100 and not missing, missing[:20]


def test_chinese_figure_text_renders_without_glyph_warnings(caplog):
    plots.set_theme()
    sample = "客户流失 满意度 净推荐值 会员卡 积分 购物篮分析 −12%"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would raise here
        fig, ax = plt.subplots()
        ax.bar(["电视", "空调", "手机"], [3, 2, 1])
        ax.set_title(sample)
        ax.set_xlabel("品类 (category)")
        fig.canvas.draw()
        plt.close(fig)
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]  # e.g. no bold weight for titles
    # drawn glyphs, not empty boxes: every character leaves ink, and two different characters differ
    a, b = _render("满"), _render("意")
    assert (a[..., :3] < 0.5).any() and (b[..., :3] < 0.5).any()
    assert not np.array_equal(a, b)


def test_without_the_fallback_matplotlib_warns():
    """The check above can fail: with only DejaVu Sans, Chinese glyphs are reported missing."""
    with plt.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        with pytest.warns(UserWarning, match="missing from font"):
            fig, ax = plt.subplots()
            ax.set_title("满意度")
            fig.canvas.draw()
            plt.close(fig)
