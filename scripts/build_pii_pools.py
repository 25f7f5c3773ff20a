#!/usr/bin/env python3
"""Build the name pools used by :mod:`crmlab.simulate.pii` from Faker.

The simulator never imports Faker at run time: this script snapshots Faker's
person-provider lists (``last_names``, ``first_names_male``,
``first_names_female``) into small CSV files under ``crmlab/data``::

    names_zh_CN.csv   names_en_US.csv   pools_meta.json

Each CSV has the columns ``kind`` (``surname``, ``given_male``,
``given_female``), ``name``, ``weight`` (relative frequency; Faker lists that
carry no weights get 1.0) and ``romanized`` (lowercase ASCII: toneless pinyin
for zh_CN, the lower-cased name for en_US). Rows are sorted by kind, then by
descending weight, then by name, and weights are written with a fixed format,
so the output is byte-for-byte reproducible for a given Faker version.
``pools_meta.json`` records that version.

Faker ships no trustworthy per-character pinyin for its zh_CN names, so the
romanization comes from the hand-written table :data:`_PINYIN_TABLE` below.
Names containing a character missing from the table are dropped (and counted
in ``pools_meta.json``); with Faker 40.54 the table covers every character.

Examples
--------
Rebuild the pools after upgrading Faker::

    python scripts/build_pii_pools.py --force

Check that the committed pools are current (writes nothing)::

    python scripts/build_pii_pools.py --check
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.metadata
import io
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LOCALES: tuple[str, ...] = ("zh_CN", "en_US")
"""Locales for which a pool is built."""

KIND_ATTRIBUTES: dict[str, str] = {
    "surname": "last_names",
    "given_male": "first_names_male",
    "given_female": "first_names_female",
}
"""Pool ``kind`` -> attribute of ``faker.providers.person.<locale>.Provider``."""

CSV_COLUMNS: tuple[str, ...] = ("kind", "name", "weight", "romanized")
WEIGHT_DECIMALS = 9
"""Faker's en_US weights have at most 9 decimals, so this format is lossless."""

META_FILENAME = "pools_meta.json"
SOURCE_TEMPLATE = "faker.providers.person.{locale}"
DEFAULT_OUT_DIR = Path(__file__).resolve().parent.parent / "crmlab" / "data"

