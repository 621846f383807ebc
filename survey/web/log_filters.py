"""Logging helpers that keep request metadata out of every log line."""

import logging


class DropRequestFilter(logging.Filter):
    """Strip the request from log records (DESIGN rule 1).

    Django attaches the request to error records, and handlers such as
    AdminEmailHandler would print its address, user agent and POST data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
