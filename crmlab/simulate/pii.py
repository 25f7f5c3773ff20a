"""Synthetic personally identifiable information (names, phones, e-mails).

Everything here is vectorised: a million people are drawn with a handful of
numpy draws and pandas string operations (pyarrow-backed ``str`` dtype), never
with a Python loop per row. Faker is *not* imported; its name lists were
snapshotted into ``crmlab/data/names_<locale>.csv`` by
``scripts/build_pii_pools.py``.

Generative model
----------------
* **Name** -- surname and given name drawn independently, each proportional to
  its pool weight (given names from the pool matching ``gender``). zh_CN names
  are written surname + given name without a space (``王志强``), en_US names as
  ``First Last``.
* **Phone** -- zh_CN: an 11-digit mobile number, a weighted valid 3-digit
  network prefix (13x, 15x, 166, 17x, 18x, 19x) followed by 8 uniform digits.
  en_US: ``(AAA) EEE-LLLL`` with ``AAA`` from a pool of real area codes,
  exchange ``EEE`` in 200-999 but never ``N11``, line number uniform.
  Numbers are random and may coincide with real ones, like Faker's.
* **E-mail** -- zh_CN: a QQ number (5-11 digits) at ``qq.com`` or a pinyin
  handle (``wang.zhiqiang88``, ``wang1987``, ...) at 163.com, 126.com,
  sina.com, foxmail.com or outlook.com. en_US: handles such as
  ``j.smith42`` or ``john.smith87`` at common US providers. Birth years feed
  the digits of some handles. E-mails (and, rarely, phones) are not unique.

Same generator state, same output: all draws are made in a fixed order with
full-length arrays, so the result depends only on ``rng`` and the inputs.

Examples
--------
>>> import numpy as np
>>> from crmlab.simulate.pii import draw_people, load_cities
>>> rng = np.random.default_rng(7)
>>> people = draw_people(rng, 3, gender=np.array(["female", "male", "male"]),
...                      birth_year=np.array([1990, 1975, 2001]))
>>> people.shape, list(people.columns)
((3, 3), ['name', 'phone', 'email'])
>>> bool(people["phone"].str.fullmatch(r"1[3-9]\\d{9}").all())
True
>>> int((load_cities()["tier"] == 1).sum())
4
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

__all__ = ["SUPPORTED_LOCALES", "GENDERS", "load_cities", "draw_people"]

SUPPORTED_LOCALES: tuple[str, ...] = ("zh_CN", "en_US")
"""Locales understood by :func:`draw_people`."""

GENDERS: tuple[str, ...] = ("female", "male")
"""Values accepted in the ``gender`` array of :func:`draw_people`."""

_PACKAGE = "crmlab"
_KINDS: tuple[str, ...] = ("surname", "given_male", "given_female")

# --- zh_CN phone prefixes: (prefix, relative weight) -------------------------
# Older 13x/15x/18x ranges dominate the installed base; 166, 17x and 19x are
# newer allocations (170/171 are virtual operators). Invalid ranges such as
# 154, 174 (satellite) and 194 are excluded.
_ZH_PHONE_PREFIXES: tuple[tuple[int, float], ...] = (
    *((p, 3.0) for p in range(130, 140)),
    *((p, 2.2) for p in (150, 151, 152, 153, 155, 156, 157, 158, 159)),
    (166, 1.0),
    *((p, 0.8) for p in (170, 171, 173, 175, 176, 177, 178)),
    *((p, 2.6) for p in range(180, 190)),
    *((p, 1.0) for p in (190, 191, 192, 193, 195, 196, 197, 198, 199)),
)

# --- en_US phone area codes (real NANP codes of large metro areas) -----------
_US_AREA_CODES: tuple[int, ...] = (
    201, 202, 206, 212, 213, 214, 215, 303, 305, 312, 313, 404, 407, 412, 415,
    469, 480, 503, 512, 602, 617, 646, 702, 713, 718, 720, 773, 786, 818, 832,
    857, 917, 919, 972,
)

# --- e-mail domains: domain -> weight ----------------------------------------
_ZH_QQ_DOMAIN = "qq.com"
_ZH_DOMAINS: Mapping[str, float] = {
    _ZH_QQ_DOMAIN: 0.40,  # local part is the QQ number
    "163.com": 0.27,
    "126.com": 0.12,
    "sina.com": 0.07,
    "foxmail.com": 0.07,
    "outlook.com": 0.07,
}
_EN_DOMAINS: Mapping[str, float] = {
    "gmail.com": 0.42,
    "yahoo.com": 0.14,
    "hotmail.com": 0.10,
    "outlook.com": 0.10,
    "icloud.com": 0.10,
    "aol.com": 0.06,
    "comcast.net": 0.04,
    "msn.com": 0.04,
}

# QQ numbers: digit count -> weight (most accounts have 9-10 digits).
_QQ_LENGTHS: Mapping[int, float] = {5: 0.005, 6: 0.02, 7: 0.06, 8: 0.15, 9: 0.38, 10: 0.36, 11: 0.025}

# Handle templates: tuples of tokens, each a component name ("sur", "given",
# "initial", "yyyy", "yy", "nn", "nnn"; see ``_emails``) or a literal.
# Weights are relative.
_Template = tuple[str, ...]
_ZH_HANDLES: Sequence[tuple[_Template, float]] = (
    (("sur", ".", "given", "nn"), 0.20),  # wang.zhiqiang88
    (("sur", "given"), 0.15),  # wangzhiqiang
    (("sur", "yyyy"), 0.15),  # wang1987
    (("sur", "given", "yyyy"), 0.15),  # wangzhiqiang1987
    (("given", "sur", "yy"), 0.10),  # zhiqiangwang87
    (("sur", "_", "given"), 0.10),  # wang_zhiqiang
    (("given", ".", "sur"), 0.05),  # zhiqiang.wang
    (("sur", "given", "nnn"), 0.10),  # wangzhiqiang520
)
_EN_HANDLES: Sequence[tuple[_Template, float]] = (
    (("initial", ".", "sur", "nn"), 0.20),  # j.smith42
    (("given", ".", "sur"), 0.20),  # john.smith
    (("given", "sur", "nn"), 0.15),  # johnsmith42
    (("given", ".", "sur", "yy"), 0.10),  # john.smith87
    (("given", "_", "sur"), 0.10),  # john_smith
    (("given", "yy"), 0.10),  # john87
    (("initial", "sur", "yyyy"), 0.15),  # jsmith1987
)


# ---------------------------------------------------------------------------
# data files
# ---------------------------------------------------------------------------
def _read_data_csv(filename: str, dtype: Mapping[str, str]) -> pd.DataFrame:
    """Read ``crmlab/data/<filename>`` with NA detection off ("nan" is pinyin)."""
    resource = resources.files(_PACKAGE) / "data" / filename
    with resource.open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=dict(dtype), na_filter=False)


@functools.cache
def _cities() -> pd.DataFrame:
    return _read_data_csv(
        "cities.csv",
        {
            "city": "str",
            "city_name_zh": "str",
            "city_name_en": "str",
            "province": "str",
            "province_name_zh": "str",
            "province_name_en": "str",
            "tier": "int64",
            "population_m": "float64",
            "lat": "float64",
            "lon": "float64",
        },
    )


def load_cities() -> pd.DataFrame:
    """Return the table of mainland Chinese cities shipped with crmlab.

    The file ``crmlab/data/cities.csv`` is read once (cached); every call
    returns a fresh copy that the caller may modify.

    Returns
    -------
    pandas.DataFrame
        One row per city with columns ``city`` (unique snake_case pinyin code,
        e.g. ``nanjing``; ``taizhou_jiangsu``/``taizhou_zhejiang`` disambiguate
        homophones), ``city_name_zh``, ``city_name_en``, ``province`` (pinyin
        code; ``shaanxi`` vs ``shanxi``, ``neimenggu``, ``xizang``),
        ``province_name_zh``, ``province_name_en``, ``tier`` (1 = 一线,
        2 = 新一线, 3 = 二线, 4 = 三线, 5 = 四线 and smaller), ``population_m``
        (approximate prefecture population in millions, 2020 census) and
        approximate ``lat``/``lon`` of the city centre.

    Examples
    --------
    >>> from crmlab.simulate.pii import load_cities
    >>> cities = load_cities()
    >>> cities.loc[cities["city"] == "nanjing", ["city_name_zh", "province", "tier"]].to_numpy().tolist()
    [['南京', 'jiangsu', 2]]
    >>> cities["province"].nunique()
    31
    """
    return _cities().copy()


_StrArray = pd.api.extensions.ExtensionArray
"""pandas ``str`` array; arrays (unlike Series) concatenate with ``+`` without index alignment."""


def _categorical_cdf(weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Cumulative weights normalised to end at exactly 1.0."""
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cdf / cdf[-1]


