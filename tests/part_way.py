"""A real failure part-way through a write: the database itself refuses a
row once a table holds a given number of rows (a trigger, on SQLite and on
PostgreSQL), as a full disk or a lost connection would in the middle of a
long write. Nothing in the code under test is replaced."""

import contextlib

from django.db import DatabaseError, connection

MESSAGE = "the disk is full"

# What the failure raises: Django's error, or psycopg's own from a COPY
# (which goes through psycopg's cursor, not Django's).
try:
    import psycopg

    FAILED = (DatabaseError, psycopg.Error)
except ImportError:  # pragma: no cover - SQLite-only installs
    FAILED = (DatabaseError,)


@contextlib.contextmanager
def fails_once_table_holds(table: str, rows: int):
    """Inside the block, inserting into ``table`` fails once it holds ``rows`` rows.

    The trigger is dropped on the way out; use with transactional tests
    (``django_db(transaction=True)``) so that what was committed is what
    the code under test committed, not what a test transaction kept."""
    name = f"fail_part_way_{table}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF (SELECT count(*) FROM {table}) >= {int(rows)} THEN RAISE EXCEPTION '{MESSAGE}'; END IF; "
                "RETURN NEW; END $$"
            )
            cursor.execute(f"CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        else:
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE INSERT ON {table} "
                f"WHEN (SELECT count(*) FROM {table}) >= {int(rows)} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
