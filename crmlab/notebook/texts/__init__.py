"""Bilingual sentences and figure titles of the lessons, one module per lesson (crmlab.i18n.Messages)."""
