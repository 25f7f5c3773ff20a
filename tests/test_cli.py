"""The command line: exit codes, messages, no tracebacks for predictable faults."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crmlab.cli import main


def test_generate_validate_describe(tmp_path, capsys):
    out = tmp_path / "d"
    assert main(["generate", "--preset", "tiny", "--seed", "2", "--n-customers", "300", "--format", "csv",
                 "--out", str(out)]) == 0
    assert (out / "orders.csv").exists() and (out / "manifest.json").exists()
    assert main(["validate", str(out)]) == 0
    assert "valid" in capsys.readouterr().out
    assert main(["describe", str(out)]) == 0
    text = capsys.readouterr().out
    assert "one-time buyers" in text and "orders" in text


def test_generate_refuses_existing_folder_and_force_replaces(tmp_path, capsys):
    out = tmp_path / "d"
    args = ["generate", "--preset", "tiny", "--n-customers", "200", "--out", str(out), "-q"]
    assert main(args) == 0
    assert main(args) == 2
    assert "not empty" in capsys.readouterr().err
    assert main(args + ["--force", "--seed", "5"]) == 0


@pytest.mark.parametrize(
    "extra,fragment",
    [
        (["--set", "hr_price_change_cancel=-1"], "hr_price_change_cancel"),
        (["--set", "nonsense=1"], "nonsense"),
        (["--set", "novalue"], "FIELD=VALUE"),
        (["--n-customers", "5"], "n_customers"),
    ],
)
def test_bad_scenario_is_one_clear_message(tmp_path, capsys, extra, fragment):
    out = tmp_path / "d"
    assert main(["generate", "--preset", "tiny", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert not out.exists()


def test_set_changes_the_truth(tmp_path):
    import json

    out = tmp_path / "d"
    assert main(["generate", "--preset", "tiny", "--n-customers", "200", "--out", str(out), "-q",
                 "--set", "hr_price_change_cancel=3.5", "--set", "driver_weights=[0.4,0.3,0.2,0.1]"]) == 0
    truth = json.loads((out / "truth.json").read_text())
    assert truth["churn"]["hazard_ratios"]["price_change_cancel"] == 3.5
    assert truth["survey"]["driver_ranking"][0] == "advertising"
    # regenerate from the recorded scenario
    out2 = tmp_path / "d2"
    assert main(["generate", "--scenario", str(out / "truth.json"), "--out", str(out2), "-q"]) == 0
    assert (out / "orders.parquet").read_bytes() == (out2 / "orders.parquet").read_bytes()


def test_validate_reports_broken_file(tmp_path, capsys):
    import pandas as pd

    out = tmp_path / "d"
    main(["generate", "--preset", "tiny", "--n-customers", "200", "--format", "csv", "--out", str(out), "-q"])
    df = pd.read_csv(out / "order_items.csv", dtype=str)
    df.loc[2, "quantity"] = "two"
    df.to_csv(out / "order_items.csv", index=False)
    code = main(["validate", str(out)])
    assert code == 1
    err = capsys.readouterr().err
    assert "order_items.csv" in err and "quantity" in err and "line 4" in err and "Traceback" not in err
    assert "checksum" in err


def test_validate_missing_folder(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "missing")]) == 1
    assert "no such dataset" in capsys.readouterr().err


def test_python_dash_m_and_help():
    r = subprocess.run([sys.executable, "-m", "crmlab", "generate", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "--n-customers" in r.stdout and "--force" in r.stdout
    r = subprocess.run([sys.executable, "-m", "crmlab", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and "crmlab" in r.stdout


def test_faulty_dataset_fails_validation_with_lines_but_can_be_described(tmp_path, capsys):
    out = tmp_path / "f"
    assert main(["generate", "--preset", "tiny", "--n-customers", "300", "--faults", "--format", "csv",
                 "--out", str(out), "-q"]) == 0
    assert main(["validate", str(out)]) == 1
    err = capsys.readouterr().err
    assert "orders.csv" in err and "order_ts" in err and "line " in err and "Traceback" not in err
    assert main(["describe", str(out)]) == 1
    assert main(["describe", str(out), "--no-validate"]) == 0
    assert "one-time buyers" in capsys.readouterr().out


def _all_parsers():
    """(name, parser) for crmlab and every command and subcommand."""
    import argparse

    from crmlab.cli import build_parser

    todo, out = [("crmlab", build_parser())], []
    while todo:
        name, parser = todo.pop(0)
        out.append((name, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo += [(f"{name} {sub}", p) for sub, p in action.choices.items()]
    return out


def test_every_command_has_help_without_doubled_or_none_defaults():
    parsers = _all_parsers()
    names = {n for n, _ in parsers}
    assert {"crmlab generate", "crmlab run", "crmlab import online-retail", "crmlab import csv", "crmlab scorecard",
            "crmlab assignment", "crmlab grade", "crmlab describe", "crmlab validate"} <= names
    for name, parser in parsers:
        text = parser.format_help()
        assert "(default: None)" not in text, f"{name} --help:\n{text}"
        assert "(default: [])" not in text and "(default: False)" not in text, f"{name} --help:\n{text}"
        formatter = parser._get_formatter()
        for action in parser._actions:
            if action.help:
                shown = formatter._expand_help(action)  # the help text as printed, default included
                assert shown.lower().count("default") <= 1, f"{name} {action.option_strings}: {shown}"
    generate = dict(parsers)["crmlab generate"].format_help()
    assert "(default: parquet)" in " ".join(generate.split()), "real defaults are still shown"


def test_help_runs_for_every_command():
    for name, _ in _all_parsers():
        argv = name.split()[1:] + ["--help"]
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 0, name


def test_cli_package_is_the_top_layer():
    """No library module imports crmlab.cli, and the cli never imports the package facade."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "crmlab"
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if rel.parts[0] in ("lessons", "datasets"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if rel.parts[0] != "cli" and rel.name != "__main__.py":
                    assert not mod.startswith("crmlab.cli") and not (node.level and mod.startswith("cli")), \
                        f"{rel} imports the command line"
                if rel.parts[0] == "cli":
                    assert not (node.level == 2 and not mod), f"{rel} imports from the crmlab facade"
                    assert mod != "crmlab", f"{rel} imports from the crmlab facade"
