"""Baselines: model specs (``baselines/models/*.yaml``) and the rules extractors."""
