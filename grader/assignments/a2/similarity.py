"""How ``grader similarity`` cuts an A2 notebook into tasks (instructor side only).

The sections are the grader's own (``sections.SECTION_RULES``). The graded definitions belong
to their task wherever a student writes them: a ``gradient_nn`` defined in the cell of task
1.4 is still compared as task 1.2's code.
"""

from grader.api import TaskLayout
from grader.assignments.a2.sections import SECTION_RULES, TASK_IDS

LAYOUT = TaskLayout(
    tasks=TASK_IDS,
    rules=SECTION_RULES,
    owners={
        "gradient_nn": "1.2",
        "gradient_nn_numerical": "1.4",
        "gradcheck": "1.4",
        "train_loop": "1.5",
        "ConvNet": "3.2",
        "train": "3.4",
        "test": "3.4",
    },
)
