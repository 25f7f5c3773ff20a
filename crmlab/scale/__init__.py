"""Big datasets: generation as parallel tasks into partitioned Parquet, and analysis without loading everything.

* :mod:`crmlab.scale.generate` - :func:`generate_partitioned`: the chunks of a
  scenario as Dask tasks (a local cluster, or an existing one) or local
  processes, each writing its own part files; ``truth.json`` merged from
  per-chunk partial results; the same content as :func:`crmlab.make_retail_crm`
  for the same seed and chunk size;
* :mod:`crmlab.scale.chunks` - the two passes of one chunk (the tasks);
* :mod:`crmlab.scale.check` - :func:`validate_partitioned` and
  :func:`describe_partitioned`: the data contract and the stylized facts of a
  partitioned folder, part by part and in DuckDB, with bounded memory;
* :mod:`crmlab.scale.sql` - stylized facts and RFM in DuckDB SQL (the same
  numbers as :func:`crmlab.realism.stylized_facts` and
  :func:`crmlab.analysis.rfm.rfm_table`).

A partitioned folder opens lazily with :func:`crmlab.load_dataset` (a
:class:`crmlab.dataset.LazyDataset`). Dask and DuckDB come with the
``scale`` extra: ``pip install 'crmlab[scale]'``.

Examples
--------
>>> import tempfile, pathlib
>>> from crmlab.scale import describe_partitioned, generate_partitioned, validate_partitioned
>>> out = pathlib.Path(tempfile.mkdtemp()) / "tiny"
>>> _ = generate_partitioned("tiny", out, engine="process", chunk_size=400, seed=1)
>>> validate_partitioned(out)["orders"] > 0
True
>>> describe_partitioned(out)["rows"]["customers"]
800
"""

from .check import describe_partitioned, validate_partitioned
from .generate import ENGINES, PartitionedRun, generate_partitioned
from .sql import rfm_table_sql, stylized_facts_sql

__all__ = [
    "ENGINES",
    "PartitionedRun",
    "generate_partitioned",
    "validate_partitioned",
    "describe_partitioned",
    "stylized_facts_sql",
    "rfm_table_sql",
]
