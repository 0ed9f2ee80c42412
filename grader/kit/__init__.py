"""The student kit: what students install to run ``grader check`` themselves.

Principle 6 of the design: the self-check runs the same checks through the same code as
instructor grading, with the public checks only and no reference. The kit is that code,
packaged as a wheel, plus a submission-repository template whose CI runs the same command.
"""
