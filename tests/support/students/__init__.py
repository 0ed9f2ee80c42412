"""The one library of student code, for the tests and the benchmarks alike.

``variants``: code a student could have written, one string per variant (correct styles, seeded
bugs, hostile code), spliced into the reference notebook by ``tests.support.realform``: the
verdict corpus, the diagnosis, fairness and attack tests. ``authors``: nine authors' whole A2
notebooks and the copies copying students make of them, with the truth of what was copied: the
similarity tests and ``benchmarks/similarity_bench.py``.
"""
