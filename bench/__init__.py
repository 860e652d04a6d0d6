"""Speed figures of the system on this machine: ``make bench`` (``python -m bench.run``).

The registry of benchmarks and how the figures are kept is in ``bench/run.py``; what each figure
means is in ``bench/README.md``.
"""