# Toneless pinyin for every character of Faker's zh_CN surnames and given
# names, grouped as "<pinyin> <characters>" entries separated by "|".
# Polyphonic characters use their reading *as a surname* where that differs
# from the everyday one: 单 shan, 区 ou, 解 xie, 仇 qiu, 查 zha, 盖 ge, 朴 piao,
# 尉 wei, 缪 miao, 覃 qin, 乐 yue, 曾 zeng, 柏 bai, 牟 mou, 宿 su, 翟 zhai,
# 都 du, 那 na. ü is written "v" (吕 lv), as in pinyin input methods.
_PINYIN_TABLE = """
a 阿 | ai 艾 | an 安 | ao 敖 | ba 巴 | bai 柏白 | ban 班 | bao 包鲍 | bi 毕闭
bian 卞边 | bin 宾彬斌 | bing 兵 | bo 博波薄 | bu 卜 | cai 蔡 | cao 曹 | cen 岑
chai 柴 | chang 常畅 | chao 晁超 | che 车 | chen 晨谌陈 | cheng 成程 | chi 池迟
chu 储初楚褚 | chun 春 | cong 丛 | cui 崔 | dai 戴 | dan 丹但 | dang 党 | deng 邓
di 狄邸 | diao 刁 | ding 丁 | dong 东冬董 | dou 窦豆 | du 杜都 | duan 段
fan 帆樊范 | fang 房方芳 | fei 费飞 | feng 丰冯凤奉封峰 | fu 伏傅富符 | gan 干甘
gang 刚 | gao 郜高 | ge 戈盖葛 | geng 耿 | gong 公宫巩龚 | gou 勾苟 | gu 古谷辜顾
guan 关官管 | gui 桂 | guo 国郭 | ha 哈 | hai 海 | han 韩 | hang 杭 | hao 浩郝
he 何和贺赫 | heng 衡 | hong 洪红 | hou 侯 | hu 呼扈胡 | hua 华花 | huan 欢
huang 黄 | hui 惠慧辉 | huo 霍 | ji 冀吉姬季嵇纪计 | jia 佳贾 | jian 健建简
jiang 姜江蒋 | jiao 焦 | jie 揭杰洁 | jin 晋金靳 | jing 井敬景晶荆静 | ju 居鞠
juan 娟 | jun 俊军 | kai 凯 | kan 阚 | kang 亢康 | ke 柯 | kong 孔 | kou 寇
kuang 况匡邝 | kun 坤 | lai 来赖 | lan 兰蓝 | lang 郎 | lao 劳 | lei 磊雷 | leng 冷
li 丽利厉李栗莉黎 | lian 廉练连 | liang 亮梁 | liao 廖 | lin 林琳蔺 | ling 凌玲
liu 刘柳 | long 隆龙 | lou 娄楼 | lu 卢璐芦路逯陆鲁鹿 | luan 栾 | luo 罗骆 | lv 吕
ma 马麻 | mai 麦 | man 满 | mao 毛茅 | mei 梅 | men 门 | meng 孟蒙 | mi 米
miao 缪苗 | min 敏闵 | ming 明 | mo 莫 | mou 牟 | mu 慕母穆 | na 娜那 | nan 南楠
ni 倪 | nie 聂 | ning 宁 | niu 牛 | nong 农 | ou 区欧 | pan 潘盘 | pang 庞 | pei 裴
peng 彭鹏 | pi 皮 | piao 朴 | ping 平萍 | pu 普浦蒲 | qi 亓戚漆祁齐 | qian 倩钱
qiang 强 | qiao 乔 | qin 琴秦覃 | qing 卿 | qiu 仇裘邱 | qu 屈曲瞿 | quan 全权
que 阙 | ran 冉 | rao 饶 | ren 任 | rong 容戎荣 | ru 茹 | ruan 阮 | rui 瑞芮
sang 桑 | sha 沙 | shan 单 | shang 商尚 | shao 邵 | she 佘 | shen 沈申 | sheng 盛
shi 史师施时石 | shu 束淑舒 | shuai 帅 | si 司斯 | song 宋 | su 宿粟苏 | sui 隋
sun 孙 | suo 索 | tai 邰 | tan 檀谈谭 | tang 唐汤 | tao 涛陶 | teng 滕 | tian 田
ting 婷 | tong 仝佟童 | tu 屠涂 | wan 万 | wang 汪王 | wei 伟位卫危尉韦魏
wen 文温闻 | weng 翁 | wu 乌伍吴巫武邬 | xi 奚席 | xia 夏霞 | xian 冼鲜
xiang 向想相项香 | xiao 小萧 | xie 解谢 | xin 信欣辛鑫 | xing 幸邢 | xiong 熊
xiu 修秀 | xu 徐旭胥许 | xuan 宣 | xue 薛雪 | yan 严岩晏燕艳鄢阎颜 | yang 杨洋羊阳
yao 姚尧 | ye 冶叶 | yi 伊易衣 | yin 印尹殷银阴 | ying 应英莹颖 | yong 勇雍
you 尤游由 | yu 于余俞喻宇玉瑜禹虞郁 | yuan 元原苑袁 | yue 乐岳 | yun 云 | zan 昝
zang 臧 | zeng 曾 | zha 查 | zhai 翟 | zhan 展战湛詹 | zhang 张章 | zhao 赵
zhen 珍甄 | zheng 郑 | zhi 志支智植芝 | zhong 仲钟 | zhou 周 | zhu 朱祝诸
zhuang 庄 | zhuo 卓 | zong 宗 | zou 邹 | zu 祖 | zuo 左
"""


def parse_pinyin_table(text: str) -> dict[str, str]:
    """Parse :data:`_PINYIN_TABLE` into a ``{character: pinyin}`` mapping.

    Raises
    ------
    ValueError
        If an entry is malformed or a character is listed twice.
    """
    table: dict[str, str] = {}
    for entry in text.replace("\n", "|").split("|"):
        if not entry.strip():
            continue
        syllable, _, chars = entry.strip().partition(" ")
        if not (syllable.isascii() and syllable.isalpha() and syllable.islower() and chars.strip()):
            raise ValueError(f"malformed pinyin table entry: {entry!r}")
        for char in chars.strip():
            if char in table:
                raise ValueError(f"character {char!r} listed twice ({table[char]}, {syllable})")
            table[char] = syllable
    return table


PINYIN: dict[str, str] = parse_pinyin_table(_PINYIN_TABLE)


def romanize(name: str, locale: str) -> str | None:
    """Return the lowercase ASCII romanization of ``name``, or None if unknown.

    zh_CN names are romanized character by character with :data:`PINYIN` and
    the syllables joined without separator (``志强`` -> ``zhiqiang``); a name
    with a character missing from the table gives None. Other locales are
    lower-cased, accents are stripped and non-letters removed
    (``O'Neil`` -> ``oneil``).
    """
    if locale == "zh_CN":
        syllables = [PINYIN.get(char) for char in name]
        if any(s is None for s in syllables):
            return None
        return "".join(s for s in syllables if s is not None)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    romanized = "".join(c for c in ascii_name.lower() if c.isalpha())
    return romanized or None


@dataclass(frozen=True)
class PoolRow:
    """One row of a name pool CSV."""

    kind: str
    name: str
    weight: float
    romanized: str


@dataclass
class PoolStats:
    """Bookkeeping about one locale's pool, recorded in ``pools_meta.json``."""

    rows: dict[str, int]
    weighted: dict[str, bool]
    dropped: dict[str, list[str]]


