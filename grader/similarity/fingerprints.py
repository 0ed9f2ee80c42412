"""Fingerprints of a document: winnowed k-grams of normalised code, word shingles of prose.

Code first loses its statements that do nothing (``normalise``: padding such as ``_n1 = None``
after every line would otherwise cut every k-gram), then goes through copydetect's
``filter_code`` (Pygments tokens; names become ``V``/``F``/``O``, strings ``S``, comments and
whitespace dropped), so renaming, reformatting, comments and padding do not change it;
k-grams of that string are winnowed with copydetect's ``winnow``. The k-gram hash is our own:
copydetect uses Python's ``hash()``, which changes from process to process and would make
reports irreproducible and parallel workers disagree.

Prose is lower-cased, stripped of markup, punctuation and LaTeX's backslashes, and cut into word
n-gram shingles. Every fingerprint remembers where it came from (cell or text unit, first and
last line) so that a report can highlight the matched lines. Fingerprints are sets: the order
of cells and functions does not matter. A document is fingerprinted part by part (one part
per task, see ``parts``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

import numpy as np
from copydetect.utils import filter_code, winnow

from grader.similarity.documents import Document
from grader.similarity.normalise import without_noops

Location = tuple[int, int, int]  # cell index, first line, last line (1-based)
Index = dict[int, list[Location]]  # fingerprint hash -> where it occurs
Order = tuple[tuple[int, ...], ...]  # each cell's (or text unit's) hashes in the order they occur


@dataclass(frozen=True)
class Params:
    """Fingerprinting parameters (characters of normalised code, words of prose)."""

    k: int = 25  # k-gram length in normalised code characters (copydetect's noise threshold)
    window: int = 8  # winnowing window: any match of k + window - 1 characters is found
    shingle: int = 4  # words per prose shingle


@dataclass(frozen=True)
class Fingerprints:
    code: Index
    text: Index
    # the same hashes in reading order: what tells a stretch of shared code from scattered lines
    code_order: Order = ()
    text_order: Order = ()


_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)
_BASE = np.uint64(1_000_003)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the polynomial hash so winnowing's minimum is unbiased."""
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return h ^ (h >> np.uint64(31))


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """Stable 63-bit hashes of every k-character substring of ``text`` (vectorised)."""
    chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(chars) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _BASE + chars[j : j + n]
    return (_mix(h) >> np.uint64(1)).astype(np.int64)


def _original_lines(source: str, filtered: str, offsets: np.ndarray) -> np.ndarray:
    """1-based source line of every character of copydetect's filtered code."""
    positions = np.arange(len(filtered))
    if len(offsets) > 1:
        table = offsets[1:]  # the leading [0, 0] entry is not in position order
        row = np.clip(np.searchsorted(table[:, 0], positions), 0, len(table) - 1)
        # running maximum: copydetect records class names with a non-cumulative offset
        positions = np.maximum.accumulate(positions + table[row, 1])
    newlines = np.array([i for i, ch in enumerate(source) if ch == "\n"], dtype=np.int64)
    return np.searchsorted(newlines, positions, side="left") + 1


# Pygments lexes ``X @Wi`` (the matrix product written without a space) as a decorator, which
# copydetect then keeps verbatim: a copy reformatted that way would share nothing. An ``@``
# after code on its line is an operator; spacing it keeps every line number.
_MATMUL = re.compile(r"(?m)(?<=[^\s@])[ \t]*@(?!=)[ \t]*")


@functools.lru_cache(maxsize=4096)
def cell_fingerprints(source: str, k: int, window: int) -> tuple[tuple[int, int, int], ...]:
    """(hash, first line, last line) of one cell's k-grams, winnowed unless ``window`` is 1.

    Cached: every notebook repeats the handout's cells, which need tokenising only once.
    """
    source = _MATMUL.sub(" @ ", source)
    filtered, offsets = filter_code(source, "cell.py", "python")
    hashes = kgram_hashes(filtered, k)
    if len(hashes) == 0:
        return ()
    hashes, starts = winnow(hashes, window, remove_duplicates=False)
    lines = _original_lines(source, filtered, offsets)
    return tuple(
        (h, int(lines[start]), int(lines[start + k - 1]))
        for h, start in zip(hashes.tolist(), starts.tolist())
    )


