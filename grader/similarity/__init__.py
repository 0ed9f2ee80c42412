"""Similarity between submissions: evidence of shared code and prose for the instructor."""

from grader.similarity.engine import DEFAULT_THRESHOLD, run_similarity
from grader.similarity.model import PairResult, SimilarityReport

__all__ = ["DEFAULT_THRESHOLD", "PairResult", "SimilarityReport", "run_similarity"]
