import os

from hypothesis import HealthCheck, settings

# `make test` runs a few examples of each; `make fuzz` sets FUZZ_EXAMPLES high
# enough for more than 10,000 generated inputs in all.
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("FUZZ_EXAMPLES") is None,  # the quick run is repeatable
)
settings.load_profile("fuzz")
