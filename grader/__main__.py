"""``python -m grader``: the ``grader`` command, for an environment whose scripts are not on the PATH."""

import sys

from grader.cli import main

sys.exit(main())
