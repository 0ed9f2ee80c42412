"""The similarity report as data: what the CSV, JSON and HTML renderers read."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.similarity.compare import SideBySide
from grader.similarity.documents import Document


@dataclass(frozen=True)
class TaskScore:
    """A pair's score on one part: a task's code or its written answer."""

    task: str  # a task id, or "other" (outside every task)
    kind: str  # "code" | "answer"
    score: float
    shared: int  # fingerprints of one side's part found in the other (the larger direction)
    flagged: bool  # at or above the threshold


@dataclass(frozen=True)
class PairResult:
    a: str
    b: str
    score: float  # the highest of ``tasks``
    flagged: bool
    task: str  # the part of the highest score ("" when nothing is shared)
    kind: str
    tasks: tuple[TaskScore, ...]  # every part with a score above zero, highest first
    shared_fragments: int  # runs of matched lines of the highest part, on A's side
    evidence: tuple[SideBySide, ...] = ()  # matched fragments of each flagged part

    @property
    def flagged_tasks(self) -> tuple[TaskScore, ...]:
        return tuple(t for t in self.tasks if t.flagged)

    def best(self, kind: str) -> float:
        """The pair's highest score of one kind (code or answer) over every part."""
        return max((t.score for t in self.tasks if t.kind == kind), default=0.0)


@dataclass(frozen=True)
class SubmissionSummary:
    name: str
    path: str
    parts: tuple[str, ...]  # the tasks found in it (and "other")
    code_fingerprints: int
    text_shingles: int
    problems: tuple[str, ...]  # why it could not be compared; empty when it was


@dataclass
class SimilarityReport:
    threshold: float
    base: list[str]
    submissions: list[SubmissionSummary]
    pairs: list[PairResult]
    clusters: list[list[str]]
    common_fingerprints: dict[str, int]
    parameters: dict[str, object] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # sources, for the HTML view

    @property
    def flagged(self) -> list[PairResult]:
        return [p for p in self.pairs if p.flagged]

    @property
    def not_compared(self) -> list[SubmissionSummary]:
        return [s for s in self.submissions if s.problems]
