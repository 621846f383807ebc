# Gunicorn for production (docker-compose.yml). DESIGN rule 1: the access
# log carries no client address, user agent, referrer or query string, and
# no precise time (the day only), so it cannot be matched to a submission.
import os

from gunicorn.glogging import Logger

from survey.web.log_filters import DropAddressFilter

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# More than one thread makes each worker a gthread worker (keep-alive, and a
# request's wait for the database's commit overlaps another's work). A new
# connection holds a thread until its first request arrives, so without a
# buffering proxy give a worker as many threads as connections it may hold
# (README, deployment; docs/performance.md has the measurements).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = "-"
access_log_format = '"%(m)s %(U)s" %(s)s'
errorlog = "-"
loglevel = "warning"


class AddresslessLogger(Logger):
    """Gunicorn's logger with every record rewritten to drop client addresses:
    gunicorn warns "Invalid request from ip=..." for a malformed request."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, DropAddressFilter) for f in log.filters):  # setup runs again on reload
                log.addFilter(DropAddressFilter())


logger_class = AddresslessLogger
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
