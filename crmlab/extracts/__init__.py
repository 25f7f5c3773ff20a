"""Importers for real CRM extracts, with explicit cleaning reports.

Three kinds of extract become a :class:`crmlab.Dataset` that follows the data
contract (:mod:`crmlab.schema`), so that every notebook and analysis function
runs on real data too:

``online-retail``
    The UCI *Online Retail II* file (Excel with the sheets ``Year 2009-2010``
    and ``Year 2010-2011``, or a CSV/Parquet copy; columns ``Invoice,
    StockCode, Description, Quantity, InvoiceDate, Price, Customer ID,
    Country``) and the older *Online Retail* (``InvoiceNo, UnitPrice,
    CustomerID``).
``cdnow``
    The classic ``CDNOW_master.txt``: whitespace-separated, no header (a
    header line is skipped), columns customer id, date ``YYYYMMDD``, number
    of CDs, dollar amount.
``csv``
    Any files, described by a YAML mapping from the user's files and columns
    to contract tables and columns, with encodings, date formats, code maps
    and defaults (see ``docs/extracts.md``).

Cleaning is never silent. Every dropped, fixed or filled row is counted in a
cleaning report (``Dataset.manifest["cleaning"]``; the command line writes it
to ``cleaning_report.json``), with the reason and up to five line numbers of
the user's file (header = line 1). Cancellations become orders with status
``cancelled``; they are not dropped. Faults that cannot be cleaned by a
documented rule (a missing column, a number that is not a number, a date that
does not parse, a duplicate key, an order of an unknown customer) raise
:class:`~crmlab.schema.ValidationError` naming the file, the column, the rule
and the offending lines; unreadable files raise :class:`ExtractError`; a
faulty mapping raises :class:`MappingError`. Both are :class:`ValueError`
and :class:`crmlab.io.DatasetError`.

Columns a real extract cannot fill are filled with documented, constant
values (:data:`EXTRACT_DEFAULTS`), each recorded in the report; tables it
lacks (survey, loyalty, campaigns, service events) are simply absent.

The package, by responsibility:

* :mod:`~crmlab.extracts.load` - :func:`load_extract`, the front door;
* :mod:`~crmlab.extracts.online_retail`, :mod:`~crmlab.extracts.cdnow`,
  :mod:`~crmlab.extracts.mapping` - one reader per kind of extract;
* :mod:`~crmlab.extracts.sources` - reading raw files (encodings, gzip,
  Excel, Parquet, truncation) and :class:`ExtractError`;
* :mod:`~crmlab.extracts.parsing` - cells to typed columns, problems with
  the user's line numbers, validation against the contract;
* :mod:`~crmlab.extracts.cleaning` - the cleaning log, drops and documented
  defaults; :mod:`~crmlab.extracts.derive` - the contract's tables from
  invoice lines or from the tables an extract has;
* :mod:`~crmlab.extracts.pseudonyms`, :mod:`~crmlab.extracts.export`,
  :mod:`~crmlab.extracts.report` - pseudonymisation, the Online Retail
  export, the printed cleaning report.

Examples
--------
>>> import crmlab, tempfile, pathlib
>>> from crmlab.extracts import load_extract
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "CDNOW_master.txt").write_text(
...     "00001 19970101  1   11.77\\n00002 19970112  1   12.00\\n00002 19970112  0   0.00\\n")
>>> data = load_extract(folder / "CDNOW_master.txt", kind="cdnow")
>>> len(data.orders), data.manifest["cleaning"]["dropped_rows"]
(2, 1)
"""

from .cdnow import read_cdnow
from .cleaning import DEFAULT_CATEGORY, EXTRACT_DEFAULTS, NON_MERCHANDISE_CODES, UNKNOWN_CITY_TIER
from .export import export_online_retail
from .load import KINDS, load_extract
from .mapping import read_mapped
from .online_retail import read_online_retail
from .pseudonyms import pseudonymize
from .report import format_cleaning_report
from .sources import ExtractError, MappingError

__all__ = [
    "ExtractError",
    "MappingError",
    "KINDS",
    "EXTRACT_DEFAULTS",
    "DEFAULT_CATEGORY",
    "UNKNOWN_CITY_TIER",
    "NON_MERCHANDISE_CODES",
    "load_extract",
    "read_online_retail",
    "read_cdnow",
    "read_mapped",
    "pseudonymize",
    "export_online_retail",
    "format_cleaning_report",
]
