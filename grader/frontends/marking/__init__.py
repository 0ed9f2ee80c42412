"""``grader mark``: marking a class's written answers in the browser, by answer groups and rubric items."""