def code_index(
    cells: tuple[tuple[int, frozenset[int] | None], ...],
    sources: dict[int, str],
    params: Params,
    *,
    winnowed: bool,
) -> tuple[Index, Order]:
    """Fingerprints of code cells, each cell fingerprinted whole and keeping those that start on
    the given lines (None: all); ``winnowed=False`` keeps every k-gram (for the base files)."""
    index: Index = {}
    order = []
    window = params.window if winnowed else 1
    for cell, lines in cells:
        kept = [
            (h, first, last)
            for h, first, last in cell_fingerprints(sources[cell], params.k, window)
            if lines is None or first in lines
        ]
        for h, first, last in kept:
            index.setdefault(h, []).append((cell, first, last))
        order.append(tuple(h for h, _, _ in kept))
    return index, tuple(order)


# LaTeX is kept as words: a derivation is copied in its formulas (``g_{b_i} = g\, W_o [u > 0]``
# gives g b i g w o u 0). Only environment markers and the backslash of commands go.
# A bracketed run stops at the next opening bracket too, so "<<<<…" or "![![![…" is scanned
# once, not once from each opening (quadratic).
_LATEX = re.compile(r"\\(?:begin|end)\{[^{}\n]*\}|\\(?=[a-zA-Z])")
_MARKUP = re.compile(r"<[^<>\n]*>|!\[[^\[\]]*\]\([^()]*\)|\]\([^()]*\)")
_WORD = re.compile(r"[^\W_]+")


def _blank(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def words(markdown: str) -> list[tuple[str, int]]:
    """Normalised words of a markdown cell with their 1-based line: no markup, case, or LaTeX
    commands' backslashes (formulas count as the words and numbers they are written with)."""
    text = _MARKUP.sub(_blank, _LATEX.sub(_blank, markdown)).lower()
    result = []
    line, seen = 1, 0
    for match in _WORD.finditer(text):
        line += text.count("\n", seen, match.start())
        seen = match.start()
        result.append((match.group(0), line))
    return result


def _stable_hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


def text_index(cells: tuple[tuple[int, str], ...], params: Params) -> tuple[Index, Order]:
    """Word-shingle fingerprints of markdown cells."""
    index: Index = {}
    order = []
    n = params.shingle
    for cell, source in cells:
        ws = words(source)
        hashes = [
            _stable_hash(" ".join(w for w, _ in ws[i : i + n])) for i in range(len(ws) - n + 1)
        ]
        for i, h in enumerate(hashes):
            index.setdefault(h, []).append((cell, ws[i][1], ws[i + n - 1][1]))
        order.append(tuple(hashes))
    return index, tuple(order)


def fingerprint(document: Document, params: Params) -> dict[str, Fingerprints]:
    """Winnowed code fingerprints and prose shingles of each part of a document, by task.

    A text fingerprint's location names the document's text unit, not a notebook cell."""
    sources = without_noops(document.cells)
    prints = {}
    for part in document.parts:
        code, code_order = code_index(part.code, sources, params, winnowed=True)
        texts = tuple((k, document.texts[k].text) for k in part.text)
        text, text_order = text_index(texts, params)
        prints[part.task] = Fingerprints(code, text, code_order, text_order)
    return prints


def base_fingerprints(documents: list[Document], params: Params) -> Fingerprints:
    """Every k-gram and shingle of the base files, so that no provided fragment survives."""
    code: Index = {}
    text: Index = {}
    for document in documents:
        sources = without_noops(document.cells)  # as the submissions' code is
        for part in document.parts:
            cells = tuple((cell, None) for cell, _ in part.code)
            code.update(code_index(cells, sources, params, winnowed=False)[0])
            texts = tuple((k, document.texts[k].text) for k in part.text)
            text.update(text_index(texts, params)[0])
    return Fingerprints(code=code, text=text)
