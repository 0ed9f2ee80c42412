"""The one grading path (``pipeline``: a notebook in, a ``Report`` out), and the scoring of
check outcomes against the rubric (``scoring``) that it ends with."""
