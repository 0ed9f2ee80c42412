"""Read a submitted notebook: cells, saved outputs, the student's identity, and problems.

Reading never raises on bad input: a corrupt, truncated or misnamed notebook becomes a
``Submission`` whose ``problems`` say what is wrong, so that a batch always goes on.

``load_submission`` (here) ties the jobs together, one module each: ``reading`` (the file to a
validated nbformat notebook), ``cells`` (that notebook to ``Cell`` records), ``identity`` (who
handed it in), ``runfacts`` (how it was run); ``model`` holds the records. The package's other
modules read a ``Submission``: ``sections`` (task sections, written answers), ``magics`` (IPython
syntax made Python), ``problems`` (the ``Problem`` record and its severities).

Problem codes (stable; tools group by them). Those marked * are *blocking*: the grader could
not see part of the work (``grader.notebook.problems.BLOCKING``); the others are notes.

=====================  =====================================================================
code                   meaning
=====================  =====================================================================
missing-file*          the path does not exist
not-a-file*            the path is a directory or another non-regular file
unreadable-file*       the operating system refused to read it
too-large*             larger than ``ReadOptions.max_bytes``: not read at all
too-many-cells*        more cells than ``ReadOptions.max_cells`` (2,000): the rest are not read
                       (the one cap on cells: nothing after reading counts them again)
empty-file*            zero bytes (or only whitespace)
not-utf8*              the bytes are not UTF-8 text
invalid-json*          not JSON (truncated, hand-edited...): the line and column are given
not-a-notebook*        valid JSON, but not a Jupyter notebook
unsupported-format*    a notebook format version nbformat cannot read or upgrade
invalid-notebook       nbformat's schema validation (for the notebook's own minor version)
                       failed; what could be read is still read
no-code*               cells, but no code cell with code in it
empty-notebook*        a notebook without cells
bad-filename           the name is not ``<PREFIX>_LASTNAME_Firstname.ipynb``; no identity from it
filename-copy          a duplicate's mark, ``... (1).ipynb``, ``Copie de ...``; identity still read
filename-form          words joined otherwise (``HW2_DE_LA_FONTAINE_Jean``); identity still read
identity-from-cell     no identity in the name; taken from the ``**STUDENT**:`` cell
filename-extension     the extension is not lower-case ``.ipynb``; identity still read
not-run                no code cell was executed at all (no count, no output)
never-run              some code cells were never executed (no count and no output, while
                       other cells have counts; counts cleared with outputs kept are fine)
out-of-order           execution counts do not increase in cell order
saved-error            a cell's saved outputs contain an error (traceback)
no-authorship          no signed authorship statement near the end
placeholder-left       a code cell still holds the template's placeholder ("WRITE YOUR CODE HERE")
=====================  =====================================================================
"""

from __future__ import annotations

from pathlib import Path

from grader.notebook.identity import check_filename, identity_from_cells
from grader.notebook.model import DEFAULT_OPTIONS, ReadOptions, Submission
from grader.notebook.problems import Problem
from grader.notebook.runfacts import fact_problems, placeholder_problems, run_facts


def load_submission(path: Path, options: ReadOptions = DEFAULT_OPTIONS) -> Submission:
    """Read ``path`` into a ``Submission``; every defect becomes a problem, nothing raises."""
    # imported here: nbformat and PIL cost 0.1 s, and the package's records (``ReadOptions``,
    # sections) are read by commands that never read a notebook (``grader.assignment.describe``)
    from grader.notebook.cells import notebook_cells
    from grader.notebook.reading import read_notebook

    path = Path(path)
    identity, problems = (
        check_filename(path.name, options.prefix) if options.prefix is not None else (None, [])
    )
    notebook, read_problems = read_notebook(path, options.max_bytes, options.max_cells)
    problems += read_problems
    cells = notebook_cells(notebook) if notebook is not None else ()
    if notebook is not None and not cells and not read_problems:
        problems.append(Problem("empty-notebook", f"{path.name} is a notebook without any cells."))
    elif cells and not any(c.cell_type == "code" and c.source.strip() for c in cells):
        problems.append(Problem("no-code", f"{path.name} has no code cell with code in it."))
    if identity is None and cells:
        identity = identity_from_cells(cells, options)
        if identity is not None:
            problems.append(
                Problem(
                    "identity-from-cell",
                    f"The name was taken from the notebook's STUDENT cell: {identity.last_name}, "
                    f"{identity.first_name}.",
                )
            )
    facts = run_facts(cells, options)
    if cells:
        problems += fact_problems(cells, facts)
        problems += placeholder_problems(cells, options)
    return Submission(path=path, identity=identity, cells=cells, problems=problems, facts=facts)
