"""The crmlab lessons. Installed as the package data ``crmlab.lessons`` (see crmlab._resources)."""
