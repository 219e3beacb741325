"""client_ip: X-Forwarded-For is believed only from TRUSTED_PROXIES, and only up to the first untrusted hop."""

from typing import Any

import pytest

from marketplace.platform.middleware import client_ip
from marketplace.platform.runtime import RUNTIME_KEY
from marketplace.platform.settings import SettingsError, load_settings


class _App:
    def __init__(self, trusted: tuple[str, ...]) -> None:
        settings: Any = type("S", (), {"trusted_proxies": trusted})()
        self.state = {RUNTIME_KEY: type("R", (), {"settings": settings})()}


def _scope(peer: str, forwarded: list[str], trusted: tuple[str, ...] = ("10.0.0.0/8", "2001:db8::/32")) -> Any:
    headers = [(b"x-forwarded-for", value.encode()) for value in forwarded]
    return {"type": "http", "client": (peer, 1234), "headers": headers, "app": _App(trusted)}


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),               # not a proxy: the header is the client's word
    ("10.0.0.1", ["198.51.100.1"], "198.51.100.1"),                 # one trusted proxy
    ("10.0.0.1", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),        # a forged left part is ignored
    ("10.0.0.1", ["198.51.100.1, 10.9.9.9"], "198.51.100.1"),       # two proxies in a chain
    ("10.0.0.1", ["1.2.3.4", "198.51.100.1"], "198.51.100.1"),      # several headers are one list
    ("10.0.0.1", [], "10.0.0.1"),                                   # no header: the proxy itself
    ("10.0.0.1", ["junk, 10.2.2.2"], "10.2.2.2"),                   # malformed: the last trusted hop
    ("2001:db8::1", ["2001:db8:ffff::1, 2a00::5"], "2a00::5"),
    ("::ffff:10.0.0.1", ["198.51.100.1"], "198.51.100.1"),          # IPv4 through an IPv6 socket
    ("testclient", ["198.51.100.1"], None),
])
def test_forwarded_for_only_from_trusted_proxies(peer: str, forwarded: list[str], expected: str | None) -> None:
    assert client_ip(_scope(peer, forwarded)) == expected


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_ip(_scope("10.0.0.1", ["198.51.100.1"], trusted=())) == "10.0.0.1"


def test_trusted_proxies_setting_is_checked(tmp_path: Any) -> None:
    env = {"DATA_DIR": str(tmp_path), "SECRET_KEY": "x" * 40}
    assert load_settings({**env, "TRUSTED_PROXIES": "10.0.0.0/8,192.168.1.1"}).trusted_proxies == (
        "10.0.0.0/8", "192.168.1.1")
    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        load_settings({**env, "TRUSTED_PROXIES": "10.0.0.0/33"})
