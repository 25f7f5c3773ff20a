"""Property-based fuzzing (Hypothesis) of scenario values, mapping files and extract files.

The property, for any input: the command or function either succeeds (and
what it wrote is a valid dataset) or fails with one of crmlab's clear errors
- never a traceback, never the top-level handler's "unexpected error" line.
Examples are derandomized (the same on every run) and bounded: the whole
module takes well under a minute; ``CRMLAB_FUZZ_EXAMPLES`` raises the count
for a longer hunt.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import crmlab  # noqa: E402
from crmlab.cli import main  # noqa: E402
from crmlab.config import FIELD_RULES, OPTIONAL_FIELDS, Scenario, ScenarioError, get_scenario  # noqa: E402

N = int(os.environ.get("CRMLAB_FUZZ_EXAMPLES", "0")) or None


def fuzz(n: int):
    return settings(max_examples=N or n, deadline=None, derandomize=N is None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                           HealthCheck.filter_too_much, HealthCheck.data_too_large])


ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["abc", "", "2024-01-01", "2031-01-01", "1e400", "NaN", "zh_CN"]),
    st.lists(st.floats(allow_nan=True), max_size=6), st.lists(st.text(max_size=3), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["name", "share", "bogus"]), st.integers(), max_size=3), max_size=3),
)
FIELDS = [f.name for f in dataclasses.fields(Scenario)]


# ----------------------------------------------------------------------------- scenario values
@fuzz(300)
@given(st.dictionaries(st.sampled_from(FIELDS), ANY_VALUE, min_size=1, max_size=3))
def test_any_scenario_value_is_accepted_or_a_scenario_error(changes):
    try:
        sc = get_scenario("tiny", **changes)
    except ScenarioError as e:
        msg = str(e)
        assert "\n" not in msg, msg
        assert any(name in msg for name in changes) or "segments" in msg or "start .. end" in msg, msg
        return
    assert Scenario.from_dict(sc.to_dict()) == sc  # whatever is accepted round-trips through JSON


def _in_range(name: str):
    rule = FIELD_RULES[name]
    if rule.kind == "int":
        hi = min(rule.hi, 10**6)
        return st.integers(min_value=int(rule.lo) + (1 if rule.lo_open else 0), max_value=int(hi))
    return st.floats(min_value=rule.lo, max_value=rule.hi, exclude_min=rule.lo_open, exclude_max=rule.hi_open,
                     allow_nan=False)


_SIMULATED = sorted(set(FIELD_RULES) - {"seed", "n_customers", "n_stores", "chunk_size"})


@fuzz(12)
@given(st.lists(st.sampled_from(_SIMULATED), min_size=1, max_size=3, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({n: _in_range(n) for n in names})))
def test_every_accepted_value_simulates_a_valid_dataset(changes):
    try:
        sc = get_scenario("tiny", n_customers=120, n_stores=4, **changes)
    except ScenarioError:
        return  # a combination the cross-field rules refuse (e.g. full effect after the fade)
    data = crmlab.make_retail_crm(sc)
    out = Path(tempfile.mkdtemp()) / "d"
    try:
        crmlab.save_dataset(data, out)  # validates against the contract and the scenario's window
        crmlab.load_dataset(out)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


@fuzz(60)
@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_=[]{}\",.-0123456789: nul", max_size=30),
                min_size=1, max_size=4))
def test_any_set_option_is_a_clear_error(items):
    out = Path(tempfile.mkdtemp())
    try:
        argv = ["generate", "--preset", "tiny", "--n-customers", "60", "--out", str(out / "d"), "-q"]
        for item in items:
            argv += ["--set", item]
        code, err = _cli(argv)
        assert code in (0, 1, 2)
        assert "unexpected error" not in err and "Traceback" not in err, err
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _cli(argv):
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
    return code, err.getvalue()


# ----------------------------------------------------------------------------- mapping files
_TABLES = ["orders", "order_items", "customers", "products", "bogus"]
_KEYS = ["file", "sheet", "encoding", "sep", "columns", "date_format", "values", "defaults", "drop_duplicates", "x"]
_COLS = ["order_id", "customer_id", "order_ts", "channel", "status", "sku", "quantity", "unit_price", "line_no",
         "signup_date", "bogus"]
_FILE_COLS = ["id", "c", "t", "ch", "q", "p", "s", "zz"]
YAML_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, width=16),
                        st.sampled_from(["o.csv", "i.csv", "../o.csv", "../secret.csv", "nope.csv", "o.csv.gz", ",",
                                         ";", "whitespace", "gbk", "utf-8", "%Y-%m-%d", "web", "completed",
                                         "sub", "", "tab"]),
                        st.text(max_size=6))
TABLE_SPEC = st.fixed_dictionaries(
    {"file": st.sampled_from(["o.csv", "i.csv", "../o.csv", "../secret.csv", "SECRET", "nope.csv", "sub"])},
    optional={
        "columns": st.one_of(st.dictionaries(st.sampled_from(_COLS), st.sampled_from(_FILE_COLS) | YAML_SCALAR,
                                             max_size=6), YAML_SCALAR),
        "defaults": st.one_of(st.dictionaries(st.sampled_from(_COLS), YAML_SCALAR, max_size=3), YAML_SCALAR),
        "values": st.one_of(st.dictionaries(st.sampled_from(_COLS), st.dictionaries(st.text(max_size=3), YAML_SCALAR,
                                                                                        max_size=2), max_size=2),
                            YAML_SCALAR),
        "sep": YAML_SCALAR, "encoding": YAML_SCALAR, "sheet": YAML_SCALAR, "date_format": YAML_SCALAR,
        "drop_duplicates": YAML_SCALAR,
        "x": YAML_SCALAR,
    })
MAPPING = st.one_of(
    st.fixed_dictionaries({"tables": st.dictionaries(st.sampled_from(_TABLES), TABLE_SPEC | YAML_SCALAR, max_size=3)},
                          optional={"category": YAML_SCALAR, "name": YAML_SCALAR, "extra": YAML_SCALAR}),
    YAML_SCALAR, st.lists(YAML_SCALAR, max_size=3),
)
# a mapping that works, to mutate from
_GOOD = {"tables": {"orders": {"file": "o.csv", "columns": {"order_id": "id", "customer_id": "c", "order_ts": "t",
                                                             "channel": "ch"}, "defaults": {"status": "completed"}},
                    "order_items": {"file": "i.csv", "columns": {"order_id": "id", "sku": "s", "quantity": "q",
                                                                  "unit_price": "p"}}}}


def _extract_folder() -> Path:
    """``root/m/`` holds the extract (the mapping goes there); ``root/secret.csv`` is outside it."""
    root = Path(tempfile.mkdtemp())
    d = root / "m"
    (d / "sub").mkdir(parents=True)
    for folder in (d, root):
        (folder / "o.csv").write_text("id,c,t,ch\n1,A,2024-01-01 10:00,web\n2,B,2024-01-02,app\n")
        (folder / "i.csv").write_text("id,s,q,p\n1,X,1,9.5\n2,Y,2,3\n")
    (root / "secret.csv").write_text("id,TOPSECRET_c,t,ch\n1,TOPSECRET_v,2024-01-01,web\n")
    (d / "SECRET").symlink_to(root / "secret.csv")  # a link inside that leads out
    return d


def _mutate(changes):
    """The working mapping with some keys of some tables replaced."""
    import copy

    spec = copy.deepcopy(_GOOD)
    for t, k, v in changes:
        spec["tables"].setdefault(t, {"file": "o.csv"})[k] = v
    return spec


MUTATED = st.lists(st.tuples(st.sampled_from(_TABLES[:3]), st.sampled_from(_KEYS),
                             YAML_SCALAR | st.dictionaries(st.sampled_from(_COLS), YAML_SCALAR | st.sampled_from(
                                 _FILE_COLS), max_size=3)), min_size=0, max_size=3).map(_mutate)


@fuzz(120)
@given(st.one_of(MUTATED, MUTATED, MUTATED, MAPPING))
def test_any_mapping_file_is_a_clear_error_or_a_valid_import(spec):
    import yaml

    d = _extract_folder()
    try:
        (d / "m.yml").write_text(yaml.safe_dump(spec, allow_unicode=True))
        code, err = _cli(["import", "csv", "--map", str(d / "m.yml"), "--out", str(d / "out"), "-q"])
        assert code in (0, 1, 2), err
        assert "unexpected error" not in err and "Traceback" not in err, err
        if code == 0:
            crmlab.load_dataset(d / "out")
        else:
            assert not (d / "out").exists()
        assert "TOPSECRET" not in err  # nothing of a file outside the mapping's folder is quoted
    finally:
        shutil.rmtree(d.parent, ignore_errors=True)


# ----------------------------------------------------------------------------- extract files (CSV bytes)
_RETAIL_HEAD = b"Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
CELL = st.one_of(
    st.sampled_from([b"", b"1", b"-1", b"0", b"1e23", b"inf", b"-inf", b"nan", b"99999999999999999999999", b"1.5",
                     b"C489434", b"=1+1", b"@SUM(1)", b"2010-12-01 08:26", b"12/1/2010 8:26", b"1800-01-01 00:00",
                     b"2999-01-01 00:00", b"\xff\xfe", b'"', b"a,b", b"\t", b"\r", b"13085.0", b"POST"]),
    st.text(alphabet="0123456789.-+eE /:,CX", max_size=8).map(str.encode),
    st.binary(max_size=4),
)
_GOOD_RETAIL = (b"489434", b"85048", b"GLASS BALL", b"12", b"2010-12-01 07:45:00", b"6.95", b"13085.0",
                b"United Kingdom")
_GOOD_CDNOW = (b"00001", b"19970101", b"2", b"11.77")


def _line(good, sep):
    """A line of good cells, each replaced by a random one now and then."""
    return st.tuples(*[st.one_of(st.just(g), st.just(g), st.just(g), CELL) for g in good]).map(sep.join)


RETAIL_LINE = st.one_of(_line(_GOOD_RETAIL, b","), _line(_GOOD_RETAIL, b","),
                        st.lists(CELL, min_size=0, max_size=9).map(lambda cells: b",".join(cells)))
RETAIL_FILE = st.one_of(
    st.lists(RETAIL_LINE, min_size=0, max_size=6).map(lambda lines: _RETAIL_HEAD + b"\n".join(lines) + b"\n"),
    st.lists(RETAIL_LINE, min_size=1, max_size=6).map(lambda lines: _RETAIL_HEAD + b"\n".join(lines)),
    st.binary(max_size=200),
)
CDNOW_FILE = st.lists(_line(_GOOD_CDNOW, b"  "), min_size=0, max_size=6).map(lambda lines: b"\n".join(lines) + b"\n")


@fuzz(120)
@given(st.one_of(st.tuples(RETAIL_FILE, st.just("online-retail")), st.tuples(CDNOW_FILE, st.just("cdnow")),
                 st.tuples(RETAIL_FILE, st.just("cdnow"))),
       st.sampled_from([".csv", ".txt", ".csv.gz"]))
@example((_RETAIL_HEAD + b"\r,", "online-retail"), ".csv")  # found by this test: csv.Error in the truncation check
def test_any_extract_file_is_a_clear_error_or_a_valid_import(content_kind, suffix):
    import gzip

    content, kind = content_kind
    d = Path(tempfile.mkdtemp())
    try:
        f = d / f"extract{suffix}"
        f.write_bytes(gzip.compress(content) if suffix == ".csv.gz" and len(content) % 2 else content)
        code, err = _cli(["import", kind, str(f), "--out", str(d / "out"), "--format", "csv", "-q"])
        assert code in (0, 1, 2), err
        assert "unexpected error" not in err and "Traceback" not in err, err
        if code == 0:
            data = crmlab.load_dataset(d / "out")
            for df in data.values():
                for c in df.select_dtypes("number"):
                    assert df[c].dropna().map(lambda v: math.isfinite(v) and abs(v) <= 1e12).all()
        else:
            assert not (d / "out").exists()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_rules_cover_every_numeric_field():
    numeric = {f.name for f in dataclasses.fields(Scenario)
               if isinstance(getattr(get_scenario("tiny"), f.name), (int, float))
               and not isinstance(getattr(get_scenario("tiny"), f.name), bool)}
    assert numeric <= set(FIELD_RULES), numeric - set(FIELD_RULES)
    assert OPTIONAL_FIELDS <= set(FIELDS)
