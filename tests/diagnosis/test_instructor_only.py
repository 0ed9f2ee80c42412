"""The catalogue of known mistakes is built from the reference: it never reaches the student kit."""

from __future__ import annotations

from grader.assignment import describe, load_assignment, locate
from grader.kit.audit import Secrets, leaks
from grader.kit.stage import pack_files

INSTRUCTOR_ONLY = ("grader/assignments/a2/mistakes.py", "grader/assignments/a2/diagnosis.py")


def test_the_kits_selection_never_reaches_the_catalogue():
    shipped = pack_files(locate("a2"))
    assert "grader/assignments/a2/public.py" in shipped  # the selection is the pack's check path
    assert not set(INSTRUCTOR_ONLY) & set(shipped)


def test_the_audit_refuses_a_kit_that_holds_it():
    secrets = Secrets((), (), (), instructor_files=describe("a2").instructor_files)
    found = leaks({path: b"" for path in INSTRUCTOR_ONLY}, secrets)
    assert found == [f"{path}: an instructor-only file" for path in INSTRUCTOR_ONLY]


def test_the_self_check_has_no_catalogue():
    assert load_assignment("a2", with_reference=False).diagnose is None
    assert load_assignment("a2").public().diagnose is None
