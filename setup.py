"""Only the optional C loops of the tree edit distance; everything else is in pyproject.toml.

``optional=True``: without a C compiler the install still succeeds and ``benchmark.scoring.ted``
runs the same loops in Python (slower, same numbers).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("benchmark.scoring._ted", ["benchmark/scoring/_ted.c"], optional=True)])
