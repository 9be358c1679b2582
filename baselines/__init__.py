"""Baselines: the model-free extractors (rules, layout rules, lookup) and the layout LLM."""

from pathlib import Path

#: The package folder: the no-model extractors fingerprint their own source files from here.
BASELINES = Path(__file__).resolve().parent
