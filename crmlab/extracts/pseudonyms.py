"""Pseudonymisation of direct identifiers: salted HMAC-SHA256, stable across extracts.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({"order_id": ["1"], "customer_id": ["17850"]})
>>> pseudonymize({"orders": orders}, "course-2025-secret").orders.customer_id.str.len().tolist()
[17]
>>> check_salt("short")
Traceback (most recent call last):
...
ValueError: the salt must be a secret of at least 8 characters
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Mapping

import pandas as pd

from ..dataset import Dataset

__all__ = ["MIN_SALT_LENGTH", "check_salt", "pseudonymize"]

#: Shortest salt accepted.
MIN_SALT_LENGTH = 8

#: Direct identifiers and the prefix of their pseudonyms. ``customer_id`` is
#: replaced in every table (so foreign keys still resolve).
_PII_PREFIX = {"customer_id": "P", "name": "N", "phone": "T", "email": "E"}


def check_salt(salt: str | bytes | None) -> bytes:
    """The salt as bytes; ValueError when it is missing or shorter than :data:`MIN_SALT_LENGTH` characters."""
    if not salt:
        raise ValueError("pseudonymisation needs a secret salt (salt=...; on the command line --salt or the "
                         "CRMLAB_SALT environment variable)")
    if len(salt) < MIN_SALT_LENGTH:
        raise ValueError(f"the salt must be a secret of at least {MIN_SALT_LENGTH} characters")
    return salt.encode("utf-8") if isinstance(salt, str) else bytes(salt)


def _pseudonyms(values: pd.Series, key: bytes, field: str, width: int) -> pd.Series:
    uniq = pd.unique(values.dropna())
    out = {v: _PII_PREFIX[field] + hmac.new(key, f"{field}\x1f{v}".encode("utf-8"), hashlib.sha256).hexdigest()[:width]
           for v in uniq}
    if len(set(out.values())) < len(out):
        raise ValueError(f"pseudonym collision in {field}; use a wider hash")  # ~never with 64 bits
    return values.map(out).astype("str")


def pseudonymize(data: Dataset | Mapping[str, pd.DataFrame], salt: str | bytes) -> Dataset:
    """Replace direct identifiers with stable salted hashes (HMAC-SHA256).

    Parameters
    ----------
    data : Dataset or mapping of table name -> DataFrame
    salt : str or bytes
        Secret key, at least 8 characters. The same salt gives the same
        pseudonyms (so extracts taken at different times can be joined);
        keep it secret, since whoever has it can test guesses of an id.

    Returns
    -------
    Dataset
        ``customer_id`` (every table) becomes ``P`` + 16 hex digits (64 bits of
        ``HMAC-SHA256(salt, "customer_id" + value)``); ``customers.name``,
        ``phone`` and ``email`` become ``N``/``T``/``E`` + 12 hex digits. The
        manifest records that (not the salt).

    Notes
    -----
    Pseudonymised data is still personal data under GDPR / PIPL (it can be
    re-linked with the salt); free-text columns such as ``survey.comment`` are
    not scanned and are dropped when present.

    References
    ----------
    Krawczyk, H., Bellare, M., & Canetti, R. (1997). HMAC: Keyed-hashing for
    message authentication. RFC 2104.

    Examples
    --------
    >>> import pandas as pd
    >>> t = {"customers": pd.DataFrame({"customer_id": ["17850"], "email": ["a@b.cn"]}),
    ...      "orders": pd.DataFrame({"order_id": ["1"], "customer_id": ["17850"]})}
    >>> d = pseudonymize(t, "a-long-secret")
    >>> d.orders.customer_id.iloc[0] == d.customers.customer_id.iloc[0] != "17850"
    True
    """
    key = check_salt(salt)
    tables = dict(data.tables if isinstance(data, Dataset) else data)
    done = []
    for name, df in tables.items():
        df = df.copy()
        if "customer_id" in df.columns:
            df["customer_id"] = _pseudonyms(df["customer_id"], key, "customer_id", 16)
            done.append(f"{name}.customer_id")
        if name == "customers":
            for c in ("name", "phone", "email"):
                if c in df.columns:
                    df[c] = _pseudonyms(df[c].astype("str"), key, c, 12)
                    done.append(f"{name}.{c}")
        if name == "survey" and "comment" in df.columns:
            df = df.drop(columns=["comment"])
            done.append("survey.comment (dropped: free text)")
        tables[name] = df
    manifest = dict(data.manifest or {}) if isinstance(data, Dataset) else {}
    source = dict(manifest.get("source") or {})
    source["pseudonymized"] = {"method": "HMAC-SHA256 with a secret salt, truncated (customer ids 64 bits)",
                               "columns": done}
    manifest["source"] = source
    return Dataset(tables, manifest=manifest)
