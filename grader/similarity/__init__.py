"""Similarity between submissions: evidence of shared code and prose for the instructor.

``run_similarity`` compares every pair of notebooks (``engine``, which also says why the
default threshold is what it is); ``fingerprints`` normalises code and prose, ``compare``
scores pairs and finds groups, ``report`` writes the CSV, JSON and HTML; ``cli`` is the
``grader similarity`` subcommand.
"""

from grader.similarity.engine import DEFAULT_THRESHOLD, run_similarity
from grader.similarity.model import PairResult, SimilarityReport

__all__ = ["DEFAULT_THRESHOLD", "PairResult", "SimilarityReport", "run_similarity"]
