"""A toy assignment pack: the smallest pack the engine grades end to end, beside A2.

It lives outside the engine and has its own reference package, ``examples.toyref``. It
is a declaration only: the engine's default loader (``grader.assignment.load_pack``) reads
``rubric.toml``, the public checks of ``public.py`` and, with the reference, the hidden ones
of ``hidden.py``. Named on the command line by its folder (``--assignment
examples/toypack``) or, where it imports, by its module path. The pack author guide
(``docs/pack-author.md``) walks through it.
"""

from grader.api import Limits, Pack, ReadOptions, SectionRules

PACK = Pack(
    name="toy",
    read=ReadOptions(prefix="TOY"),  # TOY_LASTNAME_Firstname.ipynb
    reference="examples.toyref",
    preload=("numpy",),
    kit_dependencies=("numpy>=1.26",),
    limits=Limits(call_timeout=5.0),
    section_rules=SectionRules(tasks=("1", "2", "3")),
)
