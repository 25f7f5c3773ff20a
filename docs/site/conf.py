"""Sphinx configuration of the crmlab course website (one build per language).

Built by ``scripts/build_site.py`` (``make site``), which stages the pages of one
language tree and runs Sphinx with this folder as the configuration directory
and ``CRMLAB_SITE_LANG`` set to ``en`` or ``zh``. The notebooks are rendered as
committed (executed), never re-executed.
"""

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crmlab_site import LANGS  # noqa: E402  (the extension lives next to this file)

crmlab_lang = os.environ.get("CRMLAB_SITE_LANG", "en")
if crmlab_lang not in LANGS:
    raise ValueError(f"CRMLAB_SITE_LANG must be one of {sorted(LANGS)}, not {crmlab_lang!r}")
ZH = crmlab_lang == "zh"

project = "crmlab"
author = "crmlab developers"
copyright = "crmlab developers; lessons on synthetic data"
language = LANGS[crmlab_lang]["sphinx"]
root_doc = "index"

extensions = ["myst_nb", "crmlab_site"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# The notebooks are committed executed: render their outputs, run nothing.
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 4
myst_heading_slug_func = "github"  # anchors as on GitHub: doc.md#anchor works in both places

html_theme = "sphinx_book_theme"
html_title = "crmlab · 客户关系管理数据分析" if ZH else "crmlab · CRM analytics"
html_static_path = ["_static"]
html_css_files = ["crmlab-site.css"]
html_favicon = "_static/favicon.svg"
html_last_updated_fmt = None
html_show_sphinx = False
# light by default (figures and tables have white backgrounds); readers can switch
html_context = {"default_mode": "light"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "article_header_end": ["crmlab-lang-switch.html", "article-header-buttons.html"],
    "navbar_persistent": [],  # the sidebar has the search field; no second one in a top bar
    "toc_title": "本页内容" if ZH else "Contents",
}
