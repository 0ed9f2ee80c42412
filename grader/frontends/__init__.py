"""The class-level front ends, above the one grading path: a class graded (``batch``, into the
folder ``classfolder`` lays out, by ``pool`` or ``distributed``), marked by hand (``manual``,
``marking``), handed in and back through Moodle (``moodle``: its formats; ``moodle_command``:
``grader moodle``), compared (``similarity``: ``grader similarity``), and a student's notebook
checked live (``livenotebook``). The ``grader`` command (``grader.cli``) and the student's
``grader.selfcheck`` call into them."""
