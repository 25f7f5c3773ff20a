#!/usr/bin/env python
"""Build the bilingual course website (Sphinx + myst-nb) from the executed notebooks and the docs.

Output (default ``build/site``, replaced atomically when the build succeeds)::

    index.html      choose a language
    en/             the English tree: lessons (notebooks/NN_*.ipynb), glossary, data dictionary,
                    course coverage, instructor guide (when docs/instructor_guide.md or
                    docs/teaching.md exists)
    zh/             the Chinese tree: the same pages; lessons from notebooks/zh/ (a lesson not yet
                    translated shows its English edition with a note)
    site.json       what was built (pages, English fallbacks, Sphinx time)

The notebooks are rendered as committed (``nb_execution_mode = "off"``): nothing is executed.
The site's sources are in ``docs/site/`` (Sphinx configuration, language-switch extension,
templates, CSS with the bundled CJK web font, index pages). The pages of each tree are staged in
a temporary folder first: links between repository files (``../docs/glossary.md``,
``notebooks/02_churn_case.ipynb``, ...) are rewritten to the site's pages, links to files that
are not on the site become plain text. Any Sphinx warning (a broken reference, a missing image,
an unknown directive) fails the build: exit code 1 and the warnings are printed.

Examples
--------
    python scripts/build_site.py                  # -> build/site (make site)
    python scripts/build_site.py --out /tmp/site  # elsewhere
    python scripts/build_site.py --jobs 1         # one Sphinx process at a time
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_SRC = ROOT / "docs" / "site"
LANGS = ("en", "zh")

#: Reference pages: (page name, candidate sources in the repository, navigation title en, zh).
REFERENCE = (
    ("glossary", ("docs/glossary.md",), "Glossary", "术语表"),
    ("data", ("datasets/README.md",), "Data dictionary", "数据字典"),
    ("coverage", ("docs/coverage.md",), "Course coverage", "课程内容对照"),
    ("instructor", ("docs/instructor_guide.md", "docs/teaching.md"), "Instructor guide", "教师指南"),
)
CAPTIONS = {"en": ("Lessons", "Reference"), "zh": ("课程", "参考资料")}
FALLBACK_CLASS = "crmlab-fallback"
FALLBACK_NOTE = {
    "lesson": ("中文版尚未完成",
               "本课的中文版还在翻译中，下面显示的是英文版。\n\n"
               "*The Chinese edition of this lesson is not ready yet; this page shows the English edition.*"),
    "page": ("本页只有英文版",
             "本页的说明文字目前只有英文版。\n\n*This page is available in English only for now.*"),
}
FALLBACK_SUFFIX = "（英文版）"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(<?([^()\s<>]+)>?((?:\s+\"[^\"]*\")?)\)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Page:
    """One page of a language tree: its name in the tree, its source file and navigation title."""

    docname: str     # "lessons/02_churn_case", "glossary"
    source: str      # repository path of the file it is built from
    title: str       # navigation title in the tree's language
    fallback: bool   # True: a Chinese page shown in its English version

    @property
    def filename(self) -> str:
        """The staged file: ``<docname>.ipynb`` for a lesson, ``<docname>.md`` otherwise."""
        return self.docname + Path(self.source).suffix


# ------------------------------------------------------------------------------------------------
# which pages


def lesson_names(root: Path = ROOT) -> list[str]:
    """The lessons (``NN_name``) of the English edition, in order."""
    return sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _translated(rel: str) -> str:
    """Where the Chinese version of a repository file would be: ``docs/zh/glossary.md``."""
    head, name = posixpath.split(rel)
    return posixpath.join(head, "zh", name)


def _notebook_title(path: Path) -> str | None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _cell_text(cell).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def _zh_lesson_titles() -> dict[str, str]:
    path = SITE_SRC / "lesson_titles.zh.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def site_pages(lang: str, root: Path = ROOT) -> list[Page]:
    """The pages of one language tree: the lessons, then the reference pages that exist."""
    if lang not in LANGS:
        raise ValueError(f"unknown site language {lang!r}; expected one of {LANGS}")
    pages = []
    zh_titles = _zh_lesson_titles()
    for name in lesson_names(root):
        en = f"notebooks/{name}.ipynb"
        zh = f"notebooks/zh/{name}.ipynb"
        if lang == "en":
            pages.append(Page(f"lessons/{name}", en, _notebook_title(root / en) or name, False))
        elif (root / zh).is_file():
            pages.append(Page(f"lessons/{name}", zh, _notebook_title(root / zh) or name, False))
        else:
            title = zh_titles.get(name[:2]) or _notebook_title(root / en) or name
            pages.append(Page(f"lessons/{name}", en, title + FALLBACK_SUFFIX, True))
    for docname, candidates, title_en, title_zh in REFERENCE:
        source = next((c for c in candidates if (root / c).is_file()), None)
        if source is None:
            continue
        if lang == "zh" and (root / _translated(source)).is_file():
            pages.append(Page(docname, _translated(source), title_zh, False))
        else:
            pages.append(Page(docname, source, title_en if lang == "en" else title_zh, lang != "en"))
    return pages


def link_targets(pages: list[Page], root: Path = ROOT) -> dict[str, str]:
    """Repository paths that have a page on the site -> the staged file of that page.

    Both editions of a lesson and its jupytext source lead to the lesson page of the tree, both
    versions of a document to its page.
    """
    targets = {}
    for page in pages:
        if page.docname.startswith("lessons/"):
            name = page.docname.split("/", 1)[1]
            for rel in (f"notebooks/{name}.ipynb", f"notebooks/zh/{name}.ipynb", f"notebooks/src/{name}.py"):
                targets[rel] = page.filename
        else:
            candidates = next(c for d, c, *_ in REFERENCE if d == page.docname)
            for rel in candidates:
                if (root / rel).is_file():
                    targets[rel] = targets[_translated(rel)] = page.filename
    return targets


# ------------------------------------------------------------------------------------------------
# staging


def rewrite_links(text: str, source: str, filename: str, targets: dict[str, str],
                  root: Path = ROOT) -> tuple[str, list[str], list[str]]:
    """Rewrite the relative Markdown links of ``text`` (from repository file ``source``) for the page ``filename``.

    A link to a repository file that has a page on the site (``targets``) points to that page
    (anchor kept); an image that is a repository file is kept (returned in ``assets``, to be copied
    to ``_repo/<path>``); any other relative link becomes its text followed by the path in code
    (it is not on the site). Links in fenced code blocks, absolute URLs and in-page anchors are
    left alone. Returns the new text, notes on dropped links, and the assets.

    >>> t = {"docs/glossary.md": "glossary.md"}
    >>> rewrite_links("See the [glossary](../docs/glossary.md#churn).", "notebooks/02_x.ipynb",
    ...               "lessons/02_x.ipynb", t)[0]
    'See the [glossary](../glossary.md#churn).'
    >>> rewrite_links("Read [the README](../README.md).", "docs/coverage.md", "coverage.md", t)[0]
    'Read the README (`README.md`).'
    """
    here = posixpath.dirname(filename)
    notes: list[str] = []
    assets: list[str] = []

    def fix(m: re.Match) -> str:
        bang, label, target, title = m.groups()
        if _SCHEME.match(target) or target.startswith(("#", "/")):
            return m.group(0)
        path, hashmark, anchor = target.partition("#")
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
        if rel in targets:
            new = posixpath.relpath(targets[rel], here or ".") + hashmark + anchor
            return f"{bang}[{label}]({new}{title})"
        if bang and rel.lower().endswith(IMAGE_SUFFIXES) and not rel.startswith("..") and (root / rel).is_file():
            assets.append(rel)
            return f"{bang}[{label}]({posixpath.relpath('_repo/' + rel, here or '.')}{title})"
        notes.append(f"{source}: link to {rel} is not on the site; kept as text")
        return f"{label} (`{rel}`)" if label else f"`{rel}`"

    out, fence = [], None
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        marker = stripped[:3]
        if fence is None and marker in ("```", "~~~"):
            fence = marker
        elif fence is not None and stripped.startswith(fence):
            fence = None
        elif fence is None:
            line = _LINK.sub(fix, line)
        out.append(line)
    return "".join(out), notes, assets


def fallback_note(kind: str) -> str:
    """The Markdown note on a Chinese page shown in English (``kind``: "lesson" or "page")."""
    title, body = FALLBACK_NOTE[kind]
    return f":::{{admonition}} {title}\n:class: note {FALLBACK_CLASS}\n\n{body}\n:::\n"


def insert_after_title(text: str, block: str) -> str:
    """Put ``block`` right after the first level-1 heading of ``text`` (at the top if it has none).

    >>> insert_after_title("# T\\nbody\\n", "NOTE\\n")
    '# T\\n\\nNOTE\\n\\nbody\\n'
    """
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("# "):
            head = "".join(lines[: i + 1])
            head += "" if head.endswith("\n") else "\n"
            return head + "\n" + block + "\n" + "".join(lines[i + 1:]).lstrip("\n")
    return block + "\n" + text


def _cell_text(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def stage_page(page: Page, dest: Path, targets: dict[str, str], root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Write one page into the staged source tree ``dest``; return notes on dropped links and assets."""
    out = dest / page.filename
    out.parent.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    assets: list[str] = []
    if page.filename.endswith(".ipynb"):
        nb = json.loads((root / page.source).read_text(encoding="utf-8"))
        noted = not page.fallback
        for cell in nb.get("cells", []):
            if cell.get("cell_type") != "markdown":
                continue
            text, n, a = rewrite_links(_cell_text(cell), page.source, page.filename, targets, root)
            notes += n
            assets += a
            if not noted and any(line.startswith("# ") for line in text.splitlines()):
                text, noted = insert_after_title(text, fallback_note("lesson")), True
            cell["source"] = text
        if not noted:  # no heading: the note becomes the first cell
            nb["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": fallback_note("lesson")})
        out.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    else:
        text, notes, assets = rewrite_links((root / page.source).read_text(encoding="utf-8"), page.source,
                                            page.filename, targets, root)
        if page.fallback:
            text = insert_after_title(text, fallback_note("page"))
        out.write_text(text, encoding="utf-8")
    return notes, assets