def _weighted_entries(raw: Mapping[str, float] | Iterable[str]) -> tuple[list[tuple[str, float]], bool]:
    """Normalise a Faker list (weighted mapping or plain sequence) to (name, weight) pairs.

    Duplicate names are merged by summing their weights.
    """
    weighted = isinstance(raw, Mapping)
    pairs = list(raw.items()) if isinstance(raw, Mapping) else [(name, 1.0) for name in raw]
    merged: dict[str, float] = {}
    for name, weight in pairs:
        if not isinstance(name, str) or not name:
            raise ValueError(f"unexpected name in Faker list: {name!r}")
        if not weight > 0:
            raise ValueError(f"non-positive weight {weight!r} for {name!r}")
        merged[name] = merged.get(name, 0.0) + float(weight)
    return list(merged.items()), weighted


def build_pool(locale: str) -> tuple[list[PoolRow], PoolStats]:
    """Read Faker's person provider for ``locale`` and return the sorted pool rows."""
    module = importlib.import_module(SOURCE_TEMPLATE.format(locale=locale))
    provider = module.Provider
    rows: list[PoolRow] = []
    stats = PoolStats(rows={}, weighted={}, dropped={})
    for kind, attribute in KIND_ATTRIBUTES.items():
        entries, weighted = _weighted_entries(getattr(provider, attribute))
        kept: list[PoolRow] = []
        dropped: list[str] = []
        for name, weight in entries:
            romanized = romanize(name, locale)
            if romanized is None:
                dropped.append(name)
            else:
                kept.append(PoolRow(kind, name, weight, romanized))
        if not kept:
            raise ValueError(f"{locale}: no usable names for kind {kind!r}")
        rows.extend(kept)
        stats.rows[kind] = len(kept)
        stats.weighted[kind] = weighted
        stats.dropped[kind] = sorted(dropped)
    rows.sort(key=lambda r: (r.kind, -r.weight, r.name))
    return rows, stats


def render_csv(rows: Sequence[PoolRow]) -> str:
    """Render pool rows as CSV text (UTF-8 content, ``\\n`` line endings)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([row.kind, row.name, f"{row.weight:.{WEIGHT_DECIMALS}f}", row.romanized])
    return buffer.getvalue()


def faker_version() -> str:
    """Version string of the installed Faker distribution."""
    return importlib.metadata.version("faker")


def pool_filename(locale: str) -> str:
    """File name of the pool CSV for ``locale``."""
    return f"names_{locale}.csv"


def render_all(locales: Sequence[str] = LOCALES) -> dict[str, str]:
    """Build every output file in memory.

    Returns
    -------
    dict
        ``{file name: text}`` for the pool CSVs and ``pools_meta.json``.
    """
    outputs: dict[str, str] = {}
    meta_locales: dict[str, object] = {}
    for locale in locales:
        rows, stats = build_pool(locale)
        outputs[pool_filename(locale)] = render_csv(rows)
        meta_locales[locale] = {
            "source": SOURCE_TEMPLATE.format(locale=locale),
            "file": pool_filename(locale),
            "rows": stats.rows,
            "weighted": stats.weighted,
            "dropped_names": stats.dropped,
            "n_dropped": sum(len(v) for v in stats.dropped.values()),
        }
    meta = {
        "faker_version": faker_version(),
        "source": SOURCE_TEMPLATE.format(locale="<locale>"),
        "locales": meta_locales,
    }
    outputs[META_FILENAME] = json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return outputs


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same directory and ``os.replace``."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build_pii_pools.py",
        description=(
            "Snapshot Faker's zh_CN and en_US person-name lists into the CSV pools "
            "read by crmlab.simulate.pii (names_<locale>.csv + pools_meta.json). "
            "zh_CN names are romanized with a hand-written pinyin table; names with "
            "characters missing from it are dropped and counted in pools_meta.json."
        ),
        epilog="Output is deterministic for a given Faker version. Existing files are "
        "only replaced with --force; writes are atomic (temporary file + os.replace).",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="directory to write to (default: %(default)s)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="overwrite existing output files")
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the files in --out-dir differ from what would be built",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    args = _parse_args(argv)
    out_dir: Path = args.out_dir
    outputs = render_all()

    if args.check:
        stale = [
            name
            for name, text in outputs.items()
            if not (out_dir / name).is_file() or (out_dir / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"out of date: {out_dir / name}", file=sys.stderr)
        if not stale:
            print(f"up to date (Faker {faker_version()}): {', '.join(outputs)}")
        return 1 if stale else 0

    existing = [out_dir / name for name in outputs if (out_dir / name).exists()]
    if existing and not args.force:
        listing = "\n  ".join(str(p) for p in existing)
        print(f"refusing to overwrite existing files (use --force):\n  {listing}", file=sys.stderr)
        return 1

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in outputs.items():
        write_atomic(out_dir / name, text)
        print(f"wrote {out_dir / name}")
    meta = json.loads(outputs[META_FILENAME])
    for locale, info in meta["locales"].items():
        print(f"{locale}: rows {info['rows']}, dropped {info['n_dropped']} name(s) without romanization")
    return 0


if __name__ == "__main__":
    sys.exit(main())
