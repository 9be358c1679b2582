"""Data tables the generator draws from (bilingual records: one entry, its EN and ZH text)."""
