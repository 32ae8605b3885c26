"""Fetching reports over HTTP(S) without becoming an SSRF proxy.

gongkai fetches URLs that users submit, from a server that may sit next to a
database, a metadata service or an admin panel.  So before every request —
the first and each redirect hop — the target must be ``http``/``https`` and
its host must resolve only to public addresses (no private, loopback,
link-local, multicast, reserved or unspecified ones, IPv4-mapped IPv6
included).  After connecting, the peer address is checked again, which
catches a DNS answer that changed between our lookup and the connection.
``allow_private=True`` turns the address check off for local development and
tests; the caller reads ``GONGKAI_ALLOW_PRIVATE_FETCH=1``, this module does
not look at the environment.

Other limits keep one bad URL from holding a worker: at most
:data:`MAX_REDIRECTS` redirects, a byte cap enforced while streaming (on the
decompressed body, so a gzip bomb stops too), per-operation timeouts plus an
overall deadline against servers that drip bytes.  Environment proxies are
ignored (``trust_env=False``): a proxy would make the connection itself and
the address checks would be checking the wrong hop.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from urllib.parse import unquote

import httpx

from ingest.sources import BlockedTarget, FetchError, SourceDocument, TooLarge, read_bytes

USER_AGENT = "gongkai/0.1 (+open-data; annual-report ingest)"
MAX_REDIRECTS = 5
#: The whole fetch (all hops and the body) may take this many ``timeout``s.
DEADLINE_FACTOR = 6
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ALLOWED_SCHEMES = frozenset({"http", "https"})
_DISPOSITION_NAME = re.compile(r"""filename\*?\s*=\s*(?:[\w-]+'[^']*')?["']?([^"';]+)""", re.IGNORECASE)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """All addresses ``host`` resolves to (a seam for tests to replace)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def address_problem(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched from ("loopback", "private" …), or None.

    IPv4 addresses embedded in IPv6 (``::ffff:127.0.0.1``, 6to4) are judged
    as the IPv4 address they reach.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return address_problem(embedded)
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_target(url: httpx.URL, *, allow_private: bool) -> None:
    """Refuse a URL whose scheme or (unless allowed) address is not public."""
    if url.scheme not in _ALLOWED_SCHEMES:
        raise BlockedTarget(f"refusing {str(url)!r}: only http and https URLs are fetched", url=str(url))
    host = url.raw_host.decode("ascii", errors="replace")
    if not host:
        raise BlockedTarget(f"refusing {str(url)!r}: the URL has no host", url=str(url))
    if allow_private:
        return
    try:
        addresses: list[IPAddress] = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = resolve_host(host, url.port or (443 if url.scheme == "https" else 80))
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"cannot resolve host {url.host!r}: {exc}", url=str(url)) from exc
    for ip in addresses:
        problem = address_problem(ip)
        if problem is not None:
            raise BlockedTarget(
                f"refusing {str(url)!r}: {url.host} is a {problem} address ({ip}); "
                "set GONGKAI_ALLOW_PRIVATE_FETCH=1 to fetch from private networks",
                url=str(url),
            )


def _check_peer(response: httpx.Response, url: httpx.URL, allow_private: bool) -> None:
    """Re-check the address actually connected to (DNS may have changed)."""
    if allow_private:
        return
    stream = response.extensions.get("network_stream")
    if stream is None:  # mock transports have no socket
        return
    peer = stream.get_extra_info("server_addr")
    if not peer:
        return
    ip = ipaddress.ip_address(str(peer[0]).split("%")[0])
    problem = address_problem(ip)
    if problem is not None:
        raise BlockedTarget(f"refusing {str(url)!r}: connected to a {problem} address ({ip})", url=str(url))


def _read_capped(response: httpx.Response, url: httpx.URL, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(
            f"{str(url)!r} is {int(declared):,} bytes, more than the {max_bytes:,}-byte limit",
            url=str(url),
        )
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise TooLarge(f"{str(url)!r} is larger than the {max_bytes:,}-byte limit", url=str(url))
        if time.monotonic() > deadline:
            raise FetchError(f"{str(url)!r} took too long to download", url=str(url))
        chunks.append(chunk)
    return b"".join(chunks)


def _filename(response: httpx.Response, url: httpx.URL) -> str | None:
    """A name for kind detection: Content-Disposition, else the URL's last segment."""
    match = _DISPOSITION_NAME.search(response.headers.get("content-disposition", ""))
    if match:
        return unquote(match.group(1).strip())
    segment = url.path.rsplit("/", 1)[-1]
    return segment or None


def fetch_url(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 20.0,
    max_bytes: int = 20_000_000,
    transport: httpx.BaseTransport | None = None,
) -> SourceDocument:
    """Fetch a report page or file and read it with :func:`read_bytes`.

    ``meta.source_url`` is the final URL after redirects.  Raises
    :class:`BlockedTarget` (scheme/address refused), :class:`TooLarge`,
    :class:`FetchError` (network failure, HTTP status ≥ 400 with ``status``
    set, too many redirects) or any error :func:`read_bytes` raises.
    """
    try:
        current = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"{url!r} is not a valid URL: {exc}", url=url) from exc
    deadline = time.monotonic() + timeout * DEADLINE_FACTOR
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5",
        "Accept-Language": "zh-CN,zh;q=0.9",
    }
    with httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        trust_env=False,
        headers=headers,
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            check_target(current, allow_private=allow_private)
            try:
                response = client.send(client.build_request("GET", current), stream=True)
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out after {timeout:g}s fetching {str(current)!r}", url=str(current)) from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {str(current)!r}: {exc}", url=str(current)) from exc
            try:
                _check_peer(response, current, allow_private)
                status = response.status_code
                if status in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(
                            f"HTTP {status} redirect without a Location from {str(current)!r}",
                            status=status,
                            url=str(current),
                        )
                    current = current.join(location)
                    continue
                if status >= 300:
                    raise FetchError(
                        f"HTTP {status} {response.reason_phrase} for {str(current)!r}",
                        status=status,
                        url=str(current),
                    )
                try:
                    data = _read_capped(response, current, max_bytes, deadline)
                except httpx.HTTPError as exc:
                    raise FetchError(f"download of {str(current)!r} failed: {exc}", url=str(current)) from exc
                content_type = response.headers.get("content-type")
                filename = _filename(response, current)
            finally:
                response.close()
            return read_bytes(data, filename=filename, content_type=content_type, url=str(current))
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS}) starting at {url!r}", url=url)
