"""The assignment packs shipped with the engine (``grader.assignments.<name>``).

``DEFAULT`` is the one place that chooses the assignment every command grades when none is
named (``--assignment``). ``grader check`` also considers installed packs
(``grader.assignment.installed_packs``): a student kit's engine ships this file as it is and
finds its pack by entry point.
"""

DEFAULT = "a2"
