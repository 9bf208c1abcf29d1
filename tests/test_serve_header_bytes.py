"""Request headers whose bytes are not UTF-8 (a cookie, a teacher's key) are refused like any wrong secret: a 403,
never a 500 with a traceback in the server's terminal (a probe's cookie of bytes 0xff 0xfe did that)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason='needs the web extra: pip install -e ".[test,web]"')

from servekit import Served  # noqa: E402

from annplay.serve.server import same_secret  # noqa: E402


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    if not hasattr(os, "killpg"):
        pytest.skip("POSIX only")
    server = Served(tmp_path)
    try:
        yield server
    finally:
        server.stop()


def _status(port: int, request: bytes) -> int:
    """The status of one raw HTTP/1.1 request (its bytes exactly as given)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
    return int(head.split(b" ", 2)[1])


@pytest.mark.parametrize("path, header", [
    (b"/", b"Cookie: annplay-token-{port}=\xff\xfe"),
    (b"/", b"Cookie: annplay-token-{port}=\xed\xa0\x80"),           # a lone surrogate's UTF-8 form
    (b"/download/abc", b"Cookie: annplay-token-{port}=\xc3"),
    (b"/ws/none/" + b"a" * 22 + b"?width=80&height=24", b"Cookie: annplay-token-{port}=\xff"),
])
def test_a_secret_that_is_not_utf8_is_refused_quietly(served: Served, path: bytes, header: bytes) -> None:
    header = header.replace(b"{port}", str(served.port).encode())
    request = (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1:" + str(served.port).encode() + b"\r\n"
               + header + b"\r\nConnection: close\r\n\r\n")
    assert _status(served.port, request) == 403
    assert "Traceback" not in served.output() and "Error handling request" not in served.output()


@pytest.mark.parametrize("given", ["\udcff\udcfe", "\ud800", "", "x" * 10_000, "é"])
def test_same_secret_is_false_for_anything_else(given: str) -> None:
    assert same_secret(given, "secret") is False
    assert same_secret("secret", "secret") is True
