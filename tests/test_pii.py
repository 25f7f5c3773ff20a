"""Tests for crmlab.simulate.pii, the shipped city table and the name pools."""

from __future__ import annotations

import doctest
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from crmlab.simulate import pii
from crmlab.simulate.pii import draw_people, load_cities

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "scripts" / "build_pii_pools.py"
LOCALES = ("zh_CN", "en_US")

ZH_PHONE = re.compile(r"^1[3-9]\d{9}$")
US_PHONE = re.compile(r"^\([2-9]\d{2}\) [2-9]\d{2}-\d{4}$")
EMAIL = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
VALID_ZH_PREFIXES = (
    set(range(130, 140))
    | {150, 151, 152, 153, 155, 156, 157, 158, 159, 166}
    | {170, 171, 173, 175, 176, 177, 178}
    | set(range(180, 190))
    | {190, 191, 192, 193, 195, 196, 197, 198, 199}
)


def _inputs(n: int, seed: int = 123) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    gender = rng.choice(np.array(["female", "male"]), size=n)
    birth_year = rng.integers(1940, 2010, size=n)
    return gender, birth_year


def _draw(locale: str, n: int, seed: int = 0) -> pd.DataFrame:
    gender, birth_year = _inputs(n)
    return draw_people(np.random.default_rng(seed), n, locale=locale, gender=gender, birth_year=birth_year)


