"""Moodle in and out: a "Download all submissions" read as it comes, the grading worksheet and
the feedback-files ZIP written for Moodle's uploads. See ``download``, ``worksheet``, ``feedback``."""
