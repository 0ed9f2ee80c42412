"""The similarity report as data: what the CSV, JSON and HTML renderers read."""

from __future__ import annotations

from dataclasses import dataclass, field

from grader.similarity.compare import SideBySide
from grader.similarity.documents import Document


@dataclass(frozen=True)
class PairResult:
    a: str
    b: str
    score: float
    flagged: bool
    code_score: float
    text_score: float
    shared_fragments: int
    shared_code: int
    shared_text: int
    evidence: tuple[SideBySide, ...] = ()  # matched fragments, kept for flagged pairs


@dataclass(frozen=True)
class SubmissionSummary:
    name: str
    path: str
    code_fingerprints: int
    text_shingles: int
    problems: tuple[str, ...]  # why it could not be compared; empty when it was


@dataclass
class SimilarityReport:
    threshold: float
    base: str | None
    submissions: list[SubmissionSummary]
    pairs: list[PairResult]
    clusters: list[list[str]]
    common_fingerprints: dict[str, int]
    parameters: dict[str, object] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)  # sources, for the HTML view

    @property
    def flagged(self) -> list[PairResult]:
        return [p for p in self.pairs if p.flagged]
