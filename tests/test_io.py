"""Atomic writes, refusal to overwrite, clear errors on bad files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import crmlab
from crmlab import io as cio


def test_save_load_round_trip_with_manifest(tmp_path, tiny):
    out = crmlab.save_dataset(tiny, tmp_path / "d", format="csv")
    m = json.loads((out / "manifest.json").read_text())
    assert m["synthetic"] and m["format"] == "csv" and m["has_truth"]
    assert m["files"]["orders.csv"]["rows"] == len(tiny.orders)
    assert set(m["versions"]) >= {"crmlab", "numpy", "pandas", "python"}
    again = crmlab.load_dataset(out)
    assert again.truth == tiny.truth
    assert again.scenario == tiny.scenario
    pd.testing.assert_frame_equal(again.truth_customers, tiny.truth_customers)


def test_refuses_non_empty_folder_without_force(tmp_path, tiny):
    target = tmp_path / "d"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    with pytest.raises(crmlab.DatasetError, match="not empty"):
        crmlab.save_dataset(tiny, target)
    assert (target / "notes.txt").read_text() == "mine"
    crmlab.save_dataset(tiny, target, force=True)
    assert not (target / "notes.txt").exists()
    assert (target / "orders.parquet").exists()


def test_empty_existing_folder_is_fine(tmp_path, tiny):
    (tmp_path / "d").mkdir()
    crmlab.save_dataset(tiny, tmp_path / "d")


def test_failed_write_leaves_previous_output_intact(tmp_path, tiny, monkeypatch):
    target = crmlab.save_dataset(tiny, tmp_path / "d")
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    calls = {"n": 0}
    real = cio._write_table

    def boom(df, path, fmt):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")
        real(df, path, fmt)

    monkeypatch.setattr(cio, "_write_table", boom)
    other = crmlab.make_retail_crm("tiny", seed=9, n_customers=200)
    with pytest.raises(crmlab.DatasetError, match="untouched"):
        crmlab.save_dataset(other, target, force=True)
    after = {p.name: p.read_bytes() for p in target.iterdir()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir()] == ["d"]  # no temp folders left behind


def test_invalid_tables_are_not_written(tmp_path, tiny):
    bad = tiny.tables
    bad["orders"] = bad["orders"].assign(channel="fax")
    with pytest.raises(crmlab.ValidationError, match="channel"):
        crmlab.save_dataset(bad, tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_unwritable_parent(tmp_path, tiny):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(crmlab.DatasetError):
        crmlab.save_dataset(tiny, f / "d")
    with pytest.raises(crmlab.DatasetError, match="not a folder"):
        crmlab.save_dataset(tiny, f)


def _csv_dataset(tmp_path, tiny):
    return crmlab.save_dataset(tiny, tmp_path / "d", format="csv")


def test_bad_csv_names_file_column_and_lines(tmp_path, tiny):
    d = _csv_dataset(tmp_path, tiny)
    df = pd.read_csv(d / "orders.csv", dtype=str)
    df.loc[[3, 7], "order_ts"] = "yesterday"
    df.to_csv(d / "orders.csv", index=False)
    with pytest.raises(crmlab.ValidationError) as e:
        crmlab.load_dataset(d)
    msg = str(e.value)
    assert "orders.csv" in msg and "order_ts" in msg and "line 5" in msg and "line 9" in msg
    assert "'yesterday'" in msg
    assert "checksum" in msg  # the edit itself is an error too


def test_edited_file_is_an_error_unless_validation_is_off(tmp_path, tiny):
    d = _csv_dataset(tmp_path, tiny)
    (d / "stores.csv").write_text((d / "stores.csv").read_text().replace("\n", "\r\n"))  # same rows, new bytes
    with pytest.raises(crmlab.ValidationError, match="stores.csv.*\n.*checksum"):
        crmlab.load_dataset(d)
    with pytest.warns(UserWarning, match="checksum"):
        crmlab.load_dataset(d, validate=False)


def test_broken_foreign_key_is_reported(tmp_path, tiny):
    d = _csv_dataset(tmp_path, tiny)
    df = pd.read_csv(d / "orders.csv", dtype=str, keep_default_na=False)
    df.loc[0, "customer_id"] = "C9999999"
    df.to_csv(d / "orders.csv", index=False)
    with pytest.raises(crmlab.ValidationError, match=r"customers\.customer_id"):
        crmlab.load_dataset(d)


def test_duplicate_key_and_missing_column(tmp_path, tiny):
    d = _csv_dataset(tmp_path, tiny)
    df = pd.read_csv(d / "products.csv", dtype=str)
    df.loc[1, "sku"] = df.loc[0, "sku"]
    df.drop(columns=["brand"]).to_csv(d / "products.csv", index=False)
    with pytest.raises(crmlab.ValidationError, match="missing required column"):
        crmlab.load_dataset(d)
    df.to_csv(d / "products.csv", index=False)
    with pytest.raises(crmlab.ValidationError, match="unique"):
        crmlab.load_dataset(d)


def test_not_utf8_empty_and_not_a_folder(tmp_path, tiny):
    d = _csv_dataset(tmp_path, tiny)
    (d / "stores.csv").write_bytes("store_id,name\nS0001,苏宁南京店\n".encode("gbk"))
    with pytest.raises(crmlab.DatasetError, match="stores.csv: not UTF-8"):
        crmlab.load_dataset(d)
    (d / "stores.csv").write_bytes(b"")
    with pytest.raises(crmlab.DatasetError, match="stores.csv: the file is empty"):
        crmlab.load_dataset(d)
    with pytest.raises(crmlab.DatasetError, match="is a file"):
        crmlab.load_dataset(d / "orders.csv")
    with pytest.raises(crmlab.DatasetError, match="no such dataset"):
        crmlab.load_dataset(tmp_path / "nope")


def test_subset_of_tables_is_a_valid_dataset(tmp_path, tiny):
    part = {k: tiny[k] for k in ("customers", "orders", "order_items", "products", "stores")}
    out = crmlab.save_dataset(part, tmp_path / "part")
    back = crmlab.load_dataset(out)
    assert set(back) == set(part) and back.truth is None


def test_named_preset_is_generated_once_and_cached(tmp_path, monkeypatch):
    monkeypatch.setenv("CRMLAB_DATA", str(tmp_path / "home"))
    a = crmlab.load_dataset("tiny", seed=3)
    assert (tmp_path / "home" / "tiny-seed3" / "manifest.json").exists()
    b = crmlab.load_dataset("tiny", seed=3)
    pd.testing.assert_frame_equal(a.orders, b.orders)
    assert crmlab.get_data_home() == tmp_path / "home"
