"""Baselines: the model-free extractors (rules, layout rules, lookup) and the layout LLM."""
