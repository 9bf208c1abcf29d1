"""``annplay serve``'s flags and start-up: every problem one line and exit 2; the token by default; warnings."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from annplay import serve as web
from annplay.cli import main


@pytest.fixture
def no_serving(monkeypatch):
    """Run the CLI up to serving, and keep the configuration it would serve with."""
    served = []
    monkeypatch.setattr(web, "serve", served.append)
    monkeypatch.setitem(sys.modules, "textual_serve", object())
    return served


def test_serve_checks_its_address(capsys, no_serving) -> None:
    assert web.is_loopback("127.0.0.1") and web.is_loopback("::1") and web.is_loopback("localhost")
    assert not web.is_loopback("0.0.0.0") and not web.is_loopback("192.168.1.5") and not web.is_loopback("::")
    assert web.warning_for("127.0.0.1") == "" and "0.0.0.0" in web.warning_for("0.0.0.0")
    assert main(["serve", "--port", "0"]) == 2
    assert "--port: 0 is not a port number" in capsys.readouterr().err
    assert main(["serve"]) == 0 and (no_serving[-1].host, no_serving[-1].port) == ("127.0.0.1", 8000)
    assert capsys.readouterr().err == ""
    assert main(["serve", "--host", "0.0.0.0", "--port", "8123"]) == 0 and no_serving[-1].port == 8123
    assert "warning: serving on 0.0.0.0" in capsys.readouterr().err


@pytest.mark.parametrize("host, words", [("999.1.1.1", "--host 999.1.1.1: no such address or host name here"),
                                         ("no-such-host.invalid", "no such address"),
                                         ("192.0.2.1", "--host 192.0.2.1: not an address of this machine")])
def test_a_host_this_machine_does_not_have_is_one_line_before_any_warning(host: str, words: str, capsys,
                                                                         no_serving) -> None:
    """QA probe: --host 999.1.1.1 printed the 'anyone on the network' warning, then 'no such address'."""
    assert main(["serve", "--host", host]) == 2 and no_serving == []
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err and "warning" not in err.lower(), err


def test_a_token_is_made_for_every_bind_and_no_token_is_loopback_only(capsys, no_serving) -> None:
    assert main(["serve"]) == 0 and main(["serve", "--host", "0.0.0.0"]) == 0
    tokens = [config.token for config in no_serving]
    assert all(tokens) and len(set(tokens)) == 2 and all(len(t) >= 24 for t in tokens)
    assert no_serving[0].teacher_key and no_serving[0].teacher_key not in tokens
    capsys.readouterr()
    assert main(["serve", "--no-token"]) == 0 and no_serving[-1].token is None
    assert "WARNING: --no-token" in capsys.readouterr().err
    for host in ("0.0.0.0", "::", "192.168.1.5"):
        assert main(["serve", "--host", host, "--no-token"]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--no-token: only on a loopback address" in err


def test_the_warning_says_what_a_visitor_could_do() -> None:
    text = web.warning_for("0.0.0.0")
    for words in ("token", "CPU", "own session folder", "--host 127.0.0.1"):
        assert words in text


@pytest.mark.parametrize("argv, words", [
    (["--host", ""], "--host: empty"),
    (["--host", "  "], "--host: empty"),
    (["--host", "a/b"], "not an address"),
    (["--max-sessions", "0"], "--max-sessions: 0 is out of range"),
    (["--memory", "10"], "--memory: 10 is out of range"),
    (["--fps", "1000"], "--fps: 1000 is out of range"),
    (["--lesson", "99"], "--lesson: "),
    (["--setup", "ap1:csv=/etc/shadow"], "cannot name files"),
    (["--setup", "nope.toml"], "--setup: "),
])
def test_each_bad_flag_is_one_line_and_exit_2(argv, words, capsys, no_serving) -> None:
    assert main(["serve", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert not no_serving


def test_urls_put_ipv6_in_brackets_and_name_a_real_address_for_every_interface() -> None:
    from annplay.serve.limits import Config

    assert web.url_host("::1") == "[::1]" and web.url_host("127.0.0.1") == "127.0.0.1"
    lines = web.urls(Config(host="::1", port=8461, token="T"))
    assert lines[0].endswith("http://[::1]:8461/?token=T") and "teacher?key=" in lines[1]
    for unspecified in ("0.0.0.0", "::"):
        shown = web.visible_host(unspecified)
        assert shown not in ("0.0.0.0", "::", "") and ":::" not in web.urls(Config(host=unspecified))[0]


def test_a_class_set_up_is_checked_at_start_and_a_file_becomes_a_code(tmp_path: Path, no_serving) -> None:
    toml = tmp_path / "class.toml"
    toml.write_text('[setup]\ndataset = "xor"\nlr = 0.1\n')
    assert main(["serve", "--setup", str(toml), "--lesson", "2"]) == 0
    assert no_serving[-1].setup.startswith("ap1:") and "lr=0.1" in no_serving[-1].setup
    assert no_serving[-1].lesson == "2"


def test_a_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "annplay", "serve", "--port", str(port)], capture_output=True,
                              text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1 and f"--port {port}: the port is in use" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize("host, words", [("192.0.2.1", "--host 192.0.2.1: not an address of this machine"),  # TEST-NET
                                         ("999.1.1.1", "--host 999.1.1.1: no such address or host name here")])
def test_an_address_this_machine_lacks_is_one_line_and_exit_2(host: str, words: str, tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    done = subprocess.run([sys.executable, "-m", "annplay", "serve", "--host", host, "--port", "8391"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and words in done.stderr, done.stderr
    assert "warning" not in done.stderr.lower()                  # no warning about an address that is not served
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_without_the_extra_says_how_to_get_it(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)     # import fails
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and 'pip install "annplay[web]"' in err
