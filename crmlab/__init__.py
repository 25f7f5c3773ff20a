"""crmlab: synthetic CRM data with planted ground truth, and notebooks that teach CRM analytics.

The public API:

* :func:`make_retail_crm` - simulate a dataset (tables + truth) from a preset and overrides;
* :func:`load_dataset` - load a dataset folder, or a named one (``"classroom"``);
* :func:`save_dataset` - write a dataset folder atomically, with a manifest;
* :class:`Scenario`, :func:`get_scenario` - everything that determines a dataset;
* :class:`Dataset` - the container (``data.orders``, ``data["orders"]``, ``data.truth``);
* :class:`LazyDataset` - a partitioned big dataset opened without reading it (see :mod:`crmlab.scale`);
* :func:`validate_dataset` - check tables against the data contract;
* :func:`load_extract` - import a real extract (Online Retail II, CDNOW, mapped CSV) into the contract.
"""

from __future__ import annotations

from ._version import __version__
from .config import PRESETS, Scenario, ScenarioError, get_scenario
from .dataset import Dataset, LazyDataset, make_retail_crm
from .extracts import load_extract
from .io import DatasetError, get_data_home, load_dataset, save_dataset
from .schema import CONTRACT, ValidationError, validate_dataset


__all__ = [
    "CONTRACT",
    "Dataset",
    "DatasetError",
    "LazyDataset",
    "PRESETS",
    "Scenario",
    "ScenarioError",
    "ValidationError",
    "__version__",
    "get_data_home",
    "get_scenario",
    "load_dataset",
    "load_extract",
    "make_retail_crm",
    "save_dataset",
    "validate_dataset",
]
