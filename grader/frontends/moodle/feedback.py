"""The students' feedback files as a ZIP for Moodle's "Upload multiple feedback files in a zip".

Moodle's importer (``assignfeedback_file_zip_importer``) splits each path on ``_`` and reads
the participant id as the second part and the plugin as the third and fourth, so every file
goes in a folder ``<Full name>_<participant id>_assignfeedback_file_/`` (``Participant`` for the
name under blind marking; underscores in a name are spaces, as in Moodle's own download).
Only the student view is packed: ``<report folder>/student/`` written by ``grader grade``, with
hidden checks reduced to a count and no expected answers.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

from grader.frontends.moodle.download import BLIND_NAME
from grader.model.results import Report
from grader.reports import STUDENT_DIR, STUDENT_FILES

#: Moodle's feedback plugin for files.
FEEDBACK_PLUGIN = "assignfeedback_file"
#: A fixed time for every entry, so the same reports give the same bytes.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def feedback_folder(moodle: Mapping) -> str:
    name = (moodle.get("full_name") or BLIND_NAME).replace("_", " ").replace("/", " ").strip()
    return f"{name or BLIND_NAME}_{moodle['participant']}_{FEEDBACK_PLUGIN}_"


def write_feedback_zip(reports_dir: Path, reports: Mapping[str, Report], out: Path) -> list[str]:
    """Write the ZIP; returns the participant ids packed (reports without Moodle data are not)."""
    packed = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for folder, report in sorted(reports.items()):
            if not report.moodle:
                continue
            student = Path(reports_dir) / folder / STUDENT_DIR
            files = [student / name for name in STUDENT_FILES if (student / name).is_file()]
            if not files:
                continue
            prefix = feedback_folder(report.moodle)
            for path in files:
                info = zipfile.ZipInfo(f"{prefix}/{path.name}", date_time=_EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
            packed.append(report.moodle["participant"])
    return packed
