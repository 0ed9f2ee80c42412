"""How much of what a student controls may enter a report.

A report repeats student-provided text (messages with their exception text, values their code
returned, saved outputs, written answers, file names); every such field is clipped, and its
control characters and undecodable bytes escaped, where the report's records are built
(``grader.model.results``, ``grader.notebook.problems``). So no notebook can make its report, the class
summary or the gradebook grow without bound, stop them from being written (a file name that
is not UTF-8), or act on a terminal (escape sequences, a forged progress line).
"""

from __future__ import annotations

import re

MAX_MESSAGE = 2_000  # a check's message, a counterexample field, a problem's message
MAX_ANSWER = 20_000  # a written answer shown for marking by hand
MAX_READ_TEXT = 5_000  # a numeric task's text and outputs, shown to explain its checks' verdict

# What the grader's own process spends on one notebook's text. A check that runs no student
# code (``CheckSpec.runtime`` False) runs outside every budget of the student runtime, so its
# input is clipped and its time bounded (``grader.checks.runner``); its patterns are linear
# (tests/engine/test_linear_patterns.py), which is what keeps it far below the budget.
MAX_CHECKED_TEXT = 1_000_000  # characters of a section's text, answer or outputs a check reads
TRUSTED_CHECK_SECONDS = 10.0  # wall clock of such a check (real ones take milliseconds)

_MARK = " … [truncated]"


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to at most ``limit`` characters, saying so; idempotent."""
    if len(text) <= limit:
        return text
    return text[: limit - len(_MARK)] + _MARK


def clip_middle(text: str, limit: int = MAX_CHECKED_TEXT) -> str:
    """``text`` cut to about ``limit`` characters by dropping its middle, saying how much: a log's
    first and last lines (a training log's final evaluation) are both kept."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n… [{len(text) - 2 * half:,} characters not read] …\n{text[-half:]}"


# C0 controls but tab and line ends, DEL, C1 controls, lone surrogates (undecodable bytes of a
# file name, escaped JSON), U+FFFE/U+FFFF; in a one-line name the line ends and tab too. Any of
# them makes an XML file (JUnit) unreadable, and an escape sequence acts on a terminal.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` with control characters and lone surrogates written as escapes (``\\x1b``;
    an undecodable byte of a file name as ``\\xff``), safe in any UTF-8 file, XML 1.0 and
    terminal: the one guard of every report, page and sheet that shows student text."""
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for a byte that is not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def safe_text(text: str, limit: int = MAX_MESSAGE) -> str:
    """What a report may hold of a student-provided ``text``: printable and clipped."""
    return clip(printable(text), limit)
