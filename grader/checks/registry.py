"""Declaring checks: a decorator that files a function under a task and a name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.checks.fairness import CallForms, ExactHelper

if TYPE_CHECKING:
    from grader.checks.context import Context
    from grader.model.rubric import Rubric


@dataclass(frozen=True)
class CheckSpec:
    """A check as declared: which task it belongs to and what it needs to run.

    ``needs`` are the names the student must define (a missing one makes the check
    ``missing`` without running it). ``isolate`` are names replaced by the reference's
    for a second, isolated run when the check fails as submitted: a failure that goes away
    is blamed on the helper, not on this task (DESIGN principle 3).
    ``uses_reference`` says whether the check needs the reference solution; only checks
    that do not may be public, since the student kit ships without the reference.
    """

    name: str
    task: str
    func: Callable[[Context], None]
    needs: tuple[str, ...] = ()
    isolate: tuple[str, ...] = ()
    uses_reference: bool = True
    runtime: bool = True  # False: the check reads the saved notebook only
    doc: str = ""
    #: Re-runs before the student is blamed (see grader.checks.fairness): provided helpers
    #: made exact, and the graded functions called in the forms the notebook itself uses.
    exact: tuple[ExactHelper, ...] = ()
    forms: tuple[CallForms, ...] = ()


class CheckSet:
    """The checks of one assignment pack, in declaration order."""

    def __init__(self) -> None:
        self._specs: dict[str, CheckSpec] = {}

    def check(
        self,
        task: str,
        name: str,
        *,
        needs: tuple[str, ...] = (),
        isolate: tuple[str, ...] = (),
        uses_reference: bool = True,
        runtime: bool = True,
        exact: tuple[ExactHelper, ...] = (),
        forms: tuple[CallForms, ...] = (),
    ) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
        def register(func: Callable[[Context], None]) -> Callable[[Context], None]:
            if name in self._specs:
                raise ValueError(f"check {name!r} declared twice")
            self._specs[name] = CheckSpec(
                name=name,
                task=task,
                func=func,
                needs=needs,
                isolate=isolate,
                uses_reference=uses_reference,
                runtime=runtime,
                exact=exact,
                forms=forms,
                doc=(func.__doc__ or "").strip().splitlines()[0] if func.__doc__ else "",
            )
            return func

        return register

    @classmethod
    def union(cls, *sets: CheckSet) -> CheckSet:
        merged = cls()
        for checks in sets:
            for spec in checks:
                if spec.name in merged._specs:
                    raise ValueError(f"check {spec.name!r} declared twice")
                merged._specs[spec.name] = spec
        return merged

    def validate(self, rubric: Rubric, *, complete: bool = False) -> None:
        """The rubric names only checks that exist, and public checks need no reference.

        ``complete``: also every declared check must be in the rubric (nothing runs unscored).
        """
        from grader.errors import RubricError

        for task in rubric.tasks:
            for entry in task.checks:
                if entry.name not in self._specs:
                    raise RubricError(f"task {task.id}: no check named {entry.name!r}")
                spec = self._specs[entry.name]
                if spec.task != task.id:
                    raise RubricError(f"check {entry.name!r} belongs to task {spec.task}, listed under {task.id}")
                if entry.visibility == "public" and spec.uses_reference:
                    raise RubricError(f"check {entry.name!r} uses the reference solution, so it cannot be public")
                unknown = sorted({code for code, _ in entry.deduct} - {h.code for h in spec.exact})
                if unknown:
                    raise RubricError(f"check {entry.name!r} deducts for {unknown}, which it never diagnoses (its exact helpers' codes)")
        if complete:
            unscored = set(self._specs) - set(rubric.check_names())
            if unscored:
                raise RubricError(f"checks missing from the rubric: {sorted(unscored)}")

    def __getitem__(self, name: str) -> CheckSpec:
        return self._specs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)
