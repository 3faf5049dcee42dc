"""Conformance: the official SDK (linq-python 0.65.0) against the built-in emulator over HTTP.

The emulator runs as `linq emulator --port 0` (a real process on loopback); every test starts from
the seed data (POST /_emulator/reset). The binary is taken from $LINQ_BIN (set by scripts/test).
"""
import json
import os
import shutil
import subprocess
import tempfile
import urllib.request

import pytest
from linq import LinqAPIV3

ACME_KEY = "linq-emulator-acme"
GLOBEX_KEY = "linq-emulator-globex"
ACME_LINE = "+15551230001"
ACME_LINE_2 = "+15551230002"
ACME_LINE_3 = "+15551230003"
GLOBEX_LINE = "+15559870001"
ACME_CHAT = "7b3c3a10-0001-4c2e-9a51-000000000001"
ACME_CHAT_2 = "7b3c3a10-0001-4c2e-9a51-000000000002"


class Emulator:
    """A running `linq emulator` process and its control API."""

    def __init__(self):
        binary = os.environ.get("LINQ_BIN", ".build/debug/linq")
        self.state_dir = tempfile.mkdtemp(prefix="linq-conformance-")
        self.process = subprocess.Popen(
            [binary, "emulator", "--port", "0", "--state", os.path.join(self.state_dir, "state.json")],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        banner = b""
        while b"Ctrl-C to stop" not in banner:
            chunk = self.process.stdout.read1(4096)
            if not chunk:
                raise RuntimeError("emulator did not start: " + self.process.stderr.read().decode())
            banner += chunk
        line = next(l for l in banner.decode().splitlines() if "base URL:" in l)
        self.base_url = line.split()[-1]
        self.root = self.base_url.rsplit("/api/partner", 1)[0]

    def control(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.root + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return json.loads(raw) if raw else None

    def fault(self, **fault):
        return self.control("POST", "/_emulator/faults", fault)

    def advance(self, seconds):
        return self.control("POST", "/_emulator/clock", {"advance_seconds": seconds})

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.state_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator():
    running = Emulator()
    yield running
    running.stop()


@pytest.fixture
def emu(emulator):
    emulator.control("POST", "/_emulator/reset")
    return emulator


@pytest.fixture
def client(emu):
    return LinqAPIV3(api_key=ACME_KEY, base_url=emu.base_url, max_retries=0)


@pytest.fixture
def globex(emu):
    return LinqAPIV3(api_key=GLOBEX_KEY, base_url=emu.base_url, max_retries=0)
