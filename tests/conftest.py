"""Shared test configuration.

Hypothesis's built-in ``ci`` profile switches itself on when ``CI`` is set; the suite loads
its own profile explicitly so that local runs and CI draw the same examples.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "grader-tests",
    derandomize=True,
    deadline=None,
    max_examples=50,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("grader-tests")
