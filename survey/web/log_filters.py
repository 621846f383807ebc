"""Logging helpers that keep request metadata out of every log line."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter


class DropRequestFilter(logging.Filter):
    """Strip the request from log records (DESIGN rule 1).

    Django attaches the request to error records, and handlers such as
    AdminEmailHandler would print its address, user agent and POST data.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True


# Gunicorn's "Invalid request from ip=<address>: ..." (a warning), and any
# IPv4 address written elsewhere in a message.
_IP_FIELD = re.compile(r"\bip=.*?(?=: |$)")
_IPV4 = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])")


class DropAddressFilter(logging.Filter):
    """Rewrite records that name a client address (DESIGN rule 1): the
    message stays, so the log still says what happened, without the address.
    Gunicorn formats the address into the message itself, so level and
    format settings cannot keep it out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = _IPV4.sub("[address]", _IP_FIELD.sub("ip=[address]", message))
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


# scheme://user:password@host: the password part of any URL.
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.IGNORECASE)


def mask_url_passwords(text: str) -> str:
    """The text with the password of every URL in it replaced by asterisks."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + SafeExceptionReporterFilter.cleansed_substitute, text)


class SafeSettingsFilter(SafeExceptionReporterFilter):
    """Error reports (admin mails, technical 500 pages) show settings with the
    password of every URL-shaped value masked: REDIS_URL, CELERY_BROKER_URL,
    CACHES' LOCATION and any other, whatever its name. Django's own filter
    only masks settings whose *name* looks secret."""

    def cleanse_setting(self, key, value):
        cleansed = super().cleanse_setting(key, value)
        return mask_url_passwords(cleansed) if type(cleansed) is str else cleansed