def _pool(locale: str) -> pd.DataFrame:
    with (resources.files("crmlab") / "data" / f"names_{locale}.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, na_filter=False)


@pytest.fixture(scope="module")
def zh_people() -> pd.DataFrame:
    return _draw("zh_CN", 20_000)


@pytest.fixture(scope="module")
def us_people() -> pd.DataFrame:
    return _draw("en_US", 20_000)


@pytest.fixture(params=LOCALES)
def people(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    fixture = "zh_people" if request.param == "zh_CN" else "us_people"
    return request.param, request.getfixturevalue(fixture)


# ---------------------------------------------------------------------------
# draw_people: structure
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("n", [0, 1, 7, 5_000])
def test_shape_dtypes_and_no_nulls(locale: str, n: int) -> None:
    df = _draw(locale, n)
    assert df.shape == (n, 3)
    assert list(df.columns) == ["name", "phone", "email"]
    assert isinstance(df.index, pd.RangeIndex)
    for column in df.columns:
        assert df[column].dtype == "str", column
        assert not df[column].isna().any(), column
        assert (df[column].str.len() > 0).all(), column


@pytest.mark.parametrize("locale", LOCALES)
def test_deterministic_for_same_seed(locale: str) -> None:
    pd.testing.assert_frame_equal(_draw(locale, 3_000, seed=42), _draw(locale, 3_000, seed=42))


@pytest.mark.parametrize("locale", LOCALES)
def test_different_seeds_differ(locale: str) -> None:
    a, b = _draw(locale, 3_000, seed=1), _draw(locale, 3_000, seed=2)
    for column in a.columns:
        assert (a[column] != b[column]).mean() > 0.5, column


def test_generator_state_advances() -> None:
    gender, birth_year = _inputs(500)
    rng = np.random.default_rng(5)
    first = draw_people(rng, 500, gender=gender, birth_year=birth_year)
    second = draw_people(rng, 500, gender=gender, birth_year=birth_year)
    assert not first.equals(second)


# ---------------------------------------------------------------------------
# draw_people: field formats
# ---------------------------------------------------------------------------
def test_zh_phones(zh_people: pd.DataFrame) -> None:
    df = zh_people
    assert df["phone"].str.fullmatch(ZH_PHONE.pattern).all()
    prefixes = set(df["phone"].str.slice(0, 3).astype(int))
    assert prefixes <= VALID_ZH_PREFIXES
    assert len(prefixes) > 30  # the whole prefix table is in use
    assert df["phone"].nunique() > 0.99 * len(df)


def test_us_phones(us_people: pd.DataFrame) -> None:
    df = us_people
    assert df["phone"].str.fullmatch(US_PHONE.pattern).all()
    exchange = df["phone"].str.slice(6, 9)
    assert not exchange.str.endswith("11").any()  # no N11 service codes
    assert set(df["phone"].str.slice(1, 4).astype(int)) <= set(pii._US_AREA_CODES)


def test_emails_are_well_formed(people: tuple[str, pd.DataFrame]) -> None:
    locale, df = people
    assert df["email"].str.fullmatch(EMAIL.pattern).all()
    domains = set(df["email"].str.split("@").str[1])
    expected = pii._ZH_DOMAINS if locale == "zh_CN" else pii._EN_DOMAINS
    assert domains == set(expected)


def test_zh_email_styles(zh_people: pd.DataFrame) -> None:
    df = zh_people
    local, domain = df["email"].str.split("@").str[0], df["email"].str.split("@").str[1]
    qq = domain == "qq.com"
    assert 0.35 < qq.mean() < 0.45
    assert local[qq].str.fullmatch(r"[1-9]\d{4,10}").all()  # QQ numbers: 5-11 digits
    assert local[~qq].str.match(r"[a-z]").all()  # pinyin handles
    assert set(local[qq].str.len()) == set(range(5, 12))


def test_handles_embed_birth_year(people: tuple[str, pd.DataFrame]) -> None:
    locale, df = people
    _, birth_year = _inputs(len(df))
    local = df["email"].str.split("@").str[0]
    # letters followed by exactly four digits only arise from the "yyyy" token
    four = local.str.extract(r"^[a-z._]*[a-z](\d{4})$")[0]
    has_year = four.notna().to_numpy()
    assert 0.05 < has_year.mean() < 0.5
    assert (four[has_year].astype(int).to_numpy() == birth_year[has_year]).all()


def test_names_come_from_the_gendered_pools(people: tuple[str, pd.DataFrame]) -> None:
    locale, df = people
    gender, _ = _inputs(len(df))
    pool = _pool(locale)
    surnames = set(pool.loc[pool["kind"] == "surname", "name"])
    male = set(pool.loc[pool["kind"] == "given_male", "name"])
    female = set(pool.loc[pool["kind"] == "given_female", "name"])
    if locale == "en_US":
        parts = df["name"].str.split(" ")
        assert (parts.str.len() == 2).all()
        given, surname = parts.str[0], parts.str[1]
        assert surname.isin(surnames).all()
    else:
        assert not df["name"].str.contains(" ").any()
        # split off the longest matching surname (欧阳 before 欧)
        by_length = sorted(surnames, key=len, reverse=True)
        surname = df["name"].str.extract(f"^({'|'.join(map(re.escape, by_length))})")[0]
        assert surname.notna().all()
        given = pd.Series([n[len(s) :] for n, s in zip(df["name"], surname)])
    is_male = gender == "male"
    assert given[is_male].isin(male).all()
    assert given[~is_male].isin(female).all()


@pytest.mark.parametrize(("locale", "top"), [("zh_CN", 5), ("en_US", 5)])
def test_surname_frequencies_match_pool_weights(locale: str, top: int) -> None:
    n = 200_000
    df = _draw(locale, n, seed=2024)
    pool = _pool(locale)
    surnames = pool[pool["kind"] == "surname"].sort_values("weight", ascending=False)
    share = surnames["weight"] / surnames["weight"].sum()
    for name, expected in zip(surnames["name"].head(top), share.head(top)):
        if locale == "zh_CN":
            observed = df["name"].str.startswith(name).mean()
            # no other surname or given name starts with these characters
            assert sum(s.startswith(name) for s in surnames["name"]) == 1
        else:
            observed = df["name"].str.endswith(" " + name).mean()
        # binomial standard error at n=200k is < 0.0006; allow ~5 sigma
        assert observed == pytest.approx(expected, abs=0.003), name
    if locale == "zh_CN":
        assert share.iloc[0] == pytest.approx(7.17 / surnames["weight"].sum())
        assert surnames["name"].iloc[0] == "王"


# ---------------------------------------------------------------------------
# draw_people: validation
# ---------------------------------------------------------------------------
def test_unknown_locale_raises() -> None:
    gender, birth_year = _inputs(3)
    with pytest.raises(ValueError, match="unknown locale 'fr_FR'"):
        draw_people(np.random.default_rng(0), 3, locale="fr_FR", gender=gender, birth_year=birth_year)


@pytest.mark.parametrize("which", ["gender", "birth_year", "city"])
def test_mismatched_lengths_raise(which: str) -> None:
    gender, birth_year = _inputs(10)
    kwargs: dict[str, np.ndarray] = {
        "gender": gender,
        "birth_year": birth_year,
        "city": np.array(["nanjing"] * 10),
    }
    kwargs[which] = kwargs[which][:9]
    with pytest.raises(ValueError, match=which):
        draw_people(np.random.default_rng(0), 10, **kwargs)


@pytest.mark.parametrize(
    ("gender", "birth_year", "match"),
    [
        (["female", "other"], [1980, 1990], "gender must be one of"),
        ([1, 0], [1980, 1990], "gender must be one of"),
        (["female", "male"], [1980.0, np.nan], "four-digit"),
        (["female", "male"], [1980, 85], "four-digit"),
        (["female", "male"], [1980.5, 1990.0], "whole years"),
        (["female", "male"], ["1980", "1990"], "numeric"),
    ],
)
def test_invalid_values_raise(gender: list[object], birth_year: list[object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        draw_people(np.random.default_rng(0), 2, gender=np.array(gender), birth_year=np.array(birth_year))


def test_negative_n_raises() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        draw_people(np.random.default_rng(0), -1, gender=np.array([]), birth_year=np.array([]))


def test_accepts_city_and_list_inputs() -> None:
    df = draw_people(
        np.random.default_rng(0),
        2,
        gender=["male", "female"],  # type: ignore[arg-type]
        birth_year=[1990.0, 1970.0],  # type: ignore[arg-type]
        city=np.array(["nanjing", "suzhou"]),
    )
    assert df.shape == (2, 3)


def test_module_does_not_import_faker() -> None:
    code = "import sys, crmlab.simulate.pii; sys.exit('faker' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_docstring_examples() -> None:
    result = doctest.testmod(pii, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


# ---------------------------------------------------------------------------
# cities.csv
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cities() -> pd.DataFrame:
    return load_cities()


def test_cities_readable_via_importlib_resources() -> None:
    text = (resources.files("crmlab") / "data" / "cities.csv").read_text(encoding="utf-8")
    assert text.startswith("city,city_name_zh,city_name_en,province,")


def test_cities_columns_and_types(cities: pd.DataFrame) -> None:
    assert list(cities.columns) == [
        "city", "city_name_zh", "city_name_en", "province", "province_name_zh",
        "province_name_en", "tier", "population_m", "lat", "lon",
    ]  # fmt: skip
    assert not cities.isna().any().any()
    assert 130 <= len(cities) <= 160
    assert cities["city"].is_unique
    assert cities["city"].str.fullmatch(r"[a-z]+(?:_[a-z]+)*").all()
    assert cities["province"].str.fullmatch(r"[a-z]+(?:_[a-z]+)*").all()
    assert (cities["province"].str.len() > 0).all()
    assert (cities["province_name_zh"].str.len() > 0).all()
    assert cities["tier"].dtype == np.int64
    assert cities["tier"].between(1, 5).all()
    assert (cities["population_m"] > 0).all()
    assert cities["lat"].between(18, 54).all() and cities["lon"].between(73, 135).all()


def test_cities_tiers(cities: pd.DataFrame) -> None:
    tier1 = set(cities.loc[cities["tier"] == 1, "city"])
    assert tier1 == {"beijing", "shanghai", "guangzhou", "shenzhen"}
    assert 14 <= (cities["tier"] == 2).sum() <= 16
    assert set(cities["tier"]) == {1, 2, 3, 4, 5}


def test_cities_cover_all_provinces(cities: pd.DataFrame) -> None:
    assert cities["province"].nunique() == 31
    # each province code has exactly one Chinese and one English name
    assert (cities.groupby("province")[["province_name_zh", "province_name_en"]].nunique() == 1).all().all()
    municipalities = {"beijing", "shanghai", "tianjin", "chongqing"}
    assert municipalities <= set(cities["province"])
    for m in municipalities:
        row = cities[cities["city"] == m]
        assert row["province"].item() == m and row["province_name_zh"].item().endswith("市")
    per_province = cities.groupby("province").size().drop(list(municipalities))
    assert (per_province >= 2).mean() > 0.8


def test_cities_nanjing_and_jiangsu(cities: pd.DataFrame) -> None:
    nanjing = cities[cities["city"] == "nanjing"].iloc[0]
    assert (nanjing["city_name_zh"], nanjing["province"], nanjing["tier"]) == ("南京", "jiangsu", 2)
    assert (cities["province"] == "jiangsu").sum() >= 8


def test_load_cities_returns_a_copy() -> None:
    first = load_cities()
    first.loc[0, "city"] = "changed"
    assert load_cities().loc[0, "city"] != "changed"


# ---------------------------------------------------------------------------
# name pools and their build script
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("locale", LOCALES)
def test_pool_files_are_well_formed(locale: str) -> None:
    pool = _pool(locale)
    assert list(pool.columns) == ["kind", "name", "weight", "romanized"]
    assert set(pool["kind"]) == {"surname", "given_male", "given_female"}
    assert (pool["weight"] > 0).all()
    assert pool["romanized"].str.fullmatch(r"[a-z]+").all()  # also catches "nan" read as NaN
    assert not pool.duplicated(["kind", "name"]).any()


def _load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_pii_pools", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while executing it
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


def _rebuilt_pools() -> dict[str, str]:
    """The pools as the build script renders them with the installed Faker.

    Skips when that Faker is another release than the recorded one AND its name lists differ from
    the committed pools (they then come from another release, which is not an error); a Faker
    release whose lists are the same is compared in full.
    """
    pytest.importorskip("faker", reason="Faker is needed to rebuild the pools")
    data = resources.files("crmlab") / "data"
    meta = json.loads((data / "pools_meta.json").read_text(encoding="utf-8"))
    installed = importlib.metadata.version("faker")
    rendered = _load_build_script().render_all()
    names = [f for f in rendered if f.startswith("names_")]
    if installed != meta["faker_version"] and any((data / f).read_text(encoding="utf-8") != rendered[f] for f in names):
        pytest.skip(f"installed Faker {installed} gives other name lists than Faker {meta['faker_version']}, "
                    "recorded in pools_meta.json")
    return rendered


def test_committed_pools_match_build_script() -> None:
    data = resources.files("crmlab") / "data"
    rendered = _rebuilt_pools()
    installed = importlib.metadata.version("faker")
    for filename, text in rendered.items():
        committed = (data / filename).read_text(encoding="utf-8")
        if filename == "pools_meta.json":  # the same lists from another Faker release: all but the version agree
            committed, text = (json.loads(committed), json.loads(text))
            if committed["faker_version"] != installed:
                committed["faker_version"] = text["faker_version"]
        assert committed == text, filename


def test_pinyin_table_covers_faker_zh_names() -> None:
    meta = json.loads(_rebuilt_pools()["pools_meta.json"])
    assert meta["locales"]["zh_CN"]["n_dropped"] == 0


def test_build_script_cli(tmp_path: Path) -> None:
    pytest.importorskip("faker", reason="Faker is needed to run the build script")
    build = _load_build_script()
    out = ["--out-dir", str(tmp_path)]
    assert build.main(out) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["names_en_US.csv", "names_zh_CN.csv", "pools_meta.json"]  # no temp files left
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert build.main(out) == 1  # refuses to overwrite
    assert build.main([*out, "--check"]) == 0
    assert build.main([*out, "--force"]) == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    (tmp_path / "names_zh_CN.csv").write_text("stale\n", encoding="utf-8")
    assert build.main([*out, "--check"]) == 1


def test_build_script_romanization_and_table() -> None:
    build = _load_build_script()
    assert build.romanize("欧阳", "zh_CN") == "ouyang"
    assert build.romanize("志强", "zh_CN") == "zhiqiang"
    assert build.romanize("单", "zh_CN") == "shan"  # surname reading of a polyphone
    assert build.romanize("王㐀", "zh_CN") is None  # unknown character -> name dropped
    assert build.romanize("O'Neil", "en_US") == "oneil"
    with pytest.raises(ValueError, match="listed twice"):
        build.parse_pinyin_table("wang 王 | huang 王")


def test_build_script_help() -> None:
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    assert "--force" in result.stdout and "--check" in result.stdout
