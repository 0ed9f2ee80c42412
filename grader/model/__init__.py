"""The records the stages pass on: what an instructor declares (``rubric``) and what grading
finds (``results``: statuses, counterexamples, the ``Report``). Checks, scoring, reports and
front ends read them; they know nothing of how they are produced."""
