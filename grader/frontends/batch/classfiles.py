"""The files of the whole class, written once a run's reports are in: the gradebook and summary
over every report of the class folder (earlier runs' included), and a student claimed twice
flagged, also when the other claim came in an earlier run."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from grader.frontends.classfolder import class_reports, flag_shared_identities, write_class_files
from grader.model.results import Report


def write_class(out: Path, reports: Mapping[str, Report], csv_dialect: str) -> dict[str, Report]:
    """Write the class files of ``out`` with ``reports`` (report folder -> report) over those on
    disk; ``reports`` as flagged (a shared identity is a blocking problem)."""
    by_folder = {**class_reports(out), **reports}
    write_class_files(out, {f: by_folder[f] for f in sorted(by_folder)}, csv_dialect)
    flagged = flag_shared_identities(by_folder)
    return {folder: flagged[folder] for folder in reports}
