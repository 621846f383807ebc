"""Refusals turned into messages, in one place."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages

from survey.refused import Refused


@contextmanager
def refusal_as_message(request) -> Iterator[None]:
    """Run a staff action; if it is refused, show why on the next page (nothing
    was changed) and skip the rest of the block, such as its success message."""
    try:
        yield
    except Refused as exc:
        messages.error(request, str(exc))
