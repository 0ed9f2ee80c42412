"""The grading engine: notebooks in, verdicts out.

It knows nothing of any particular assignment; an assignment pack (``grader.assignment`` is
the contract, ``grader.api`` what a pack imports) plugs its rubric, checks and evidence rules
into it.
"""

__version__ = "0.1.0"
