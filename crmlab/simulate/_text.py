"""Fast construction of the string columns of the simulated tables.

The tables hold millions of identifiers (``O00000001``) and codes
(``"web"``, ``"completed"``). Formatting them one Python string at a time
dominated the time to assemble a large dataset; these helpers build the Arrow
string arrays behind pandas' ``str`` dtype directly from integer arrays, with
the same values (and therefore the same files) as the per-element formatting
they replace.

Examples
--------
>>> import numpy as np
>>> format_ids("O", np.array([1, 42, 123456789]), 8).tolist()
['O00000001', 'O00000042', 'O123456789']
>>> decode(["store", "web", "app"], np.array([2, 0, 1]), valid=np.array([True, False, True])).tolist()
['app', nan, 'web']
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["format_ids", "decode", "as_str_array"]


def as_str_array(arrow_array) -> pd.api.extensions.ExtensionArray:
    """Wrap a pyarrow string array as pandas' ``str`` array (zero copy)."""
    import pyarrow as pa

    if arrow_array.type != pa.large_string():
        arrow_array = arrow_array.cast(pa.large_string())
    return pd.array(arrow_array, dtype="str")


def _digits(prefix: bytes, numbers: np.ndarray, width: int) -> np.ndarray:
    """``len(numbers) x (len(prefix) + width)`` ASCII bytes: prefix then zero-padded digits."""
    p = np.frombuffer(prefix, np.uint8)
    m = np.empty((len(numbers), len(p) + width), np.uint8)
    m[:, : len(p)] = p
    x = numbers.copy()
    for j in range(len(p) + width - 1, len(p) - 1, -1):
        m[:, j] = 48 + x % 10
        x //= 10
    return m


def format_ids(prefix: str, numbers: np.ndarray, width: int, *, valid: np.ndarray | None = None):
    """``prefix + str(number).zfill(width)`` for every number, as a pandas ``str`` array.

    Numbers with more than ``width`` digits keep all their digits (as
    ``str.zfill`` does). ``valid`` (boolean, optional) marks the entries to
    keep; the others are missing.

    Examples
    --------
    >>> import numpy as np
    >>> format_ids("CP", np.array([7, 8]), 3, valid=np.array([True, False])).tolist()
    ['CP007', nan]
    """
    import pyarrow as pa

    numbers = np.asarray(numbers, dtype=np.int64)
    if len(numbers) and numbers.min() < 0:
        raise ValueError("format_ids needs non-negative numbers")
    pre = prefix.encode("ascii")
    n = len(numbers)
    top = int(numbers.max()) if n else 0
    if top < 10**width:
        m = _digits(pre, numbers, width)
        offsets = np.arange(0, (n + 1) * m.shape[1], m.shape[1], dtype=np.int64)
        data = m.reshape(-1)
    else:  # some numbers are wider than `width`: one block per number of digits
        nd = np.maximum(width, np.floor(np.log10(np.maximum(numbers, 1))).astype(np.int64) + 1)
        # guard against floating-point edges of log10 at powers of ten
        nd = np.where(numbers >= 10 ** np.minimum(nd, 18), nd + 1, nd)
        nd = np.where((nd > width) & (numbers < 10 ** (nd - 1)), nd - 1, nd)
        lengths = len(pre) + nd
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        data = np.empty(int(offsets[-1]), np.uint8)
        for d in np.unique(nd):
            rows = np.flatnonzero(nd == d)
            block = _digits(pre, numbers[rows], int(d))
            data[offsets[rows][:, None] + np.arange(block.shape[1])] = block
    mask = None
    if valid is not None:
        valid = np.asarray(valid, bool)
        if not valid.all():
            mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), mask)
    return as_str_array(arr)


def decode(vocabulary: Sequence[str] | np.ndarray, codes: np.ndarray, *, valid: np.ndarray | None = None):
    """``vocabulary[codes]`` as a pandas ``str`` array; entries where ``valid`` is False are missing."""
    import pyarrow as pa
    import pyarrow.compute as pc

    vocab = pa.array(list(vocabulary), pa.large_string())
    codes = np.asarray(codes, dtype=np.int64)
    mask = None if valid is None else ~np.asarray(valid, bool)
    if mask is not None:
        codes = np.where(mask, 0, codes)
    return as_str_array(pc.take(vocab, pa.array(codes, mask=mask)))
