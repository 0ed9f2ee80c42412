"""A2's tasks and how its notebooks are cut into task sections: read by the pack's ``PACK``
(``section_rules``), the evidence checks and the similarity layout.

Its own module, importing nothing but the declaration's types, so that reading ``PACK`` costs no
checks (the runtime's zygote starts after it).
"""

from grader.api import SectionRules

#: The handout's tasks, in its order.
TASK_IDS = ("1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6")

#: The handout has no banner for 1.5: it is the section "Training the network using
#: backpropagation and experimenting with different parameters", or else the cell that runs
#: train_loop (not the one that defines it).
SECTION_RULES = SectionRules(
    tasks=TASK_IDS,
    headings={"1.5": (r"training\s+the\s+network\s+using\s+back-?propagation",)},
    anchors={"1.5": (r"^(?![^\S\n]*def\b).*\btrain_loop\s*\(",)},
)
