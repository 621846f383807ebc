import contextlib

import kombu.pools

from config.celery import app


@contextlib.contextmanager
def broker_at(url: str, transport_options: dict):
    """Point the Celery app at another broker for the duration of a test."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    _reset_pools()
    app.conf.broker_url, app.conf.broker_transport_options = url, transport_options
    try:
        yield
    finally:
        _reset_pools()
        app.conf.broker_url, app.conf.broker_transport_options = saved


def _reset_pools():
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    # kombu keeps producer pools in a global registry keyed by connection;
    # drop them too, or the next publish gets the closed one back.
    kombu.pools.reset()