def toctree(caption: str, pages: list[Page]) -> str:
    """A MyST toctree of ``pages`` with their navigation titles."""
    entries = "\n".join(f"{p.title.replace('<', '‹').replace('>', '›')} <{p.docname}>" for p in pages)
    return f"```{{toctree}}\n:caption: {caption}\n:maxdepth: 1\n\n{entries}\n```\n"


def stage(lang: str, dest: Path, root: Path = ROOT) -> tuple[list[Page], list[str]]:
    """Stage the source tree of one language into ``dest``: index.md, lessons/, reference pages.

    Returns the pages and notes on links that were kept as text.
    """
    pages = site_pages(lang, root)
    targets = link_targets(pages, root)
    notes: list[str] = []
    assets: set[str] = set()
    for page in pages:
        n, a = stage_page(page, dest, targets, root)
        notes += n
        assets.update(a)
    for rel in sorted(assets):
        (dest / "_repo" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / rel, dest / "_repo" / rel)
    lessons = [p for p in pages if p.docname.startswith("lessons/")]
    reference = [p for p in pages if not p.docname.startswith("lessons/")]
    index = (SITE_SRC / f"index.{lang}.md").read_text(encoding="utf-8")
    index = index.replace("@@LESSONS@@", toctree(CAPTIONS[lang][0], lessons))
    index = index.replace("@@REFERENCE@@", toctree(CAPTIONS[lang][1], reference) if reference else "")
    (dest / "index.md").write_text(index, encoding="utf-8")
    return pages, notes


