"""The HTTP API: personal keys (keys.py), the operations (endpoints.py),
errors as problem documents (problems.py) and its readable page (docs.py)."""
