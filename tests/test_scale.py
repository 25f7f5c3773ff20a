"""crmlab.scale: partitioned generation (Dask and local processes), the lazy dataset, streaming checks, SQL facts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import crmlab
from crmlab.analysis.rfm import rfm_table
from crmlab.dataset import Dataset, LazyDataset
from crmlab.realism import stylized_facts
from crmlab.schema import CONTRACT, ValidationError
from crmlab.scale import (
    describe_partitioned,
    generate_partitioned,
    rfm_table_sql,
    stylized_facts_sql,
    validate_partitioned,
)

ROOT = Path(__file__).resolve().parent.parent
SEED, CHUNK = 1, 300  # tiny: 800 customers -> 3 chunks


def canonical(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Rows in key order (the parts of time-numbered tables follow the chunks, not the ids)."""
    key = list(CONTRACT[table].key) if table in CONTRACT else ["customer_id"]
    return df.sort_values(key, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def in_memory():
    return crmlab.make_retail_crm("tiny", seed=SEED, chunk_size=CHUNK)


@pytest.fixture(scope="module")
def parted(tmp_path_factory):
    """The same scenario on a local Dask cluster with 2 workers."""
    out = tmp_path_factory.mktemp("scale") / "tiny"
    run = generate_partitioned("tiny", out, engine="dask", n_workers=2, chunk_size=CHUNK, seed=SEED)
    return out, run


def test_dask_output_equals_in_process_dataset(parted, in_memory):
    out, run = parted
    assert run.engine == "dask" and run.n_chunks == 3 and run.n_workers == 2
    lazy = crmlab.load_dataset(out)
    assert isinstance(lazy, LazyDataset)
    assert list(lazy) == list(in_memory)
    for name in in_memory:
        assert len(lazy.parts(name)) == (1 if name in ("stores", "products") else 3)
        pd.testing.assert_frame_equal(canonical(lazy.table(name), name), canonical(in_memory[name], name),
                                      obj=name)
    # tables numbered per customer come out in the very same order
    for name in ("customers", "loyalty", "points_ledger", "campaigns"):
        pd.testing.assert_frame_equal(lazy.table(name), in_memory[name], obj=name)
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == in_memory.truth
    assert lazy.truth == in_memory.truth
    pd.testing.assert_frame_equal(lazy.truth_customers, in_memory.truth_customers)


def test_process_engine_writes_the_same_files(parted, tmp_path):
    out, _ = parted
    run = generate_partitioned("tiny", tmp_path / "p", engine="process", chunk_size=CHUNK, seed=SEED)
    a = json.loads((out / "manifest.json").read_text())["files"]
    b = json.loads((run.path / "manifest.json").read_text())["files"]
    assert a == b  # same parts, rows and SHA-256
    assert not list(tmp_path.glob(".*")), "no temporary folder left behind"
    assert not (run.path / ".pending").exists()


def test_manifest_lists_every_part(parted):
    out, run = parted
    man = json.loads((out / "manifest.json").read_text())
    assert man["layout"] == "partitioned" and man["n_chunks"] == 3
    parts = {str(p.relative_to(out)) for p in out.glob("*/*.parquet")}
    assert parts == {k for k in man["files"] if k.endswith(".parquet")}
    for rel, entry in man["files"].items():
        if rel.endswith(".parquet"):
            assert pq.ParquetFile(out / rel).metadata.num_rows == entry["rows"]
            assert crmlab._fs.sha256_file(out / rel) == entry["sha256"]
    assert man["rows"] == run.rows
    assert man["rows"]["customers"] == 800


def test_duckdb_reads_the_parts_directly(parted, in_memory):
    import duckdb

    out, _ = parted
    n = duckdb.execute(f"SELECT count(*), sum(order_value) FROM read_parquet('{out}/orders/*.parquet')").fetchone()
    assert n[0] == len(in_memory.orders)
    assert n[1] == pytest.approx(in_memory.orders["order_value"].sum())


def test_lazy_dataset_api(parted, in_memory):
    out, _ = parted
    lazy = crmlab.load_dataset(out)
    assert lazy.rows == {k: len(v) for k, v in in_memory.items()}
    assert "orders" in lazy and len(lazy) == 10
    assert lazy.scenario == in_memory.scenario
    batches = list(lazy.batches("orders", columns=["order_id", "order_value"]))
    assert len(batches) == 3 and sum(len(b) for b in batches) == len(in_memory.orders)
    assert list(batches[0].columns) == ["order_id", "order_value"]
    assert lazy.arrow("orders").count_rows() == len(in_memory.orders)
    con = lazy.connect()
    assert con.execute("SELECT count(*) FROM order_items").fetchone()[0] == len(in_memory.order_items)
    assert lazy.glob("orders").endswith("orders/*.parquet")
    ds = lazy.to_dataset(["customers", "orders"])
    assert isinstance(ds, Dataset) and list(ds) == ["customers", "orders"]
    with pytest.raises(KeyError, match="no table"):
        lazy.parts("nope")
    with pytest.raises(AttributeError):
        lazy.x = 1
    assert crmlab.load_dataset(out, truth=False).truth_customers is None


def test_ordinary_folders_still_load_in_memory(tmp_path, tiny):
    folder = crmlab.save_dataset(tiny, tmp_path / "flat")
    assert type(crmlab.load_dataset(folder)) is Dataset


def test_load_checks_part_schemas(parted, tmp_path):
    import shutil

    out, _ = parted
    bad = tmp_path / "bad"
    shutil.copytree(out, bad)
    part = bad / "orders" / "part-00001.parquet"
    df = pd.read_parquet(part)
    df["order_value"] = df["order_value"].astype(str)
    df.drop(columns=["status"]).to_parquet(part, index=False)
    with pytest.raises(ValidationError) as e:
        crmlab.load_dataset(bad)
    msg = str(e.value)
    assert "orders/part-00001.parquet" in msg and "status" in msg and "order_value" in msg
    assert isinstance(crmlab.load_dataset(bad, validate=False), LazyDataset)


# ----------------------------------------------------------------------------- streaming validation
def _copy(out: Path, tmp_path: Path) -> Path:
    import shutil

    dst = tmp_path / "copy"
    shutil.copytree(out, dst)
    return dst


def test_validate_partitioned_passes_and_counts(parted, in_memory):
    out, _ = parted
    assert validate_partitioned(out) == {k: len(v) for k, v in in_memory.items()}


def test_validate_partitioned_finds_orphans_across_parts(parted, tmp_path):
    bad = _copy(parted[0], tmp_path)
    part = bad / "orders" / "part-00002.parquet"
    df = pd.read_parquet(part)
    df.loc[df.index[:2], "customer_id"] = "C9999999"
    df.to_parquet(part, index=False)
    with pytest.warns(UserWarning, match="checksum"):
        with pytest.raises(ValidationError) as e:
            validate_partitioned(bad)
    msg = str(e.value)
    assert "customer_id" in msg and "values not found in customers.customer_id (2 rows)" in msg
    assert "part-00002.parquet" in msg


def test_validate_partitioned_finds_duplicate_keys_across_parts(parted, tmp_path):
    bad = _copy(parted[0], tmp_path)
    first = pd.read_parquet(bad / "customers" / "part-00000.parquet")
    last = bad / "customers" / "part-00002.parquet"
    df = pd.read_parquet(last)
    df.loc[df.index[0], "customer_id"] = first["customer_id"].iloc[0]
    df.to_parquet(last, index=False)
    with pytest.raises(ValidationError, match=r"duplicate key\) \(2 rows\)"):
        validate_partitioned(bad, checksums=False)


def test_validate_partitioned_checks_each_part_against_the_contract(parted, tmp_path):
    bad = _copy(parted[0], tmp_path)
    part = bad / "orders" / "part-00001.parquet"
    df = pd.read_parquet(part)
    df.loc[df.index[3], "channel"] = "fax"
    df.to_parquet(part, index=False)
    with pytest.raises(ValidationError) as e:
        validate_partitioned(bad, checksums=False)
    assert "orders/" in str(e.value) and "part-00001.parquet" in str(e.value) and "channel" in str(e.value)


def test_validate_partitioned_checks_the_cross_table_rules(parted, tmp_path):
    """The rules validate_dataset adds across tables: the scenario's window and no order before signup."""
    bad = _copy(parted[0], tmp_path)
    part = bad / "orders" / "part-00001.parquet"
    df = pd.read_parquet(part)
    first = pd.read_parquet(bad / "customers" / "part-00000.parquet").iloc[0]
    df.loc[df.index[0], "customer_id"] = first["customer_id"]
    df.loc[df.index[0], "order_ts"] = pd.Timestamp(first["signup_date"]) - pd.Timedelta(days=2)
    df.to_parquet(part, index=False)
    with pytest.raises(ValidationError) as e:
        validate_partitioned(bad, checksums=False)
    assert "order dated before the customer's signup_date (1 row)" in str(e.value)
    assert "orders/" in str(e.value) and "part-00001.parquet" in str(e.value)
    late = bad / "service_events" / "part-00000.parquet"
    ev = pd.read_parquet(late)
    ev.loc[ev.index[0], "event_ts"] = pd.Timestamp("2099-01-01")
    ev.to_parquet(late, index=False)
    with pytest.raises(ValidationError, match="outside the simulated window"):
        validate_partitioned(bad, checksums=False)


def test_manifest_part_paths_only_in_a_partitioned_folder(parted, tmp_path):
    bad = _copy(parted[0], tmp_path)
    m = json.loads((bad / "manifest.json").read_text(encoding="utf-8"))
    m["files"]["../escape.parquet"] = {"sha256": "0" * 64}
    (bad / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    with pytest.raises(crmlab.DatasetError, match="not a plain file name"):
        crmlab.load_dataset(bad)


def test_validate_partitioned_refuses_a_flat_folder(tmp_path, tiny):
    folder = crmlab.save_dataset(tiny, tmp_path / "flat")
    with pytest.raises(crmlab.DatasetError, match="not a partitioned"):
        validate_partitioned(folder)


# ----------------------------------------------------------------------------- SQL = pandas
def _same_facts(sql: dict, pandas_: dict) -> None:
    assert sql.keys() == pandas_.keys()
    for k, v in pandas_.items():
        if isinstance(v, float):
            assert sql[k] == pytest.approx(v, abs=1.5e-3 if k.endswith("_days") else 1.5e-4), k
        else:
            assert sql[k] == v, k


@pytest.mark.parametrize("statuses", ["default", None, ("completed", "returned")])
def test_stylized_facts_sql_agree_with_pandas(tiny, statuses):
    kw = {} if statuses == "default" else {"statuses": statuses}
    _same_facts(stylized_facts_sql(tiny, **kw), stylized_facts(tiny, **kw))


def test_stylized_facts_sql_on_partial_tables(tiny):
    orders = tiny.orders.assign(order_value=np.where(np.arange(len(tiny.orders)) % 3 == 0, np.nan,
                                                     tiny.orders["order_value"]))
    part = {"orders": orders, "order_items": tiny.order_items}
    _same_facts(stylized_facts_sql(part), stylized_facts(part))
    assert stylized_facts_sql({"orders": orders.iloc[:0]})["n_orders"] is None


def test_describe_partitioned_equals_describe(parted, in_memory):
    out, _ = parted
    desc = describe_partitioned(out)
    ref = in_memory.describe()
    assert desc["rows"] == ref.pop("rows")
    desc.pop("rows")
    _same_facts(desc, ref)


@pytest.mark.parametrize("statuses", ["default", None])
def test_rfm_table_sql_agrees_with_pandas(parted, in_memory, statuses):
    kw = {} if statuses == "default" else {"statuses": statuses}
    as_of = "2025-03-31"
    ref = rfm_table(in_memory.orders, as_of=as_of, **kw)
    for data in (in_memory, parted[0]):
        got = rfm_table_sql(data, as_of=as_of, **kw)
        pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)


def test_rfm_table_sql_fills_missing_values_from_lines(tiny):
    orders = tiny.orders.assign(order_value=np.where(np.arange(len(tiny.orders)) % 4 == 0, np.nan,
                                                     tiny.orders["order_value"]))
    ref = rfm_table(orders, as_of="2025-06-30", order_items=tiny.order_items)
    got = rfm_table_sql({"orders": orders, "order_items": tiny.order_items}, as_of="2025-06-30")
    pd.testing.assert_frame_equal(got, ref, check_exact=False, rtol=1e-12)
    with pytest.raises(ValueError, match="no counted order"):
        rfm_table_sql(tiny, as_of="2000-01-01")


# ----------------------------------------------------------------------------- front door and CLI
def test_generate_partitioned_refuses(tmp_path):
    with pytest.raises(ValueError, match="faults"):
        generate_partitioned("tiny", tmp_path / "f", engine="process", faults=True)
    with pytest.raises(ValueError, match="engine"):
        generate_partitioned("tiny", tmp_path / "f", engine="spark")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    with pytest.raises(crmlab.DatasetError, match="not empty"):
        generate_partitioned("tiny", tmp_path / "full", engine="process")
    assert (tmp_path / "full" / "x").read_text() == "keep"


def test_a_failed_run_leaves_the_target_untouched(tmp_path, monkeypatch):
    from crmlab.scale import generate as gen

    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "old.txt").write_text("old")

    def boom(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(gen, "second_pass", boom)
    with pytest.raises(RuntimeError, match="worker died"):
        gen.generate_partitioned("tiny", tmp_path / "d", engine="process", chunk_size=400, force=True)
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["old.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crmlab", *args], capture_output=True, text=True, cwd=cwd,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def test_cli_generate_validate_describe_partitioned(tmp_path, in_memory):
    r = _cli("generate", "--preset", "tiny", "--seed", str(SEED), "--chunk-size", str(CHUNK), "--partitioned",
             "--out", "p", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "partitioned parquet, 3 parts per table" in r.stdout
    lazy = crmlab.load_dataset(tmp_path / "p")
    pd.testing.assert_frame_equal(canonical(lazy.orders, "orders"), canonical(in_memory.orders, "orders"))
    r = _cli("validate", "p", cwd=tmp_path)
    assert r.returncode == 0 and "valid (partitioned, 10 tables" in r.stdout, r.stderr
    r = _cli("describe", "p", "--json", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows"]["orders"] == len(in_memory.orders)
    r = _cli("generate", "--preset", "tiny", "--scheduler", "tcp://127.0.0.1:1", "--out", "q", cwd=tmp_path)
    assert r.returncode == 2 and "--engine dask" in r.stderr
    r = _cli("generate", "--preset", "tiny", "--engine", "dask", "--format", "csv", "--out", "q", cwd=tmp_path)
    assert r.returncode == 2 and "Parquet only" in r.stderr


def test_readme_big_data_section_runs(tmp_path, monkeypatch):
    """The Python block of the README's big-data section, on 3,000 customers in this process."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Big data", 1)[1].split("\n## ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    small = code.replace('engine="dask", n_customers=10_000_000', 'engine="process", n_customers=3_000, '
                         'chunk_size=1_000')
    assert small != code, "the README's generate_partitioned call changed; update this test"
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    exec(compile(small, "README.md", "exec"), env)
    assert env["big"].rows["customers"] == 3_000
    assert env["facts"]["n_customers"] == 3_000 and len(env["rfm"]) > 0
    assert len(list((tmp_path / "data" / "big" / "orders").glob("*.parquet"))) == 3


def test_readme_big_data_commands_run(tmp_path):
    """The command block of the README's big-data section, on 800 customers (the remote-cluster line skipped)."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Big data", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, flags=re.S)[0]
    lines = [ln.split("#", 1)[0].split() for ln in block.strip().splitlines()]
    lines = [ln for ln in lines if ln and "--scheduler" not in ln]
    assert [ln[1] for ln in lines] == ["generate", "validate", "describe"], "README commands changed"
    gen = " ".join(lines[0]).replace("--preset large --n-customers 10000000", "--preset tiny --chunk-size 400")
    assert "--engine dask" in gen and "--preset tiny" in gen
    for cmd in (gen.split(), *lines[1:]):
        r = _cli(*cmd[1:], cwd=tmp_path)
        assert r.returncode == 0, (cmd, r.stderr[-2000:])
    assert "valid (partitioned, 10 tables" in _cli("validate", "data/big", cwd=tmp_path).stdout
    assert len(list((tmp_path / "data" / "big" / "orders").glob("*.parquet"))) == 2


def test_tasks_check_their_parts_against_the_contract(tmp_path, monkeypatch):
    from crmlab.scale import chunks

    real = chunks.build_frames

    def broken(scenario, ctx, rows):
        out = real(scenario, ctx, rows)
        if "orders" in out and len(out["orders"]):
            out["orders"].loc[out["orders"].index[0], "channel"] = "fax"
        return out

    monkeypatch.setattr(chunks, "build_frames", broken)
    with pytest.raises(ValidationError, match=r"orders/part-00000\.parquet"):
        generate_partitioned("tiny", tmp_path / "x", engine="process", chunk_size=400, seed=1)
    assert not (tmp_path / "x").exists() and not list(tmp_path.iterdir())
    generate_partitioned("tiny", tmp_path / "y", engine="process", chunk_size=400, seed=1, validate=False)
    with pytest.raises(ValidationError, match="channel"):
        validate_partitioned(tmp_path / "y", checksums=False)
