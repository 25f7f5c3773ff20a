"""Datasets shipped with crmlab. Installed as the package data ``crmlab.datasets`` (see crmlab._resources)."""
