"""Two editions from one source: English and Chinese Markdown side by side, identical code cells,
the language as the notebook parameter ``lang``."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from crmlab.notebook.runner import find_notebooks
from crmlab.notebook.sources import notebook_to_source, source_to_notebook, translation_problems

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
ZH = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))

SAMPLE = '''# %% [markdown]
# # Churn
# Who leaves?

# %% [markdown] lang="zh"
# # 客户流失
# 谁会流失？

# %% tags=["parameters"]
lang = "en"

# %%
print("hello")

# %% [markdown]
# ## Result

# %% [markdown] lang="zh"
# ## 结果
'''


def test_editions_share_the_code_and_swap_the_markdown():
    en, zh = source_to_notebook(SAMPLE, "en"), source_to_notebook(SAMPLE, "zh")
    assert [c.cell_type for c in en.cells] == [c.cell_type for c in zh.cells] == ["markdown", "code", "code", "markdown"]
    assert [c.source for c in en.cells if c.cell_type == "code"] == [c.source for c in zh.cells if c.cell_type == "code"]
    assert en.cells[0].source.startswith("# Churn") and zh.cells[0].source.startswith("# 客户流失")
    assert zh.cells[3].source == "## 结果"
    assert all("lang" not in c.metadata for c in en.cells + zh.cells)
    assert translation_problems(SAMPLE) == []
    # the source round-trips with its translations
    import jupytext

    raw = jupytext.reads(SAMPLE, fmt="py:percent")  # all cells, translations included
    again = jupytext.reads(notebook_to_source(raw), fmt="py:percent")
    assert [(c.source, c.metadata.get("lang")) for c in again.cells] == [(c.source, c.metadata.get("lang")) for c in raw.cells]


def test_missing_and_misplaced_translations_are_reported():
    missing = SAMPLE.replace('# %% [markdown] lang="zh"\n# ## 结果\n', "")
    assert translation_problems(missing) == ["markdown cell 5 has no zh translation: ## Result"]
    misplaced = SAMPLE.replace('# %%\nprint("hello")', '# %%\nprint("hello")\n\n# %% [markdown] lang="zh"\n# 孤儿')
    assert any("does not follow an English markdown cell" in p for p in translation_problems(misplaced))
    with pytest.raises(ValueError, match="lang must be"):
        source_to_notebook(SAMPLE, "fr")


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_every_lesson_takes_the_lang_parameter(src):
    nb = source_to_notebook(src.read_text(encoding="utf-8"))
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert any(line.split("=")[0].strip() == "lang" for line in params.source.splitlines())


@pytest.mark.parametrize("path", ZH, ids=[p.stem for p in ZH])
def test_zh_edition_matches_its_source_and_the_english_code(path):
    src = ROOT / "notebooks" / "src" / f"{path.stem}.py"
    text = src.read_text(encoding="utf-8")
    assert translation_problems(text) == [], f"{src.name} is not fully translated"
    zh = nbformat.read(path, as_version=4)
    en = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
    # the edition's language is the default of the parameter, so a run that injects other parameters
    # (papermill -p seed 7 replaces an injected cell) still speaks Chinese
    assert not [c for c in zh.cells if "injected-parameters" in c.metadata.get("tags", [])]
    params = [c for c in zh.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and re.search(r'^lang = "zh"', params[0].source, re.M), "the zh edition's lang default"
    unlang = lambda c: c.source.replace('lang = "zh"', 'lang = "en"', 1) if c in params else c.source  # noqa: E731
    zh_cells = zh.cells
    assert [unlang(c) for c in zh_cells if c.cell_type == "code"] == \
        [c.source for c in en.cells if c.cell_type == "code"]
    expected = source_to_notebook(text, "zh")
    assert [unlang(c) for c in zh_cells] == [c.source for c in expected.cells], \
        f"{path.name} differs from {src.name}: run scripts/build_notebooks.py {path.stem[:2]} --lang zh"
    assert find_notebooks([path.stem], lang="zh") == [path] or find_notebooks([path.stem], lang="zh")[0].name == path.name


def test_a_translation_keeps_the_tags_of_its_english_cell():
    text = ('# %% [markdown] tags=["rubric"]\n# Rubric\n\n# %% [markdown] lang="zh"\n# 评分标准\n\n'
            '# %% [markdown] tags=["written"]\n# Answer\n\n# %% [markdown] tags=["own"] lang="zh"\n# 回答\n')
    zh = source_to_notebook(text, "zh")
    assert [(c.source, c.metadata.get("tags")) for c in zh.cells] == [("评分标准", ["rubric"]), ("回答", ["own"])]
    en = source_to_notebook(text, "en")
    assert [c.metadata.get("tags") for c in en.cells] == [["rubric"], ["written"]]
