"""Benchmarks: measured side by side in one run, never as timed tests.

`python -m bench [--quick] [--only SECTION ...]` runs the sections and merges their results into
bench/results.json and bench/results.md (a section run alone replaces only its own part).
"""
