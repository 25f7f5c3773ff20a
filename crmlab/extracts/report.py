"""The cleaning report as text: what ``crmlab import`` prints after an import.

The report itself is a dict (``Dataset.manifest["cleaning"]``, written as
``cleaning_report.json``) built by :class:`crmlab.extracts.cleaning.CleaningLog`.
"""

from __future__ import annotations

from typing import Any, Mapping

__all__ = ["format_cleaning_report"]


def format_cleaning_report(report: Mapping[str, Any], *, max_reason: int = 70) -> str:
    """The cleaning report as a plain-text table (what ``crmlab import`` prints).

    Examples
    --------
    >>> r = {"kind": "cdnow", "input_rows": 3, "dropped_rows": 1, "kept_rows": 2, "output_rows": {"orders": 2},
    ...      "steps": [{"action": "dropped", "reason": "zero quantity", "rows": 1, "column": "Quantity",
    ...                 "file": "a.txt", "lines": [4]}]}
    >>> print(format_cleaning_report(r).splitlines()[3].split())
    ['dropped', '1', '33.3%', 'zero', 'quantity', 'Quantity', 'a.txt:4']
    """
    n_in = int(report.get("input_rows") or 0)
    head = f"cleaning report ({report.get('kind')}): {n_in:,} input rows, {report.get('dropped_rows', 0):,} dropped, " \
           f"{report.get('kept_rows', 0):,} kept"
    rows = [("action", "rows", "share", "reason", "column", "example lines")]
    for s in report.get("steps", []):
        share = f"{s['rows'] / n_in:.1%}" if n_in and s["action"] in ("dropped", "fixed", "note") else ""
        reason = s["reason"] if len(s["reason"]) <= max_reason else s["reason"][: max_reason - 3] + "..."
        ex = ", ".join(f"{s['file']}:{ln}" if i == 0 else str(ln) for i, ln in enumerate(s.get("lines") or []))
        rows.append((s["action"], f"{s['rows']:,}", share, reason, s.get("column") or "", ex))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {1, 2}
    lines = [head, ""]
    for r in rows:
        lines.append("  ".join(v.rjust(w) if i in right else v.ljust(w) for i, (v, w) in enumerate(zip(r, widths)))
                     .rstrip())
    out = report.get("output_rows") or {}
    if out:
        lines += ["", "tables: " + ", ".join(f"{k} {v:,}" for k, v in out.items())]
    return "\n".join(lines)
