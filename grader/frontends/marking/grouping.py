"""Answer groups: the answers of one written task that a marker can mark at once.

A class writes the same few answers many times. Answers identical once normalised (case,
spacing, Markdown emphasis, end punctuation) make one group; answers that state one number make
one group per value (``lr = 0.01`` and ``0.010``); blank answers make one group; and groups whose
texts are near duplicates (TF-IDF of character n-grams, cosine at or above ``threshold``) are
merged unless they state different numbers or differ in length by more than the threshold
allows (an answer and its first sentence are not the same answer). An answer the marker moved out of its group stands alone. Every answer is in exactly one
group; a group's key is its first member, so it is stable while its members are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

#: Near duplicates at or above this cosine similarity are grouped, unless the marker moves it.
DEFAULT_THRESHOLD = 0.8
#: An answer "states a number" when it has at most this many words and one number in it.
NUMBER_WORDS = 8

_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:e[-+]?\d+)?")
_MARKUP = re.compile(r"[*_`>#~]+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Group:
    """Answers (report folders) marked as one; ``kind``: blank, same, number, similar, single, apart."""

    key: str
    kind: str
    folders: tuple[str, ...]
    value: str = ""  # the number stated, for a "number" group


def normalise(text: str | None) -> str:
    """What two answers share when they differ only in case, spacing, emphasis or end punctuation."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _MARKUP.sub(" ", text)
    return " ".join(text.split()).strip(" .;:!,")


def stated_number(text: str | None) -> float | None:
    """The one number a short answer states (``lr = 2``, ``0,01``), None for any other answer."""
    norm = normalise(text)
    numbers = {float(n.replace(",", ".")) for n in _NUMBER.findall(norm)}
    if len(numbers) != 1 or len(_WORD.findall(norm)) > NUMBER_WORDS:
        return None
    return numbers.pop()


def group_answers(
    answers: Mapping[str, str | None],
    threshold: float = DEFAULT_THRESHOLD,
    apart: Collection[str] = (),
) -> list[Group]:
    """Report folder -> answer, grouped; largest groups first. ``apart``: folders the marker moved
    out of their group. A ``threshold`` above 1 groups identical answers only."""
    blank = sorted(f for f, a in answers.items() if not normalise(a) and f not in apart)
    groups = [Group(f, "apart", (f,)) for f in sorted(apart) if f in answers]
    if blank:
        groups.append(Group(blank[0], "blank", tuple(blank)))
    exact: dict[str, list[str]] = {}
    for folder in sorted(answers):
        if folder in apart or folder in blank:
            continue
        number = stated_number(answers[folder])
        key = f"number:{number!r}" if number is not None else f"text:{normalise(answers[folder])}"
        exact.setdefault(key, []).append(folder)
    for key, members in _merge_similar(exact, threshold).items():
        kind = "number" if key.startswith("number:") else "same"
        if len(members) == 1:
            kind = "single"
        elif kind == "same" and len({normalise(answers[f]) for f in members}) > 1:
            kind = "similar"
        value = f"{float(key.removeprefix('number:')):g}" if kind == "number" else ""
        groups.append(Group(members[0], kind, tuple(members), value))
    return sorted(groups, key=lambda g: (-len(g.folders), g.key))


def _merge_similar(exact: dict[str, list[str]], threshold: float) -> dict[str, list[str]]:
    """The text groups whose texts are near duplicates, merged (single linkage); numbers kept."""
    texts = [k for k in exact if k.startswith("text:")]
    if len(texts) < 2 or threshold > 1:
        return {k: sorted(v) for k, v in exact.items()}
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(
        [k.removeprefix("text:") for k in texts]
    )
    similar = cosine_similarity(vectors) >= threshold
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    numbers = [sorted(_NUMBER.findall(k)) for k in texts]
    lengths = [len(k) for k in texts]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            # not near duplicates: "lr 0.1" and "lr 0.5"; an answer and its first sentence (or
            # itself behind "it is wrong because"), which share most n-grams but say another thing
            if (
                similar[i, j]
                and numbers[i] == numbers[j]
                and min(lengths[i], lengths[j]) >= threshold * max(lengths[i], lengths[j])
            ):
                parent[root(j)] = root(i)
    merged: dict[str, list[str]] = {k: sorted(v) for k, v in exact.items() if k not in texts}
    clusters: dict[int, list[str]] = {}
    for i, key in enumerate(texts):
        clusters.setdefault(root(i), []).extend(exact[key])
    for members in clusters.values():
        members.sort()
        merged[f"text:{members[0]}"] = members
    return merged
