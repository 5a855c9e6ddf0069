"""Where this server is reached, and which host names a request may use: never a request header.

Every absolute URL the server hands out (the emergency system's callback URL and media links, the
dev simulator's address, Atom/CAP feed links) starts with `base_url`: PUBLIC_BASE_URL, or in dev
without it the address of the socket the request arrived on (`scope["server"]`, what the server
is listening at, not what the client claims). `allowed_hosts` feeds the trusted-host check that
answers 400 to any other `Host`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import HTTPConnection

from backend_stub.config import Settings

DEV_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]", "testserver")
WILDCARD_BINDS = ("", "0.0.0.0", "::", "[::]")


def url_host(host: str) -> str:
    """A host as it goes into a URL or a Host header (IPv6 literals bracketed)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def served_at(host: str, port: int) -> str:
    """http://host:port of a server bound to `host` (a wildcard bind: 127.0.0.1)."""
    host = "127.0.0.1" if host in WILDCARD_BINDS else host
    return f"http://{url_host(host)}:{port}"


def base_url(settings: Settings, conn: HTTPConnection) -> str:
    """This server's public base URL, without a trailing slash."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    if not settings.is_dev:  # Settings refuse this; never guess in production
        raise RuntimeError("PUBLIC_BASE_URL is not set")
    host, port = conn.scope.get("server") or ("127.0.0.1", 80)
    return f"http://{url_host(host)}" + ("" if port == 80 else f":{port}")


def allowed_hosts(settings: Settings) -> list[str]:
    """The Host names a request may carry: PUBLIC_BASE_URL's, ALLOWED_HOSTS, and in dev the
    loopback names and the test client's."""
    hosts = list(settings.allowed_host_list)
    if settings.public_base_url:
        name = urlsplit(settings.public_base_url).hostname
        if name:
            hosts.append(url_host(name))
    if settings.is_dev:
        hosts.extend(DEV_HOSTS)
    return sorted({h.lower() for h in hosts})
