"""The grading environment's versions of the libraries that decide what a check draws and sees.

The self-check runs wherever a student is (Colab brings its own numpy and torch): it says when
these differ from the instructor's, since Hypothesis may then draw other examples and a
numerical result may differ in its last digits. Kept equal to ``constraints.txt`` by a test.
"""

from __future__ import annotations

import importlib.metadata

GRADING_PINS = {
    "numpy": "1.26.4",
    "scipy": "1.17.1",
    "torch": "2.14.1",
    "torchvision": "0.29.1",
    "hypothesis": "6.170.17",
}


def differences() -> list[str]:
    """``numpy 2.0.2 here, 1.26.4 when graded`` for each library that differs (or is missing)."""
    found = []
    for name, pinned in GRADING_PINS.items():
        try:
            here = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            here = "not installed"
        if here.split("+")[0] != pinned:  # torch's "+cpu" / "+cu121" builds are the same version
            found.append(f"{name} {here} here, {pinned} when graded")
    return found
