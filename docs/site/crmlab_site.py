"""Sphinx extension of the crmlab course website: language switch and web font.

The site has one tree per language (``en/`` and ``zh/`` under the site root) built
from the same page names, so the other language's version of a page is the
same path in the other tree. Every page gets

- a language switch in its article header (template ``crmlab-lang-switch.html``,
  context ``crmlab_switch_url``, ``crmlab_switch_label``, ...) and a
  ``<link rel="alternate" hreflang=...>`` to the other tree;
- Sphinx 9's Chinese search script repaired (it names a stemmer it does not define);
- the bundled CJK font (``crmlab/data/fonts``, SIL OFL) copied into
  ``_static/fonts/``, where ``_static/crmlab-site.css`` loads it with
  ``@font-face`` so that Chinese renders on machines without CJK system fonts.

The path helpers are plain functions (tested in ``tests/test_site.py``).

Examples
--------
>>> switch_href("lessons/00_data_tour", "zh")
'../../zh/lessons/00_data_tour.html'
>>> other_language_path("en/lessons/00_data_tour.html")
'zh/lessons/00_data_tour.html'
"""

from __future__ import annotations

import shutil
from pathlib import Path

#: The languages of the site: folder name -> what the pages need to know.
LANGS: dict[str, dict[str, str]] = {
    "en": {"sphinx": "en", "html": "en", "name": "English", "switch_title": "Switch to English"},
    "zh": {"sphinx": "zh_CN", "html": "zh-CN", "name": "中文", "switch_title": "切换到中文"},
}
#: Web font family name used in the CSS (``_static/crmlab-site.css``).
FONT_FAMILY = "Crmlab Sans SC"
FONT_FILE = "CrmlabSansSC-Regular.otf"
FONT_DIR = Path(__file__).resolve().parents[2] / "crmlab" / "data" / "fonts"


def other_lang(lang: str) -> str:
    """The other language of the site.

    >>> other_lang("en"), other_lang("zh")
    ('zh', 'en')
    """
    if lang not in LANGS:
        raise ValueError(f"unknown site language {lang!r}; expected one of {sorted(LANGS)}")
    return "zh" if lang == "en" else "en"


def switch_href(pagename: str, target_lang: str) -> str:
    """Relative URL from page ``pagename`` of one tree to the same page in ``target_lang``'s tree.

    >>> switch_href("index", "en")
    '../en/index.html'
    >>> switch_href("glossary", "zh")
    '../zh/glossary.html'
    """
    if target_lang not in LANGS:
        raise ValueError(f"unknown site language {target_lang!r}")
    if not pagename or pagename.startswith("/") or ".." in pagename.split("/"):
        raise ValueError(f"not a page name: {pagename!r}")
    return "../" * (pagename.count("/") + 1) + f"{target_lang}/{pagename}.html"


def other_language_path(site_path: str) -> str:
    """The site path (relative to the site root) of the same page in the other language.

    >>> other_language_path("zh/index.html")
    'en/index.html'
    """
    lang, sep, rest = site_path.lstrip("/").partition("/")
    if not sep or lang not in LANGS:
        raise ValueError(f"not a page of a language tree: {site_path!r}")
    return f"{other_lang(lang)}/{rest}"


def _page_context(app, pagename, templatename, context, doctree) -> None:
    lang = app.config.crmlab_lang
    target = other_lang(lang)
    href = switch_href(pagename, target)
    context.update(crmlab_lang=lang, crmlab_other_lang=target, crmlab_switch_url=href,
                   crmlab_switch_label=LANGS[target]["name"], crmlab_switch_html_lang=LANGS[target]["html"],
                   crmlab_switch_title=LANGS[target]["switch_title"])
    alternate = f'<link rel="alternate" hreflang="{LANGS[target]["html"]}" href="{href}" />\n'
    context["metatags"] = context.get("metatags", "") + alternate


def _copy_font(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    fonts = Path(app.outdir) / "_static" / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    for name in (FONT_FILE, "OFL.txt"):
        src = FONT_DIR / name
        if not src.is_file():
            raise FileNotFoundError(f"the bundled font file {src} is missing")
        shutil.copy2(src, fonts / name)


def _fix_chinese_search(app, exception) -> None:
    """Sphinx 9's Chinese search data names a ``ChineseStemmer`` that it never defines (it ships the
    English stemmer): searching, and every page's script, would fail with a ReferenceError."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "_static" / "language_data.js"
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if "window.Stemmer = ChineseStemmer;" in text and "ChineseStemmer=" not in text.replace(" ", ""):
            path.write_text(text.replace("window.Stemmer = ChineseStemmer;", "window.Stemmer = EnglishStemmer;"),
                            encoding="utf-8")


def setup(app):
    app.add_config_value("crmlab_lang", "en", "html", types=[str])
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _copy_font)
    app.connect("build-finished", _fix_chinese_search)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