# ------------------------------------------------------------------------------------------------
# building


def _sphinx(lang: str, src: Path, outdir: Path, work: Path, verbose: bool) -> tuple[subprocess.Popen, Path, Path]:
    """Start Sphinx on one staged tree; warnings go to a file, the rest to a log (or the terminal)."""
    warnings = work / f"warnings-{lang}.txt"
    log = work / f"sphinx-{lang}.log"
    env = dict(os.environ, CRMLAB_SITE_LANG=lang,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(SITE_SRC), "-d", str(work / f"doctrees-{lang}"),
           "--fail-on-warning", "--keep-going", "--warning-file", str(warnings), "-j", "1", str(src), str(outdir)]
    sink = None if verbose else open(log, "w", encoding="utf-8")
    proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=str(ROOT))
    if sink is not None:
        sink.close()
    return proc, warnings, log


def build_site(out: Path, jobs: int = 2, verbose: bool = False, root: Path = ROOT) -> dict:
    """Build the site into ``out`` (replaced only when the build succeeds); return what was built.

    Raises ``RuntimeError`` with Sphinx's warnings when a build fails.
    """
    from crmlab._fs import make_temp_dir, replace_dir

    started = time.perf_counter()
    out = Path(out).resolve()
    tmp = make_temp_dir(out)
    work = tmp / ".work"
    try:
        staged: dict[str, list[Page]] = {}
        for lang in LANGS:
            pages, notes = stage(lang, work / "src" / lang, root)
            staged[lang] = pages
            fallbacks = sum(p.fallback and p.docname.startswith("lessons/") for p in pages)
            extra = f", {fallbacks} in English until translated" if fallbacks else ""
            print(f"staged {lang}: {sum(p.docname.startswith('lessons/') for p in pages)} lessons{extra}, "
                  f"{sum(not p.docname.startswith('lessons/') for p in pages)} reference pages", flush=True)
            for note in notes:
                print(f"  note: {note}", flush=True)
        queue = list(LANGS)
        running: list[tuple[str, subprocess.Popen, Path, Path, float]] = []
        failures = []
        times = {}
        while queue or running:
            while queue and len(running) < max(1, jobs):
                lang = queue.pop(0)
                print(f"sphinx {lang} ...", flush=True)
                proc, warnings, log = _sphinx(lang, work / "src" / lang, work / "out" / lang / "html", work, verbose)
                running.append((lang, proc, warnings, log, time.perf_counter()))
            lang, proc, warnings, log, t0 = running.pop(0)
            code = proc.wait()
            times[lang] = round(time.perf_counter() - t0, 1)
            text = warnings.read_text(encoding="utf-8").strip() if warnings.is_file() else ""
            if code != 0:
                tail = ""
                if not verbose and log.is_file():
                    tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-30:])
                for page in staged[lang]:  # name the repository file, not the staged copy
                    text = text.replace(str(work / "src" / lang / page.filename), f"{page.source} [{lang} page]")
                failures.append(f"Sphinx failed for the {lang} tree (exit {code}):\n{text or tail}")
                print(f"sphinx {lang}: FAILED after {times[lang]} s", flush=True)
            else:
                print(f"sphinx {lang}: done in {times[lang]} s", flush=True)
        if failures:
            raise RuntimeError("\n\n".join(failures))
        for lang in LANGS:
            (work / "out" / lang / "html").rename(tmp / lang)
            (tmp / lang / ".buildinfo").unlink(missing_ok=True)
        shutil.copy2(SITE_SRC / "root.html", tmp / "index.html")
        (tmp / ".nojekyll").write_text("", encoding="utf-8")
        info = {
            "languages": list(LANGS),
            "pages": {lang: ["index", *(p.docname for p in pages)] for lang, pages in staged.items()},
            "sources": {lang: {p.docname: p.source for p in pages} for lang, pages in staged.items()},
            "fallback": {lang: [p.docname for p in pages if p.fallback] for lang, pages in staged.items()},
            "sphinx_seconds": times,
        }
        (tmp / "site.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        shutil.rmtree(work)
        replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    info["seconds"] = round(time.perf_counter() - started, 1)
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "site",
                    help="output folder, replaced when the build succeeds (default: build/site)")
    ap.add_argument("--jobs", type=int, default=2, choices=[1, 2],
                    help="Sphinx processes at a time, one per language (default: 2)")
    ap.add_argument("--verbose", action="store_true", help="show Sphinx's own output")
    args = ap.parse_args(argv)
    if not lesson_names():
        print("build_site: no executed notebooks in notebooks/ (run scripts/build_notebooks.py)", file=sys.stderr)
        return 1
    try:
        info = build_site(args.out, jobs=args.jobs, verbose=args.verbose)
    except RuntimeError as exc:
        print(f"build_site: {exc}", file=sys.stderr)
        print("build_site: nothing written (the previous site, if any, is unchanged)", file=sys.stderr)
        return 1
    print(f"site built in {info['seconds']} s: {args.out.resolve() / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
