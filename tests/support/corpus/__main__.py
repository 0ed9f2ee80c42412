"""Regenerate the sample class in submissions/ from the verdict corpus:
``python -m tests.support.corpus`` (after ``python -m reference.notebook``)."""

from tests.support.corpus import ROOT, write_samples

for path in write_samples():
    print(f"wrote {path.relative_to(ROOT)}")
