"""Why a statement runs or is skipped: a category and what was seen, decided in one place.

=====================================  ======  ===============================================
statement                              action  reason (as shown: category, then ``: detail``)
=====================================  ======  ===============================================
``import m``, ``from m import x``      run     import
``def`` / ``class`` (with decorators)  run     definition
``x = <cheap>`` (also ``+=``, ``:``)   run     cheap assignment
bare ``<allowed call>`` (seeding)      run     cheap call
``if`` / ``try`` / ``with`` whose      run     runnable block
parts are all runnable
``for`` / ``while``                    skip    experiment loop
call to a notebook function            skip    runs student code: ``fit()``
plotting (``plt.*``, ``imshow``...)    skip    plotting: ``plt.plot``
datasets, loaders, downloads           skip    download or dataset: ``DataLoader``
file access (``open``, ``loadmat``)    skip    file access: ``loadmat``
``print`` / ``display``                skip    printing: no effect on definitions
``input()``                            skip    user input: ``input``
``exit``, ``eval``, ``subprocess``...  skip    system call: ``exit``
anything using ``get_ipython()``       skip    IPython magic / shell escape / cell magic /
                                               help (``shell escape: !pip install x``)
reads a name only skipped statements   skip    depends on ``x`` (cell 3: file access)
define
bare expression                        skip    expression: only displays a value
``del``, ``global``, ``assert``...     skip    no effect on definitions
anything else                          skip    not a definition or cheap assignment
=====================================  ======  ===============================================

A pack's ``Policy.denied_calls`` may add categories of its own (``slow: np.linalg.svd``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Action = Literal["run", "skip"]


class Category(StrEnum):
    """The engine's own categories; the value is the text students and instructors read."""

    # run
    IMPORT = "import"
    DEFINITION = "definition"
    CHEAP_ASSIGNMENT = "cheap assignment"
    CHEAP_CALL = "cheap call"
    RUNNABLE_BLOCK = "runnable block"
    # skip
    EXPERIMENT_LOOP = "experiment loop"
    STUDENT_CODE = "runs student code"
    PLOTTING = "plotting"
    DOWNLOAD = "download or dataset"
    FILE_ACCESS = "file access"
    PRINTING = "printing"
    USER_INPUT = "user input"
    SYSTEM_CALL = "system call"
    IPYTHON_MAGIC = "IPython magic"
    SHELL_ESCAPE = "shell escape"
    CELL_MAGIC = "cell magic"
    HELP = "help"
    EXPRESSION = "expression"
    NO_EFFECT = "no effect on definitions"
    UNSURE = "not a definition or cheap assignment"
    SYNTAX_ERROR = "syntax error"
    TOO_NESTED = "too deeply nested to analyse"


@dataclass(frozen=True)
class Reason:
    """Why: ``Reason(Category.PLOTTING, "plt.plot")`` reads "plotting: plt.plot".

    A statement skipped only because it reads a name that skipped statements alone bind has
    its cause's category and ``depends_on`` (that name, that statement's cell): "depends on
    `data` (cell 2: file access)".
    """

    category: str  # a Category, or a category a pack's Policy.denied_calls adds
    detail: str = ""  # what was seen: "plt.plot", "fit()", "!pip install x"
    depends_on: tuple[str, int] | None = None  # (name, cell) of the skipped cause

    @property
    def text(self) -> str:
        """The sentence reports show."""
        if self.depends_on is not None:
            name, cell = self.depends_on
            return f"depends on `{name}` (cell {cell}: {self.category})"
        return f"{self.category}: {self.detail}" if self.detail else str(self.category)

    def __str__(self) -> str:
        return self.text

    def because_of(self, name: str, cell: int) -> Reason:
        """This reason, as seen by a statement that reads ``name``, bound only in ``cell``."""
        return Reason(self.category, depends_on=(name, cell))
