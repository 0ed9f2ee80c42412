"""What grading produces: one Report per submission, the contract every renderer reads.

``report.json`` is ``Report.to_dict()``; other tools (gradebook, Gradescope export, the class
summary) read that JSON, so its shape only grows, never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from grader.common.bounds import MAX_ANSWER, printable, safe_text
from grader.notebook.problems import Problem


class Status(StrEnum):
    """Every status a check or a task can have: ``report.json``'s ``status``, the gradebook's
    and the templates' words (the values are the contract; members compare equal to them).

    Running a check gives passed, failed, error, timeout or missing; scoring adds partial (a
    diagnosis the rubric credits, a partial mark), manual (points awaiting a person) and, for a
    task the student's self-check lists but cannot check (its checks are all hidden), hidden.
    """

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    ERROR = "error"  # the code raised, crashed or ran out of memory; or the grader could not run the check
    TIMEOUT = "timeout"
    MISSING = "missing"  # not in the notebook, or its definition failed
    MANUAL = "manual"
    HIDDEN = "hidden"  # a task with no check here: its checks are hidden, run when the instructor grades


@dataclass(frozen=True)
class Counterexample:
    """The smallest failing input, in a few readable lines (already formatted by the check)."""

    input: str
    expected: str
    got: str

    def __post_init__(self) -> None:
        for name in ("input", "expected", "got"):
            object.__setattr__(self, name, safe_text(getattr(self, name)))

    def to_dict(self) -> dict[str, str]:
        return {"input": self.input, "expected": self.expected, "got": self.got}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Counterexample:
        return cls(input=d["input"], expected=d["expected"], got=d["got"])


@dataclass(frozen=True)
class Diagnosis:
    """A known mistake the student's work matches: what it is, not only that something fails.

    ``code`` is stable (``convnet.pool_stride_1``): the summary groups by it, the rubric may
    give it partial credit. ``label`` is a few words for a table, ``message`` the sentence a
    student reads ("likely cause: ...").
    """

    code: str
    label: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label, "message": self.message}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Diagnosis:
        return cls(code=d["code"], label=d.get("label", d["code"]), message=d.get("message", ""))


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    score: float
    max_score: float
    message: str = ""
    counterexample: Counterexample | None = None
    visibility: str = "public"  # public | hidden
    diagnoses: tuple[Diagnosis, ...] = ()  # known mistakes the failure matches (none claimed: empty)

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "message", safe_text(self.message))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": str(self.status),
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "counterexample": self.counterexample.to_dict() if self.counterexample else None,
            "visibility": self.visibility,
            "diagnoses": [d.to_dict() for d in self.diagnoses],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CheckResult:
        ce = d.get("counterexample")
        return cls(
            name=d["name"],
            status=d["status"],
            score=d["score"],
            max_score=d["max_score"],
            message=d.get("message", ""),
            counterexample=Counterexample.from_dict(ce) if ce else None,
            visibility=d.get("visibility", "public"),
            diagnoses=tuple(Diagnosis.from_dict(x) for x in d.get("diagnoses", ())),
        )


#: Kinds of task whose checks read the section's words and outputs (a count written in any
#: notation): their ``answer`` is that text, shown to explain the verdict.
READ_KINDS = ("numeric",)


@dataclass(frozen=True)
class TaskResult:
    id: str
    title: str
    kind: str  # code | output | written | ...
    status: Status
    score: float
    max_score: float
    checks: tuple[CheckResult, ...] = ()
    answer: str | None = ""  # written tasks: the answer; READ_KINDS: the text read; None: no heading found
    expected_answer: str = ""  # shown to the instructor beside it

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))
        if isinstance(self.answer, str):
            object.__setattr__(self, "answer", safe_text(self.answer, MAX_ANSWER))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "score": self.score,
            "max_score": self.max_score,
            "status": str(self.status),
            "checks": [c.to_dict() for c in self.checks],
            "answer": self.answer,
            "expected_answer": self.expected_answer,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TaskResult:
        return cls(
            id=d["id"],
            title=d["title"],
            kind=d["kind"],
            status=d["status"],
            score=d["score"],
            max_score=d["max_score"],
            checks=tuple(CheckResult.from_dict(c) for c in d.get("checks", ())),
            answer=d.get("answer", ""),
            expected_answer=d.get("expected_answer", ""),
        )


@dataclass(frozen=True)
class Report:
    submission: str  # file name
    student: dict[str, str] | None  # {"last_name", "first_name"} or None
    score: float
    max_score: float
    tasks: tuple[TaskResult, ...]
    problems: tuple[Problem, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)  # seed, grader version, isolation layers, timings
    #: Who Moodle says handed it in (participant id, full name, other files): see ``grader.frontends.moodle``.
    moodle: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "submission", printable(self.submission, one_line=True))

    def to_dict(self) -> dict[str, Any]:
        data = {
            "submission": self.submission,
            "student": self.student,
            "score": self.score,
            "max_score": self.max_score,
            "tasks": [t.to_dict() for t in self.tasks],
            "problems": [p.to_dict() for p in self.problems],
            "meta": self.meta,
        }
        if self.moodle is not None:
            data["moodle"] = self.moodle
        return data

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Read ``report.json`` back; keys added to the contract later are optional here."""
        return cls(
            submission=d["submission"],
            student=d.get("student"),
            score=d["score"],
            max_score=d["max_score"],
            tasks=tuple(TaskResult.from_dict(t) for t in d.get("tasks", ())),
            problems=tuple(
                Problem(
                    code=p["code"], message=p["message"], cell=p.get("cell"), line=p.get("line")
                )
                for p in d.get("problems", ())
            ),
            meta=d.get("meta", {}),
            moodle=d.get("moodle"),
        )