def _sample(cdf: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Map uniform draws ``u`` in [0, 1) to category indices of ``cdf``.

    Same result as ``searchsorted(cdf, u, side="right")`` (the first index
    whose cumulative weight exceeds ``u``), but through a guide table
    (Chen & Asau 1974): ``u`` picks one of ``M`` equal buckets whose first
    candidate index is precomputed, and only draws that fall past the next
    boundary inside their bucket step forward. With ``M`` = 8 x categories that
    is a few passes over a shrinking subset instead of a binary search per draw.
    """
    k = len(cdf)
    m = int(min(1 << 16, max(256, 8 * k)))
    guide = np.searchsorted(cdf, np.arange(m) / m, side="right")
    idx = guide[np.minimum((u * m).astype(np.int64), m - 1)]
    todo = np.flatnonzero((idx < k - 1) & (cdf[np.minimum(idx, k - 1)] <= u))
    while len(todo):
        idx[todo] += 1
        still = (idx[todo] < k - 1) & (cdf[idx[todo]] <= u[todo])
        todo = todo[still]
    return np.minimum(idx, k - 1)


@dataclass(frozen=True)
class _Names:
    """Aligned string arrays of one name list."""

    names: _StrArray
    romanized: _StrArray
    initial: _StrArray  # first letter of ``romanized``

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> _Names:
        romanized = frame["romanized"].astype("str")
        return cls(
            names=frame["name"].astype("str").array,
            romanized=romanized.array,
            initial=romanized.str.slice(0, 1).array,
        )


@dataclass(frozen=True)
class _LocalePools:
    """The name pools of one locale, ready for vectorised sampling."""

    surnames: _Names
    surname_cdf: np.ndarray
    given: _Names  # male given names first, then female ones
    male_cdf: np.ndarray
    female_cdf: np.ndarray

    def sample_surnames(self, u: np.ndarray) -> np.ndarray:
        return _sample(self.surname_cdf, u)

    def sample_given(self, u: np.ndarray, is_male: np.ndarray) -> np.ndarray:
        """Indices into :attr:`given`, from the pool matching each row's gender."""
        n_male = len(self.male_cdf)
        return np.where(is_male, _sample(self.male_cdf, u), n_male + _sample(self.female_cdf, u))


@functools.cache
def _pools(locale: str) -> _LocalePools:
    frame = _read_data_csv(
        f"names_{locale}.csv", {"kind": "str", "name": "str", "weight": "float64", "romanized": "str"}
    )
    parts = {kind: frame[frame["kind"] == kind].reset_index(drop=True) for kind in _KINDS}
    for kind, part in parts.items():
        if part.empty:
            raise RuntimeError(f"names_{locale}.csv has no rows of kind {kind!r}")
    given = pd.concat([parts["given_male"], parts["given_female"]], ignore_index=True)
    return _LocalePools(
        surnames=_Names.from_frame(parts["surname"]),
        surname_cdf=_categorical_cdf(parts["surname"]["weight"].to_numpy()),
        given=_Names.from_frame(given),
        male_cdf=_categorical_cdf(parts["given_male"]["weight"].to_numpy()),
        female_cdf=_categorical_cdf(parts["given_female"]["weight"].to_numpy()),
    )


# ---------------------------------------------------------------------------
# string helpers
# ---------------------------------------------------------------------------
_Component = Callable[[np.ndarray], _StrArray]  # row indices -> strings for those rows


def _ints_to_str(values: np.ndarray) -> _StrArray:
    return pd.Series(values, dtype=np.int64, copy=False).astype("str").array


def _zero_padded(values: np.ndarray, width: int) -> _StrArray:
    """Non-negative ints below ``10**width`` as zero-padded strings."""
    return pd.Series(_ints_to_str(values + 10**width)).str.slice(1).array


def _choice(rng: np.random.Generator, weights: Sequence[float], n: int) -> np.ndarray:
    """``n`` category indices drawn with probability proportional to ``weights``."""
    return _sample(_categorical_cdf(weights), rng.random(n))


def _by_group(group: np.ndarray, n_groups: int, build: Callable[[int, np.ndarray], _StrArray]) -> _StrArray:
    """Build one string per row, row ``i`` by ``build(group[i], rows)``.

    Rows are sorted by group, each group is built in one vectorised call on its
    row indices, and the concatenation is put back into row order.
    """
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    pieces = [pd.Series(build(g, order[bounds[g] : bounds[g + 1]])) for g in range(n_groups)]
    stacked = pd.concat(pieces, ignore_index=True).astype("str").array
    inverse = np.empty_like(order)
    inverse[order] = np.arange(len(order))
    return stacked.take(inverse)


def _render(template: _Template, components: Mapping[str, _Component], rows: np.ndarray) -> _StrArray:
    """Concatenate a handle template for the given rows."""
    out: _StrArray | str | None = None
    for token in template:
        part = components[token](rows) if token in components else token
        out = part if out is None else out + part
    if out is None or isinstance(out, str):
        raise ValueError(f"handle template {template!r} needs at least one component")
    return out


# ---------------------------------------------------------------------------
# fields
# ---------------------------------------------------------------------------
def _names(pools: _LocalePools, sur_idx: np.ndarray, giv_idx: np.ndarray, locale: str) -> _StrArray:
    surname = pools.surnames.names.take(sur_idx)
    given = pools.given.names.take(giv_idx)
    if locale == "zh_CN":
        return surname + given
    return given + " " + surname


def _zh_phones(rng: np.random.Generator, n: int) -> _StrArray:
    prefixes = np.array([p for p, _ in _ZH_PHONE_PREFIXES], dtype=np.int64)
    prefix = prefixes[_choice(rng, [w for _, w in _ZH_PHONE_PREFIXES], n)]
    subscriber = rng.integers(0, 10**8, size=n, dtype=np.int64)
    return _ints_to_str(prefix * 10**8 + subscriber)


def _us_phones(rng: np.random.Generator, n: int) -> _StrArray:
    area = np.asarray(_US_AREA_CODES, dtype=np.int64)[rng.integers(0, len(_US_AREA_CODES), size=n)]
    exchange = rng.integers(200, 1000, size=n, dtype=np.int64)
    exchange = np.where(exchange % 100 == 11, exchange + 1, exchange)  # no N11 service codes
    line = rng.integers(0, 10_000, size=n, dtype=np.int64)
    digits = pd.Series(_ints_to_str(area * 10**7 + exchange * 10**4 + line))
    return ("(" + digits.str.slice(0, 3) + ") " + digits.str.slice(3, 6) + "-" + digits.str.slice(6, 10)).array


def _emails(
    rng: np.random.Generator,
    locale: str,
    pools: _LocalePools,
    sur_idx: np.ndarray,
    giv_idx: np.ndarray,
    birth_year: np.ndarray,
) -> _StrArray:
    n = len(sur_idx)
    domains = _ZH_DOMAINS if locale == "zh_CN" else _EN_DOMAINS
    handles = _ZH_HANDLES if locale == "zh_CN" else _EN_HANDLES
    domain_names = pd.array(list(domains), dtype="str")
    domain_idx = _choice(rng, list(domains.values()), n)
    handle_idx = _choice(rng, [w for _, w in handles], n)
    two = rng.integers(10, 100, size=n, dtype=np.int64)
    three = rng.integers(100, 1000, size=n, dtype=np.int64)
    qq_len = np.asarray(list(_QQ_LENGTHS), dtype=np.int64)[_choice(rng, list(_QQ_LENGTHS.values()), n)]
    qq_low = 10 ** (qq_len - 1)
    qq = qq_low + np.floor(rng.random(n) * (10**qq_len - qq_low)).astype(np.int64)

    # group 0 = QQ number (zh_CN qq.com only), group 1 + k = handle template k
    qq_code = list(domains).index(_ZH_QQ_DOMAIN) if locale == "zh_CN" else -1
    group = np.where(domain_idx == qq_code, 0, 1 + handle_idx)

    # components are built lazily, only for the rows whose template uses them
    components: dict[str, _Component] = {
        "sur": lambda rows: pools.surnames.romanized.take(sur_idx[rows]),
        "given": lambda rows: pools.given.romanized.take(giv_idx[rows]),
        "initial": lambda rows: pools.given.initial.take(giv_idx[rows]),
        "yyyy": lambda rows: _ints_to_str(birth_year[rows]),
        "yy": lambda rows: _zero_padded(birth_year[rows] % 100, 2),
        "nn": lambda rows: _ints_to_str(two[rows]),
        "nnn": lambda rows: _ints_to_str(three[rows]),
    }

    def build(g: int, rows: np.ndarray) -> _StrArray:
        if g == 0:
            return _ints_to_str(qq[rows])
        return _render(handles[g - 1][0], components, rows)

    local = _by_group(group, 1 + len(handles), build)
    return local + "@" + domain_names.take(domain_idx)


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------
def _as_length(name: str, values: object, n: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name} must be a 1-d array of length n={n}, got shape {arr.shape}")
    return arr


def draw_people(
    rng: np.random.Generator,
    n: int,
    *,
    locale: str = "zh_CN",
    gender: np.ndarray,
    birth_year: np.ndarray,
    city: np.ndarray | None = None,
) -> pd.DataFrame:
    """Draw synthetic names, phone numbers and e-mail addresses.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness; the output is a deterministic function of its
        state and the other arguments.
    n : int
        Number of people (rows), ``n >= 0``.
    locale : {"zh_CN", "en_US"}, default "zh_CN"
        Naming, phone and e-mail conventions.
    gender : array-like of str, shape (n,)
        ``"female"`` or ``"male"`` per person; selects the given-name pool.
    birth_year : array-like of int, shape (n,)
        Four-digit birth years; some e-mail handles embed them
        (``wang1987@163.com``, ``john.smith87@gmail.com``).
    city : array-like of str, shape (n,), optional
        City codes from :func:`load_cities`. Accepted for future use (e.g.
        regional surname mixes); currently only its length is checked.

    Returns
    -------
    pandas.DataFrame
        ``n`` rows (RangeIndex) and columns ``name``, ``phone``, ``email``,
        all of pandas ``str`` dtype without missing values.

    Raises
    ------
    ValueError
        If ``locale`` is not supported, ``n`` is negative, an array's length
        differs from ``n``, ``gender`` holds a value other than "female" or
        "male", or ``birth_year`` is not a finite four-digit year.

    Examples
    --------
    >>> import numpy as np
    >>> from crmlab.simulate.pii import draw_people
    >>> gender = np.array(["female", "male"] * 2)
    >>> birth_year = np.array([1985, 1992, 1978, 2003])
    >>> zh = draw_people(np.random.default_rng(1), 4, gender=gender, birth_year=birth_year)
    >>> zh.dtypes.astype(str).tolist()
    ['str', 'str', 'str']
    >>> bool(zh["email"].str.contains("@").all())
    True
    >>> us = draw_people(np.random.default_rng(1), 4, locale="en_US", gender=gender, birth_year=birth_year)
    >>> bool(us["phone"].str.fullmatch(r"\\(\\d{3}\\) \\d{3}-\\d{4}").all())
    True
    >>> us.equals(draw_people(np.random.default_rng(1), 4, locale="en_US", gender=gender, birth_year=birth_year))
    True
    """
    if locale not in SUPPORTED_LOCALES:
        raise ValueError(f"unknown locale {locale!r}; supported locales: {', '.join(SUPPORTED_LOCALES)}")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")

    gender_arr = _as_length("gender", gender, n)
    is_male = np.asarray(gender_arr == "male", dtype=bool)
    bad_gender = ~(is_male | np.asarray(gender_arr == "female", dtype=bool))
    if bad_gender.any():
        examples = sorted({str(v) for v in gender_arr[bad_gender][:20]})
        raise ValueError(f"gender must be one of {GENDERS}, got {examples}")

    year_arr = _as_length("birth_year", birth_year, n)
    if year_arr.dtype.kind not in "iuf":
        raise ValueError(f"birth_year must be numeric, got dtype {year_arr.dtype}")
    if n and not (np.isfinite(year_arr).all() and (year_arr >= 1000).all() and (year_arr <= 9999).all()):
        raise ValueError("birth_year must contain finite four-digit years")
    if year_arr.dtype.kind == "f" and n and not (year_arr == np.floor(year_arr)).all():
        raise ValueError("birth_year must contain whole years")
    year_arr = year_arr.astype(np.int64)

    if city is not None:
        _as_length("city", city, n)

    pools = _pools(locale)
    sur_idx = pools.sample_surnames(rng.random(n))
    giv_idx = pools.sample_given(rng.random(n), is_male)

    name = _names(pools, sur_idx, giv_idx, locale)
    phone = _zh_phones(rng, n) if locale == "zh_CN" else _us_phones(rng, n)
    email = _emails(rng, locale, pools, sur_idx, giv_idx, year_arr)
    return pd.DataFrame({"name": name, "phone": phone, "email": email}).astype("str")
