# Gunicorn for production (docker-compose.yml). DESIGN rule 1: the access
# log carries no client address, user agent, referrer or query string, and
# no precise time (the day only), so it cannot be matched to a submission.
import os

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
# Gunicorn logs the address of malformed requests at debug level: stay above it.
loglevel = "warning"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
