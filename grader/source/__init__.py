"""Turn a notebook's code cells into the statements that rebuild the student's namespace.

* ``policy``: what may run (``Policy``, ``DEFAULT_POLICY``): data an assignment pack extends;
* ``reasons``: why a statement runs or is skipped (``Reason``, ``Category``), and the table;
* ``classify``: the rules that decide it, statement by statement;
* ``program``: cells → ``Program`` of ``Statement`` (``build_program``), ``notebook_calls`` and
  ``notebook_arguments`` (how the notebook calls a function);
* ``names``: ``undefined_names``, the free names of a function that nothing run defines.

IPython syntax is made Python by ``grader.notebook.magics.neutralise`` (re-exported here).
"""

from grader.notebook.magics import neutralise
from grader.source.names import UndefinedName, undefined_names
from grader.source.policy import DEFAULT_POLICY, Policy
from grader.source.program import (
    Program,
    Statement,
    WrittenCall,
    build_program,
    notebook_arguments,
    notebook_calls,
)
from grader.source.reasons import Action, Category, Reason

__all__ = [
    "DEFAULT_POLICY",
    "Action",
    "Category",
    "Policy",
    "Program",
    "Reason",
    "Statement",
    "UndefinedName",
    "WrittenCall",
    "build_program",
    "neutralise",
    "notebook_arguments",
    "notebook_calls",
    "undefined_names",
]
