#!/usr/bin/env python
"""Build the small CJK font that crmlab ships for Chinese text in figures.

Matplotlib needs a font with Chinese glyphs for the ``zh`` edition of the lessons;
fresh machines have none. crmlab ships a *subset* of Noto Sans CJK SC (SIL Open Font
Licence 1.1, which allows redistributing modified versions under the same licence; its
only Reserved Font Name is "Source") holding

* every character of GB 2312 (the 6,763 most common simplified hanzi, plus its
  punctuation, kana-free symbols and full-width forms),
* printable ASCII and Latin-1, general punctuation and CJK punctuation,
* every character of the project's own texts (notebook sources, message
  catalogues, city and product names), so nothing the lessons print can be missing,

renamed "Crmlab Sans SC" so that it never shadows a full Noto installation.

Usage::

    apt-get install fonts-noto-cjk      # provides NotoSansCJK-Regular.ttc (or pass any Noto Sans CJK SC file)
    python scripts/build_cjk_font.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

Writes ``crmlab/data/fonts/CrmlabSansSC-Regular.otf`` and the licence next to it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "crmlab" / "data" / "fonts"
FAMILY = "Crmlab Sans SC"
PS_NAME = "CrmlabSansSC-Regular"
TEXT_GLOBS = ("notebooks/src/*.py", "crmlab/**/*.py", "crmlab/data/*.csv", "docs/*.md", "datasets/README.md")


def gb2312() -> set[str]:
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def project_chars() -> set[str]:
    chars: set[str] = set()
    for pattern in TEXT_GLOBS:
        for p in ROOT.glob(pattern):
            if "fonts" in p.parts:
                continue
            chars |= set(p.read_text(encoding="utf-8", errors="ignore"))
    return {c for c in chars if ord(c) >= 0x2000}


def charset() -> set[str]:
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
    chars = {chr(c) for lo, hi in ranges for c in range(lo, hi + 1)}
    return chars | gb2312() | project_chars()


def build(source: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    if source.suffix.lower() == ".ttc":
        fonts = TTCollection(str(source)).fonts
        font = next((f for f in fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC"), None)
        if font is None:
            raise SystemExit(f"{source}: no 'Noto Sans CJK SC' face in this collection")
    else:
        font = TTFont(str(source))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in sorted(charset())])
    sub.subset(font)
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 4, 16):
            name.setName(FAMILY if rec.nameID != 4 else FAMILY, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID in (3, 6):
            name.setName(PS_NAME, rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 5:
            name.setName(f"{rec.toUnicode()}; crmlab subset of Noto Sans CJK SC", 5, rec.platformID, rec.platEncID,
                         rec.langID)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [PS_NAME]
        top = cff.topDictIndex[0]
        top.FullName = FAMILY
        top.FamilyName = FAMILY
    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"{PS_NAME}.otf"
    font.save(str(out))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", type=Path, help="NotoSansCJK-Regular.ttc or NotoSansCJKsc-Regular.otf")
    args = ap.parse_args(argv)
    out = build(args.source)
    print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size / 1e6:.2f} MB, {len(charset()):,} characters requested)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
