"""The assignment packs shipped with the engine (``grader.assignments.<name>``).

``DEFAULT`` is the one place that chooses the assignment every command grades when none is
named (``--assignment``); the student kit rewrites this file to name its own pack.
"""

DEFAULT = "a2"
