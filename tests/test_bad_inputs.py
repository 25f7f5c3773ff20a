"""Every bad input of issue 11 is one clear error: exit code, a message naming the input, no traceback, nothing written.

Each case is a command line plus the files it needs; the test runs it through
``crmlab.cli.main`` (a few also as a real ``python -m crmlab`` process) and
checks the exit code, a fragment of the message, that stderr holds no
traceback, that the output folder was not created and that no hidden
leftover appears next to it.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

import crmlab
from crmlab.cli import main

ROOT = Path(__file__).resolve().parents[1]


# ----------------------------------------------------------------------------- fixtures: one small dataset, copied
@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A small synthetic dataset in CSV and in Parquet (copied into each case's folder)."""
    root = tmp_path_factory.mktemp("bad_inputs_base")
    data = crmlab.make_retail_crm("tiny", seed=1, n_customers=200)
    crmlab.save_dataset(data, root / "csv", format="csv")
    crmlab.save_dataset(data, root / "parquet", format="parquet")
    return root


def _copy(base: Path, d: Path, fmt: str = "csv") -> Path:
    t = d / "ds"
    shutil.copytree(base / fmt, t)
    return t


def _edit_csv(path: Path, column: str, value: str, row: int = 0) -> None:
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    df.to_csv(path, index=False)


def _manifest(t: Path, fn: Callable[[dict], object]) -> None:
    m = json.loads((t / "manifest.json").read_text())
    fn(m)
    (t / "manifest.json").write_text(json.dumps(m))


