import os
import shutil
import socket
import subprocess
import time

import pytest

from tests.network import free_port


def need(condition: bool, why: str) -> None:
    """Skip on a developer machine without the service; fail on CI."""
    if not condition:
        if os.environ.get("CANDOUR_REQUIRE_SERVICES") == "1":
            pytest.fail(why)
        pytest.skip(why)


class RedisServer:
    """A private, memory-only redis-server on a free port, to stop and start at will."""

    def __init__(self):
        need(shutil.which("redis-server") is not None, "redis-server is not installed")
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process = None
