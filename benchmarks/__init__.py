"""The side-by-side benchmark: nnbook against PyTorch CPU and scikit-learn.

Run ``python -m benchmarks.run`` (``--quick`` for a short run); see ``docs/performance.md``.
"""
