"""The notebook this kernel is running, as the file a student would hand in.

In Colab there is no file to point at: the notebook is asked of the Colab front end through
its own channel (``google.colab._message.blocking_request("get_ipynb")``, what Colab's
"download .ipynb" uses), which sends it with every output as it is now; its name is the one
in Colab's metadata. In VS Code the kernel is told its file (``__vsc_ipynb_file__``); in
Jupyter the server sets ``JPY_SESSION_NAME`` to the notebook's path. Those read the saved
file, so a student saves first. An explicit path wins over all of these.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path

from grader.errors import LiveNotebookError

#: The name used when the front end does not say one (a file name the report will flag).
UNNAMED = "notebook.ipynb"


def live_notebook(
    path: str | os.PathLike | None = None, expected: str = "LASTNAME_Firstname.ipynb"
) -> tuple[str, bytes]:
    """(file name, notebook bytes) of the running notebook, or of ``path`` when given;
    ``expected`` is the name the pack wants, said when the notebook cannot be found."""
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise LiveNotebookError(f"no such notebook: {file}")
        return file.name, file.read_bytes()
    colab = _from_colab()
    if colab is not None:
        return colab
    saved = _saved_file()
    if saved is not None:
        return saved.name, saved.read_bytes()
    raise LiveNotebookError(
        "could not tell which notebook this is; save it and pass its path, e.g. "
        f"check_this_notebook({expected!r})"
    )


def _from_colab() -> tuple[str, bytes] | None:
    try:  # Colab's own module, present only there: imported by name, it is no dependency
        _message = importlib.import_module("google.colab._message")
    except ImportError:
        return None
    reply = _message.blocking_request("get_ipynb", request="", timeout_sec=120)
    notebook = reply.get("ipynb") if isinstance(reply, dict) else None
    if not isinstance(notebook, dict):
        raise LiveNotebookError("Colab did not send the notebook; run the cell again")
    name = notebook.get("metadata", {}).get("colab", {}).get("name") or UNNAMED
    return Path(name).name, json.dumps(notebook, ensure_ascii=False).encode("utf-8")


def _saved_file() -> Path | None:
    candidates = []
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        candidates.append(shell.user_ns.get("__vsc_ipynb_file__"))
    candidates.append(os.environ.get("JPY_SESSION_NAME"))
    for candidate in candidates:
        if candidate and str(candidate).endswith(".ipynb") and Path(candidate).is_file():
            return Path(candidate)
    return None
