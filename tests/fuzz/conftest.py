import os

from hypothesis import HealthCheck, settings

# `make test` runs a few examples of each property test; `make fuzz` sets
# FUZZ_EXAMPLES high enough for more than 10,000 generated inputs in all.
# Every run draws new inputs (not one fixed set per test, which would try the
# same 60 cases on every run for ever); a failure prints the decorator that
# replays it (print_blob), and the local example database (.hypothesis/)
# tries it first on the next run.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.load_profile("fuzz")