# ----------------------------------------------------------------------------- the cases
@dataclass
class Case:
    id: str
    argv: list[str]
    code: int | tuple[int, ...]
    fragment: str
    setup: Callable[[Path, Path], dict[str, str]] | None = None
    env: dict[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()  # text that must not appear in stderr (content of files outside a mapping's folder)


def gen(*extra: str) -> list[str]:
    return ["generate", "--preset", "tiny", "--n-customers", "200", "--out", "{out}", *extra]


def _scenario(content: str):
    def setup(d, base):
        (d / "sc.json").write_text(content)
        return {"sc": str(d / "sc.json")}
    return setup


def _dataset(edit: Callable[[Path], None], fmt: str = "csv"):
    def setup(d, base):
        t = _copy(base, d, fmt)
        edit(t)
        return {"ds": str(t)}
    return setup


def _corrupt_gz(t):
    (t / "survey.csv").unlink()
    (t / "survey.csv.gz").write_bytes(gzip.compress(b"response_id,customer_id\nR1,C1\n")[:20])


def _table_folder(t):
    (t / "orders.parquet").unlink()
    (t / "orders.parquet").mkdir()


def _cut_csv(t):
    lines = (t / "orders.csv").read_text().splitlines()
    (t / "orders.csv").write_text("\n".join(lines[:60]) + "\n")


def _before_signup(t):
    cid = pd.read_csv(t / "orders.csv", dtype=str).customer_id.iloc[0]
    c = pd.read_csv(t / "customers.csv", dtype=str, keep_default_na=False)
    c.loc[c.customer_id == cid, "signup_date"] = "2025-06-29"
    c.to_csv(t / "customers.csv", index=False)


def _outside_window(t):
    _edit_csv(t / "orders.csv", "order_ts", "2019-05-01 10:00:00")
    c = pd.read_csv(t / "customers.csv", dtype=str, keep_default_na=False)
    cid = pd.read_csv(t / "orders.csv", dtype=str).customer_id.iloc[0]
    c.loc[c.customer_id == cid, "signup_date"] = "2019-01-01"
    c.to_csv(t / "customers.csv", index=False)


def _file(name="afile"):
    def setup(d, base):
        (d / name).write_text("x")
        return {"file": str(d / name)}
    return setup


def _with_report(content: str):
    def setup(d, base):
        t = _copy(base, d)
        (t / "cleaning_report.json").write_text(content)
        return {"ds": str(t)}
    return setup


_ORDERS_MAP = ("    columns: {order_id: id, customer_id: c, order_ts: t, channel: ch}\n"
               "    defaults: {status: completed}\n")


def _mapping(extra: str = "", file: str = "o.csv", csv: str = "id,c,t,ch\n1,A,2024-01-01,web\n", sub: bool = False):
    def setup(d, base):
        folder = d / "sub" if sub else d
        folder.mkdir(exist_ok=True)
        (d / "o.csv").write_text(csv)
        (d / "secret.csv").write_text("TOPSECRET_COLUMN,b\nTOPSECRET_VALUE,2\n")
        (folder / "m.yml").write_text(f"tables:\n  orders:\n    file: {file}\n{extra}{_ORDERS_MAP}")
        return {"map": str(folder / "m.yml")}
    return setup


_RETAIL_HEAD = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"


def _retail(line: str):
    def setup(d, base):
        (d / "r.csv").write_text(_RETAIL_HEAD + line + "\n")
        return {"retail": str(d / "r.csv")}
    return setup


def _roster(ids: list[str]):
    def setup(d, base):
        (d / "roster.csv").write_text("student_id\n" + "\n".join(ids) + "\n")
        (d / "nb.txt").write_text("not a notebook")
        return {"roster": str(d / "roster.csv"), "nbtxt": str(d / "nb.txt")}
    return setup


def _key(content: str):
    def setup(d, base):
        (d / "k.json").write_text(content)
        (d / "nb.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
        return {"key": str(d / "k.json"), "nb": str(d / "nb.ipynb")}
    return setup


_ASSIGN = ["assignment", "--roster", "{roster}", "--out", "{out}", "--salt", "course-salt-123", "--no-keys"]

CASES = [
    # --- tracebacks of the issue: scenario values ------------------------------------------------------------
    *[Case(f"set-{s}", gen("--set", s), 2, s.split("=")[0]) for s in (
        "within_segment_noise=abc", "churn_window_days=abc", "segments=abc", "driver_weights=abcd",
        "basket_extra_items=-1", "loyalty_enrol_delay_days=-100")],
    # --- silently accepted scenario values ------------------------------------------------------------------
    *[Case(f"set-{s}", gen("--set", s), 2, s.split("=")[0]) for s in (
        "campaign_window_days=-10", "loyalty_points_expiry_days=-1", "basket_evening_boost=-5",
        "hr_late_delivery=Infinity", "p_coupon=NaN", "pii=1", "seed=1.5", "n_stores=true",
        "loyalty_enrol_base=1", "campaign_treated_share=0", "start=20240101", "loyalty_waves=[0.3]",
        "segments=[]", 'segments=[{"name": "a"}]', "survey_days=1e400")],
    *[Case(f"set-{f}=null", gen("--set", f"{f}=null"), 2, f"{f} cannot be null") for f in (
        "seed", "n_customers", "start", "hr_late_delivery", "segments")],
    # --- --scenario JSON shapes -----------------------------------------------------------------------------
    *[Case(f"scenario-{i}", gen("--scenario", "{sc}"), 2, frag, _scenario(content)) for i, (content, frag) in
      enumerate([("[1]", "must hold a JSON object"), ('"x"', "must hold a JSON object"),
                 ('{"scenario":null}', "'scenario' is null"), ('{"scenario":[1]}', "'scenario' must be a JSON object"),
                 ('{"segments":"ab"}', "segments"), ('{"segments":[{"name":"a"}]}', "segments[0]: missing field"),
                 ('{"segments":[1, 2]}', "segments[0]"), ('{"bogus": 1}', "unknown scenario field"),
                 ("{not json", "not valid JSON"), ("[" * 100000, "not valid JSON"),
                 ('{"preset": "tiny", "overrides": [1]}', "'overrides' must be")])],
    Case("scenario-folder", gen("--scenario", "{sc}"), 2, "is a folder",
         lambda d, b: (d / "scd").mkdir() or {"sc": str(d / "scd")}),
    # --- options --------------------------------------------------------------------------------------------
    Case("jobs-0", gen("--jobs", "0"), 2, "--jobs: must be > 0"),
    Case("jobs--1", gen("--jobs", "-1"), 2, "--jobs: must be > 0"),
    Case("run-timeout-0", ["run", "00", "--out", "{out}", "--timeout", "0"], 2, "--timeout: must be > 0"),
    Case("run-out-a-file", ["run", "00", "--out", "{file}"], 2, "exists and is not a folder", _file()),
    Case("run-out-under-a-file", ["run", "00", "--out", "{file}/x"], 2, "is a file, not a folder", _file()),
    Case("generate-out-a-file", gen()[:-1] + ["{file}"], 2, "exists and is not a folder", _file()),
    Case("describe-CRMLAB_DATA-a-file", ["describe", "tiny"], 1, "CRMLAB_DATA", _file("home"),
         env={"CRMLAB_DATA": "{file}"}),
    # --- validate: shapes of manifest.json ------------------------------------------------------------------
    Case("manifest-a-list", ["validate", "{ds}"], 1, "manifest.json: must be a JSON object",
         _dataset(lambda t: (t / "manifest.json").write_text("[1]"))),
    Case("manifest-files-a-list", ["validate", "{ds}"], 1, "'files' must map file names",
         _dataset(lambda t: _manifest(t, lambda m: m.update(files=[1, 2])))),
    Case("manifest-files-holds-a-string", ["validate", "{ds}"], 1, "files.orders.csv must be an object",
         _dataset(lambda t: _manifest(t, lambda m: m["files"].update({"orders.csv": "x"})))),
    Case("manifest-rows-not-a-number", ["validate", "{ds}"], 1, "rows must be a non-negative whole number",
         _dataset(lambda t: _manifest(t, lambda m: m["files"]["orders.csv"].update(rows="many")))),
    Case("manifest-truncated", ["validate", "{ds}"], 1, "manifest.json is not valid JSON",
         _dataset(lambda t: (t / "manifest.json").write_text('{"files": {'))),
    Case("manifest-scenario-a-list", ["describe", "{ds}"], 1, "'scenario' must be an object",
         _dataset(lambda t: _manifest(t, lambda m: m.update(scenario=[1])))),
    Case("manifest-nested-too-deeply", ["validate", "{ds}"], 1, "manifest.json is not valid JSON",
         _dataset(lambda t: (t / "manifest.json").write_text("[" * 100000))),
    Case("manifest-scenario-invalid", ["describe", "{ds}"], 1, "scenario recorded in manifest.json is invalid",
         _dataset(lambda t: _manifest(t, lambda m: m["scenario"].update(seed="x")))),
    Case("manifest-file-name-with-a-path", ["validate", "{ds}"], 1, "not a plain file name",
         _dataset(lambda t: _manifest(t, lambda m: m["files"].update({"../x.csv": {"sha256": "0"}})))),
    # --- validate: files ------------------------------------------------------------------------------------
    Case("corrupt-csv-gz", ["validate", "{ds}"], 1, "survey.csv.gz: truncated or corrupt gzip", _dataset(_corrupt_gz)),
    Case("huge-quantity", ["validate", "{ds}"], 1, "integer out of range",
         _dataset(lambda t: _edit_csv(t / "order_items.csv", "quantity", "99999999999999999999999"))),
    Case("huge-quantity-describe", ["describe", "{ds}"], 1, "integer out of range",
         _dataset(lambda t: _edit_csv(t / "order_items.csv", "quantity", "99999999999999999999999"))),
    Case("inf-price", ["validate", "{ds}"], 1, "not a finite number",
         _dataset(lambda t: _edit_csv(t / "order_items.csv", "unit_price", "inf"))),
    Case("date-1800", ["validate", "{ds}"], 1, "impossible date",
         _dataset(lambda t: _edit_csv(t / "orders.csv", "order_ts", "1800-01-01 10:00:00"))),
    Case("date-2999", ["validate", "{ds}"], 1, "impossible date",
         _dataset(lambda t: _edit_csv(t / "orders.csv", "order_ts", "2999-01-01 10:00:00"))),
    Case("signup-2999", ["validate", "{ds}"], 1, "impossible date",
         _dataset(lambda t: _edit_csv(t / "customers.csv", "signup_date", "2999-01-01"))),
    Case("order-before-signup", ["validate", "{ds}"], 1, "before the customer's signup_date",
         _dataset(_before_signup)),
    Case("order-outside-the-window", ["validate", "{ds}"], 1, "outside the simulated window",
         _dataset(_outside_window)),
    Case("listed-table-missing", ["validate", "{ds}"], 1, "listed in manifest.json but missing",
         _dataset(lambda t: (t / "survey.csv").unlink())),
    Case("table-file-a-folder", ["validate", "{ds}"], 1, "orders.parquet: is not a file",
         _dataset(_table_folder, "parquet")),
    Case("csv-cut-at-a-line", ["validate", "{ds}"], 1, "manifest.json says", _dataset(_cut_csv)),
    Case("csv-edited", ["validate", "{ds}"], 1, "checksum",
         _dataset(lambda t: _edit_csv(t / "stores.csv", "name", "renamed"))),
    Case("truncated-truth", ["describe", "{ds}"], 1, "checksum",
         _dataset(lambda t: (t / "truth.json").write_text((t / "truth.json").read_text()[:50]))),
    # --- scorecard ------------------------------------------------------------------------------------------
    Case("cleaning-report-a-list", ["scorecard", "{ds}"], 1, "cleaning_report.json: must be a JSON object",
         _with_report("[1]")),
    Case("cleaning-report-profile", ["scorecard", "{ds}"], 1, "profile.",
         _with_report('{"profile": {"duplicate_row_share": "many"}}')),
    Case("cleaning-report-not-json", ["scorecard", "{ds}"], 1, "not valid JSON", _with_report("{")),
    Case("cleaning-report-nested-too-deeply", ["scorecard", "{ds}"], 1, "not valid JSON", _with_report("[" * 100000)),
    Case("scorecard-plot-bad-name", ["scorecard", "{ds}", "--plot", "{out}.gif"], 2, ".png, .pdf or .svg",
         _dataset(lambda t: None)),
    # --- import: mappings -----------------------------------------------------------------------------------
    Case("mapping-sep-12", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "tables.orders.sep",
         _mapping("    sep: 12\n")),
    Case("mapping-sep-letter", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "tables.orders.sep",
         _mapping("    sep: x\n")),
    Case("mapping-encoding-list", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "encoding",
         _mapping("    encoding: [1]\n")),
    Case("mapping-drop-duplicates-text", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "drop_duplicates",
         _mapping("    drop_duplicates: sometimes\n")),
    Case("mapping-absolute-system-file", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1,
         "outside the mapping's folder", _mapping(file="/etc/passwd"), absent=("root:",)),
    Case("mapping-dotdot", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "outside the mapping's folder",
         _mapping(file="../secret.csv", sub=True), absent=("TOPSECRET",)),
    Case("mapping-nested-too-deeply", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "nested too deeply",
         lambda d, b: (d / "m.yml").write_text("[" * 50000) and {"map": str(d / "m.yml")}),
    Case("mapping-python-tag", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "not valid YAML",
         lambda d, b: (d / "m.yml").write_text("!!python/object/apply:os.system ['echo hi']\n")
         and {"map": str(d / "m.yml")}),
    Case("mapping-sheet-on-csv", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "not an Excel workbook",
         _mapping("    sheet: one\n")),
    Case("mapping-date-1800", ["import", "csv", "--map", "{map}", "--out", "{out}"], 1, "impossible date",
         _mapping(csv="id,c,t,ch\n1,A,1800-01-01,web\n")),
    # --- import: extracts -----------------------------------------------------------------------------------
    Case("import-1e23-quantity", ["import", "online-retail", "{retail}", "--out", "{out}"], 1, "out of range",
         _retail("1,A,x,1e23,2010-01-01 10:00,1.0,5,UK")),
    Case("import-inf-price", ["import", "online-retail", "{retail}", "--out", "{out}"], 1, "out of range",
         _retail("1,A,x,1,2010-01-01 10:00,inf,5,UK")),
    Case("import-huge-price", ["import", "online-retail", "{retail}", "--out", "{out}"], 1, "out of range",
         _retail("1,A,x,1,2010-01-01 10:00,1e300,5,UK")),
    Case("import-date-1800", ["import", "online-retail", "{retail}", "--out", "{out}"], 1, "impossible date",
         _retail("1,A,x,1,1800-01-01 10:00,1.0,5,UK")),
    Case("import-date-2999", ["import", "online-retail", "{retail}", "--out", "{out}"], 1, "impossible date",
         _retail("1,A,x,1,2999-01-01 10:00,1.0,5,UK")),
    Case("import-sheet-on-csv", ["import", "online-retail", "{retail}", "--out", "{out}", "--sheet", "x"], 1,
         "not an Excel workbook", _retail("1,A,x,1,2010-01-01 10:00,1.0,5,UK")),
    Case("import-cdnow-sheet", ["import", "cdnow", "{retail}", "--out", "{out}", "--sheet", "x"], 2,
         "does not apply to cdnow", _retail("1,A,x,1,2010-01-01 10:00,1.0,5,UK")),
    # --- teaching -------------------------------------------------------------------------------------------
    Case("roster-case-clash", _ASSIGN + ["--notebooks", "01"], 2, "upper/lower case", _roster(["s001", "S001"])),
    Case("roster-reserved-name", _ASSIGN + ["--notebooks", "01"], 2, "reserved device names", _roster(["CON"])),
    Case("roster-trailing-dot", _ASSIGN + ["--notebooks", "01"], 2, "end with '.'", _roster(["s001."])),
    Case("assignment-notebooks-42", _ASSIGN + ["--notebooks", "42"], (1, 2), "42", _roster(["s001"])),
    Case("assignment-notebooks-a-text-file", _ASSIGN + ["--notebooks", "{nbtxt}"], (1, 2), "nb.txt",
         _roster(["s001"])),
    Case("grade-key-a-list", ["grade", "{nb}", "--key", "{key}"], (1, 2), "k.json", _key("[1]")),
    Case("grade-key-answers-a-string", ["grade", "{nb}", "--key", "{key}"], (1, 2), "", _key('{"answers": "x"}')),
    Case("assignment-timeout-0", _ASSIGN + ["--notebooks", "01", "--timeout", "0"], 2, "--timeout: must be > 0",
         _roster(["s001"])),
]


def _fill(text: str, subs: dict[str, str]) -> str:
    for k, v in subs.items():
        text = text.replace("{" + k + "}", v)
    return text


def _snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")}


def _run(case: Case, tmp_path: Path, base: Path, monkeypatch, capsys) -> tuple[int, str, str, dict[str, str]]:
    subs = {"out": str(tmp_path / "out")}
    if case.setup:
        subs.update(case.setup(tmp_path, base))
    for k, v in case.env.items():
        monkeypatch.setenv(k, _fill(v, subs))
    argv = [_fill(a, subs) for a in case.argv]
    before = _snapshot(tmp_path)
    try:
        code = main(argv)
    except SystemExit as e:  # argparse refuses an option value
        code = e.code
    out, err = capsys.readouterr()
    assert _snapshot(tmp_path) == before, "the command wrote or changed files"
    return code, out, err, subs


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_clear_error(case, tmp_path, base, monkeypatch, capsys):
    code, out, err, subs = _run(case, tmp_path, base, monkeypatch, capsys)
    codes = case.code if isinstance(case.code, tuple) else (case.code,)
    assert code in codes, err
    assert "Traceback" not in err and 'File "' not in err
    assert any(line.startswith(f"crmlab {case.argv[0]}: ") for line in err.splitlines()), err
    assert case.fragment in err, err
    assert not Path(subs["out"]).exists()
    for text in case.absent:
        assert text not in err and text not in out


def test_unexpected_errors_are_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    import crmlab.cli.data as data_cli

    def boom(args):
        raise ZeroDivisionError("division by zero deep inside")

    monkeypatch.setattr(data_cli, "cmd_validate", boom)
    import crmlab.cli as cli

    parser = cli.build_parser()
    args = parser.parse_args(["validate", str(tmp_path / "x")])
    args.func = boom
    assert cli.run_command(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"crmlab validate: unexpected error with {tmp_path / 'x'}: ZeroDivisionError: division by zero" in err
    assert "--debug" in err
    args = parser.parse_args(["validate", str(tmp_path / "x"), "--debug"])
    args.func = boom
    assert cli.run_command(args) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and err.strip().endswith(
        "(an input crmlab does not check yet, or a bug; --debug shows the traceback)")
    args = parser.parse_args(["--debug", "validate", str(tmp_path / "x")])
    assert args.debug is True


@pytest.mark.parametrize("argv,fragment", [
    (["generate", "--preset", "tiny", "--out", "{out}", "--set", "segments=abc"], "segments"),
    (["validate", "{file}"], "is a file"),
])
def test_real_process_prints_no_traceback(tmp_path, argv, fragment):
    (tmp_path / "afile").write_text("x")
    subs = {"out": str(tmp_path / "out"), "file": str(tmp_path / "afile")}
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "crmlab", *[a.format(**subs) for a in argv]], capture_output=True,
                       text=True, env=env, timeout=120)
    assert p.returncode in (1, 2) and fragment in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


# ----------------------------------------------------------------------------- library calls
def test_truncated_truth_json_names_the_file(tmp_path, base):
    t = _copy(base, tmp_path)
    (t / "truth.json").write_text((t / "truth.json").read_text()[:100])
    with pytest.raises(crmlab.DatasetError, match=r"truth\.json.*not valid JSON"):
        with pytest.warns(UserWarning, match="checksum"):
            crmlab.load_dataset(t, validate=False)


def test_truth_json_of_the_wrong_shape(tmp_path, base):
    t = _copy(base, tmp_path)
    (t / "truth.json").write_text("[1]")
    with pytest.raises(crmlab.DatasetError, match=r"truth\.json: must be a JSON object"):
        with pytest.warns(UserWarning, match="checksum"):
            crmlab.load_dataset(t, validate=False)


def test_set_null_for_an_optional_field_means_its_default(tmp_path, monkeypatch):
    out = tmp_path / "d"
    assert main(["generate", "--preset", "tiny", "--n-customers", "100", "--out", str(out), "-q",
                 "--set", "campaign_date=null", "--set", "survey_start=null"]) == 0
    sc = json.loads((out / "manifest.json").read_text())["scenario"]
    assert sc["campaign_date"] is None and sc["survey_start"] is None


def test_scenario_file_of_the_classroom_dataset_is_accepted(tmp_path):
    out = tmp_path / "d"
    sc = tmp_path / "sc.json"
    sc.write_text(json.dumps({"preset": "tiny", "overrides": {"seed": 3, "n_customers": 100}}))
    assert main(["generate", "--scenario", str(sc), "--out", str(out), "-q"]) == 0
    assert json.loads((out / "manifest.json").read_text())["scenario"]["seed"] == 3


def test_mapping_outside_paths_with_the_explicit_option(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "o.csv").write_text("id,c,t,ch\n1,A,2024-01-01,web\n")
    (tmp_path / "sub" / "m.yml").write_text(f"tables:\n  orders:\n    file: ../o.csv\n{_ORDERS_MAP}")
    out = tmp_path / "out"
    args = ["import", "csv", "--map", str(tmp_path / "sub" / "m.yml"), "--out", str(out), "-q"]
    assert main(args) == 1 and not out.exists()
    assert main(args + ["--allow-outside-paths"]) == 0
    assert len(crmlab.load_dataset(out).orders) == 1


def test_errors_never_quote_a_file_outside_the_mapping_folder(tmp_path, capsys):
    (tmp_path / "sub").mkdir()
    (tmp_path / "o.csv").write_text("id,c,t,ch\n1,TOPSECRET_A,TOPSECRET_DATE,web\n2,TOPSECRET_B,2024-01-01,fax\n")
    (tmp_path / "sub" / "m.yml").write_text(f"tables:\n  orders:\n    file: ../o.csv\n{_ORDERS_MAP}")
    out = tmp_path / "out"
    code = main(["import", "csv", "--map", str(tmp_path / "sub" / "m.yml"), "--out", str(out), "-q",
                 "--allow-outside-paths"])
    err = capsys.readouterr().err
    assert code == 1 and "o.csv" in err and "line 2" in err and "not shown" in err
    assert "TOPSECRET" not in err and not out.exists()


def test_mapping_separator_names(tmp_path):
    (tmp_path / "o.csv").write_text("id;c;t;ch\n1;A;2024-01-01;web\n")
    for sep in ("';'", "semicolon"):
        (tmp_path / "m.yml").write_text(f"tables:\n  orders:\n    file: o.csv\n    sep: {sep}\n{_ORDERS_MAP}")
        data = crmlab.load_extract(tmp_path / "m.yml")
        assert data.orders.order_id.tolist() == ["1"]


FORMULAS = ["=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tTAB",
            "\rCR", "'=already quoted"]


def test_csv_formula_injection_is_neutralised_on_import_and_round_trips(tmp_path):
    rows = "\n".join(f'{i},"{v}",2024-01-0{i % 9 + 1},web' for i, v in enumerate(
        [f.replace('"', '""') for f in FORMULAS], start=1))
    (tmp_path / "o.csv").write_text("id,c,t,ch\n" + rows + "\n")
    (tmp_path / "m.yml").write_text(f"tables:\n  orders:\n    file: o.csv\n{_ORDERS_MAP}")
    out = tmp_path / "out"
    assert main(["import", "csv", "--map", str(tmp_path / "m.yml"), "--out", str(out), "--format", "csv", "-q"]) == 0
    raw = set(pd.read_csv(out / "customers.csv", dtype=str, keep_default_na=False)["customer_id"])
    cells = [v.strip() for v in FORMULAS]  # the importer strips surrounding white space
    assert raw == {("'" + v if v[0] in "=+-@'" else v) for v in cells}  # a spreadsheet shows them as text
    back = crmlab.load_dataset(out).customers["customer_id"]
    assert sorted(back) == sorted(v.strip() for v in FORMULAS)  # crmlab reads its own quoting back


def test_numbers_and_plain_text_are_not_quoted(tmp_path, base):
    t = _copy(base, tmp_path)
    items = pd.read_csv(t / "order_items.csv", dtype=str)
    assert not items["unit_price"].str.startswith("'").any()
    from crmlab.io import csv_safe

    df = pd.DataFrame({"code": ["-12", "+3.5", "-1e5", "x-1", "=A1"], "n": [-1.5, 2, 3, 4, 5]})
    assert csv_safe(df)["code"].tolist() == ["-12", "+3.5", "-1e5", "x-1", "'=A1"]
    assert csv_safe(df)["n"].tolist() == df["n"].tolist()


def test_online_retail_export_is_neutralised(tmp_path):
    from crmlab.extracts import export_online_retail

    data = crmlab.make_retail_crm("tiny", seed=1, n_customers=100)
    products = data.products.copy()
    products.loc[0, "name"] = "=HYPERLINK(\"http://evil\")"
    data = crmlab.Dataset({**data.tables, "products": products})
    sku = products.loc[0, "sku"]
    if sku not in set(data.order_items.sku):
        pytest.skip("the first product was never sold")
    p = export_online_retail(data, tmp_path / "x.csv")
    desc = pd.read_csv(p, dtype=str)["Description"]
    assert (desc == "'=HYPERLINK(\"http://evil\")").any() and not desc.str.startswith("=").any()


def test_student_id_checks():
    from crmlab.teaching.roster import check_student_ids

    check_student_ids(["s001", "s002", "S003", "con1", "a.b"])
    for bad in (["s001", "S001"], ["CON"], ["nul.txt"], ["s001."], ["com7"], ["a b"]):
        with pytest.raises(ValueError, match="roster"):
            check_student_ids(bad)


def test_scorecard_library_refuses_a_bad_report(tiny):
    from crmlab.realism import scorecard

    with pytest.raises(ValueError, match="cleaning must be a cleaning report"):
        scorecard(tiny, cleaning=[1])
    with pytest.raises(ValueError, match="duplicate_row_share"):
        scorecard(tiny, cleaning={"profile": {"duplicate_row_share": 7}})
