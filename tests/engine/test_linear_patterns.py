"""Every pattern the grader runs over notebook text reads it in linear time.

These regexes run in the grader's own process, outside any submission's time budget: one that
backtracks quadratically (``^\\s*SUCCESS`` under MULTILINE retries ``\\s*`` from every line
start of a run of blank lines) lets a notebook of newlines hold a worker for hours. The
patterns are collected from the modules, not listed by hand, so a new one is checked too.

Linear is asserted as a ratio, never a wall-clock threshold: the time on 100 KB of
adversarial text over the time on 10 KB (best of a few runs) stays under 30 (linear gives
about 10, quadratic about 100). A timer at 30 times the 10 KB time only stops a run whose
ratio has already failed, so that a quadratic pattern fails in seconds rather than minutes.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType, SimpleNamespace

from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

import grader.reports.text as report_text
from grader.assignments.a2 import evidence, hidden
from grader.common import bounds
from grader.notebook import cells as notebook_cells
from grader.notebook import identity, model, sections
from grader.notebook.model import Cell, Output, Submission
from grader.similarity import documents, fingerprints

#: Modules that run regexes over what a student wrote (cells, outputs, answers, names).
MODULES: tuple[ModuleType, ...] = (
    sections, identity, notebook_cells, evidence, hidden, documents, fingerprints, bounds, report_text,
)  # fmt: skip

#: Twenty times the text: a linear reader takes about 20 times as long, a quadratic one about
#: 400 times. The bar sits between with a factor of 4 either way: at 10 times the text (10 vs
#: 100) a busy CI machine once measured 31 to 38 for every pattern at once, past a bar of 30.
SMALL, LARGE = 5_000, 100_000
MAX_RATIO = 80.0


def _module_patterns() -> dict[str, re.Pattern[str]]:
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found[f"{module.__name__}.{name}"] = value
    return found


def _pack_patterns() -> dict[str, re.Pattern[str]]:
    """Patterns kept as strings, compiled with the flags their readers use."""
    found: dict[str, re.Pattern[str]] = {}
    for k, p in enumerate(model.DEFAULT_AUTHORSHIP_PATTERNS + model.DEFAULT_UNSIGNED_PATTERNS):
        found[f"notebook.authorship[{k}]"] = re.compile(p)
    for k, p in enumerate(model.DEFAULT_PLACEHOLDER_PATTERNS):
        found[f"notebook.placeholder[{k}]"] = re.compile(p, re.MULTILINE)
    rules = evidence.SECTION_RULES
    for task, patterns in rules.headings.items():
        for k, p in enumerate(patterns):
            found[f"a2.heading[{task}][{k}]"] = re.compile(p, re.IGNORECASE)
    for task, patterns in rules.anchors.items():
        for k, p in enumerate(patterns):
            found[f"a2.anchor[{task}][{k}]"] = re.compile(p, re.MULTILINE)
    for task in ("1.4", "3.6"):  # every task's pattern is the same but for the id
        found[f"sections.task_pattern({task})"] = sections.task_pattern(task)
        found[f"sections.banner_pattern({task})"] = sections.banner_pattern(task)
    return found


PATTERNS = {**_module_patterns(), **_pack_patterns()}


def _scan(pattern: re.Pattern[str]) -> Callable[[str], object]:
    """Every match from every position: at least the work of search, sub or findall."""
    return lambda text: sum(1 for _ in pattern.finditer(text))


def _submission(text: str) -> Submission:
    """A notebook whose task 1.4, 1.6, 3.4 and 3.6 questions, answers and outputs share ``text``."""
    tasks = ("1.4", "1.6", "3.4", "3.6")
    part = text[: len(text) // (3 * len(tasks))]
    cells: list[Cell] = []
    for task in tasks:
        cells += [
            Cell(len(cells) + 1, "markdown", f"### :: TASK {task} ::\n{part}"),
            Cell(len(cells) + 2, "code", part, 1, (Output("stream", part),)),
            Cell(len(cells) + 3, "markdown", part),
        ]
    return Submission(Path("A2_DOE_Jane.ipynb"), None, tuple(cells))


def _trusted_checks(text: str) -> None:
    """The pack's checks that run no student code, the 3.6 readers, and the sections' answers."""
    ctx = SimpleNamespace(submission=_submission(text), note=lambda message: None)
    for spec in evidence.CHECKS:
        try:
            spec.func(ctx)
        except evidence.CheckFailed:
            pass
    for part in sections.find_sections(ctx.submission, evidence.TASK_IDS, evidence.SECTION_RULES).values():
        hidden.numbers_in(part.text)
        hidden.shapes_in(part.text)
        assert isinstance(part.answer, str)


READERS: dict[str, Callable[[str], object]] = {
    **{name: _scan(p) for name, p in PATTERNS.items()},
    "hidden.numbers_in": hidden.numbers_in,
    "hidden.shapes_in": hidden.shapes_in,
    "sections.clean_answer": sections.clean_answer,
    "notebook.identity_from_cells": lambda text: identity.identity_from_cells(
        (Cell(1, "markdown", text),), model.DEFAULT_OPTIONS
    ),
    "fingerprints.words": fingerprints.words,
    "documents.neutralise_magics": documents.neutralise_magics,
    "trusted checks": _trusted_checks,
}

#: What makes a regex backtrack: runs of spaces, line ends, digits, marks and separators, and
#: the words its patterns start with.
ATOMS = (
    "\n", "\r\n", " ", "\t", "#", ":", "::", "1", "0", ".", ",", "*", "_", ">", "-", "|", "(", ")",
    "[", "]", "{", "}", "<", "!", "\\", "\\,", "\\begin{", "![", "](", "x", "q", "a", "I", "je",
    "SUCCESS", "SUCCESS:", "FAILURE", "Passed", "grad", "Answer", "answer:", "write your answer here",
    "task", ":: TASK ", "1.4", "3.6", "student", "name:", "def", "train_loop", "raise",
    "Test set: Average loss: ", "Accuracy:", "## ", "### ", "**", "\\times", "258", "×",
)  # fmt: skip

atoms = st.sampled_from(ATOMS)
units = st.lists(atoms, min_size=1, max_size=4).map("".join)


def _sized(head: str, unit: str, size: int) -> str:
    """``head`` then ``unit`` repeated: ``size`` characters (a run is what backtracks)."""
    return (head + unit * (size // len(unit) + 1))[:size]


def _once(read: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    read(text)
    return time.perf_counter() - start


class _Stopped(Exception):
    pass


def _once_within(read: Callable[[str], object], text: str, limit: float) -> float:
    """``_once``, stopped at ``limit`` seconds (then the time is ``inf``, since it is over
    ``limit``): regexes check signals, so a timer in the main thread ends a runaway scan."""
    if threading.current_thread() is not threading.main_thread():
        return _once(read, text)

    def stop(*_: object) -> None:
        raise _Stopped

    previous = signal.signal(signal.SIGALRM, stop)
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        return _once(read, text)
    except _Stopped:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def ratio(read: Callable[[str], object], head: str, unit: str, small: int = SMALL, large: int = LARGE) -> float:
    """Best time on ``large`` characters over best time on ``small`` ones.

    The small text is read ``large // small`` times, each time a copy of its own, so that both
    sides read as many bytes from memory (a 10 KB text read again stays in the processor's
    cache, 100 KB do not). The large one is read until its best time is under the ratio (at
    most 7 times: other processes share the CPU); a run past ``MAX_RATIO`` times the small one
    (no sooner than 50 ms, the timer's own cost) is stopped, since it has failed already, and
    two such runs end the measure."""
    fast = min(_once(read, (_sized(head, unit, small) + "\0")[:-1]) for _ in range(large // small))
    limit, slow, stopped = max(MAX_RATIO * fast, 0.05), float("inf"), 0
    text = _sized(head, unit, large)
    for _ in range(7):
        took = _once_within(read, text, limit)
        slow, stopped = min(slow, took), stopped + (took == float("inf"))
        if slow < MAX_RATIO * fast or stopped == 2:
            break
    return slow / max(fast, 1e-9)


def test_the_patterns_are_collected() -> None:
    """The collection sees the patterns that were found quadratic, and the pack's own."""
    for name in ("grader.assignments.a2.evidence.SUCCESS_LINE", "grader.notebook.sections._PLACEHOLDER",
                 "grader.notebook.identity._STUDENT_CELL", "a2.anchor[1.5][0]", "sections.banner_pattern(1.4)"):  # fmt: skip
        assert name in PATTERNS


# No shrinking: a quadratic example is slow to run again and again, and the failure already
# names the reader and the text.
@settings(max_examples=15, phases=(Phase.explicit, Phase.generate))
@example(head="", unit="\n")  # 30,000 newlines held a worker for 67 s in evidence.gradcheck_success
@given(head=st.lists(atoms, max_size=3).map("".join), unit=units)
def test_every_reader_of_student_text_is_linear(head: str, unit: str) -> None:
    slow = {}
    for name, read in READERS.items():
        found = ratio(read, head, unit)
        if found >= MAX_RATIO:
            slow[name] = round(found)
    assert not slow, f"time at {LARGE:,} ÷ time at {SMALL:,} characters of {head!r} + {unit!r}×n: {slow}"


def test_a_quadratic_pattern_is_caught() -> None:
    """The measure itself: the pattern that held a worker for hours fails it."""
    quadratic = re.compile(r"^\s*SUCCESS", re.MULTILINE)  # evidence.SUCCESS_LINE as it was
    # smaller texts than the property's: the quadratic one takes 0.3 s on 10,000 newlines
    assert ratio(_scan(quadratic), "", "\n", small=2_000, large=20_000) >= MAX_RATIO
    assert ratio(_scan(evidence.SUCCESS_LINE), "", "\n", small=2_000, large=20_000) < MAX_RATIO
