"""Similarity between submissions: evidence of shared code and prose for the instructor.

``run_similarity`` compares every pair of notebooks task by task (``engine``, which also says
why the default threshold is what it is); ``parts`` cuts a notebook into tasks with the pack's
``TaskLayout``, ``documents`` reads notebooks and base files, ``normalise`` blanks the
statements that do nothing (padding), ``fingerprints`` normalises code and prose, ``compare``
weighs fragments by rarity and length, scores every part of every pair and finds groups,
``report`` writes the CSV, JSON and HTML; ``cli`` is the ``grader similarity`` subcommand.
"""

import importlib

__all__ = ["DEFAULT_THRESHOLD", "PairResult", "SimilarityReport", "run_similarity"]

_HOMES = {
    "DEFAULT_THRESHOLD": "grader.similarity.engine",
    "run_similarity": "grader.similarity.engine",
    "PairResult": "grader.similarity.model",
    "SimilarityReport": "grader.similarity.model",
}


def __getattr__(name: str):
    """Imported on first use: the ``grader`` CLI builds its parser without the engine's libraries."""
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(name)
