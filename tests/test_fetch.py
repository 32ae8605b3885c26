"""Fetching reports over HTTP: a real local server, and mock transports.

Nothing here reaches the internet.  The local server (uvicorn on 127.0.0.1,
random port) exercises real sockets, streaming and redirects, which needs
``allow_private=True``; refusing that same server without the flag is the
loopback test.  Hostnames in mock-transport tests are "resolved" by a
stand-in for :func:`ingest.fetch.resolve_host`, so no DNS query is made.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ingest import fetch
from ingest.fetch import USER_AGENT, address_problem, check_target, fetch_url
from ingest.sources import APPLICATION_PDF, TEXT_HTML, BlockedTarget, FetchError, NotAReport, TooLarge

ROOT = Path(__file__).resolve().parent.parent
GBK_PAGE = (Path(__file__).resolve().parent / "fixtures" / "pages" / "gbk-report.html").read_bytes()
PDF = (ROOT / "data" / "reports" / "pdf" / "hongze-district-2023.pdf").read_bytes()
SHORT_REPORT = (ROOT / "data" / "reports" / "pingtan-discipline-2017.txt").read_text(encoding="utf-8")
PUBLIC_IP = "1.2.3.4"  # a global address; mock transports never connect to it


# --------------------------------------------------------------------------
# a local server


class LocalServer:
    """A starlette app served by uvicorn in a thread; records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, user-agent)
        app = Starlette(
            routes=[
                Route("/gbk-report.html", self._gbk),
                Route("/redirect/{n:int}", self._redirect),
                Route("/report.pdf", self._pdf),
                Route("/big-stream", self._big_stream),
                Route("/big-declared", self._big_declared),
                Route("/login", self._login),
                Route("/gone", self._gone),
            ]
        )
        self._app = app
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("local test server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def _log(self, request: Request) -> None:
        self.requests.append((request.url.path, request.headers.get("user-agent", "")))

    async def _gbk(self, request: Request) -> Response:
        self._log(request)
        return Response(GBK_PAGE, media_type="text/html")  # no charset: the page's <meta> decides

    async def _redirect(self, request: Request) -> Response:
        self._log(request)
        n = int(request.path_params["n"])
        target = f"/redirect/{n - 1}" if n > 0 else "/gbk-report.html"
        return RedirectResponse(target, status_code=302 if n % 2 else 301)

    async def _pdf(self, request: Request) -> Response:
        self._log(request)
        return Response(PDF, media_type="application/octet-stream")

    async def _big_stream(self, request: Request) -> Response:
        self._log(request)

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(64):
                yield b"x" * 1024

        return StreamingResponse(chunks(), media_type="text/plain")  # chunked: no Content-Length

    async def _big_declared(self, request: Request) -> Response:
        self._log(request)
        return Response(b"y" * 5000, media_type="text/plain")

    async def _login(self, request: Request) -> Response:
        self._log(request)
        return Response("<html><body><form>请登录</form></body></html>", media_type="text/html")

    async def _gone(self, request: Request) -> Response:
        self._log(request)
        return Response("not found", status_code=404)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


def test_gbk_page_over_http(server: LocalServer) -> None:
    doc = fetch_url(server.url("/gbk-report.html"), allow_private=True)
    assert doc.media_type == TEXT_HTML
    assert doc.raw_encoding == "gb18030"
    assert doc.text.startswith("平潭综合实验区纪工委2017年政府信息公开年度报告\n")
    assert "联系人：陈堃" in doc.text
    assert "当前位置" not in doc.text
    assert doc.meta.index_number == "MB1F42305P/2018-00007"
    assert doc.meta.published == "2018-01-15"
    assert doc.meta.source_url == server.url("/gbk-report.html")
    assert server.requests[-1] == ("/gbk-report.html", USER_AGENT)


def test_five_redirects_are_followed_and_the_final_url_recorded(server: LocalServer) -> None:
    doc = fetch_url(server.url("/redirect/4"), allow_private=True)  # 4→3→2→1→0→page: 5 redirects
    assert doc.meta.source_url == server.url("/gbk-report.html")
    assert "平潭综合实验区纪工委" in doc.text


def test_more_than_five_redirects_are_refused(server: LocalServer) -> None:
    before = len(server.requests)
    with pytest.raises(FetchError, match="too many redirects"):
        fetch_url(server.url("/redirect/5"), allow_private=True)
    assert len(server.requests) - before == 6  # the page itself is never requested


def test_pdf_over_http_is_detected_by_content(server: LocalServer) -> None:
    doc = fetch_url(server.url("/report.pdf"), allow_private=True)
    assert doc.media_type == APPLICATION_PDF
    assert doc.meta.source_url == server.url("/report.pdf")
    assert "洪泽区" in doc.text


def test_streamed_body_over_the_cap_is_refused(server: LocalServer) -> None:
    with pytest.raises(TooLarge, match="10,000-byte limit"):
        fetch_url(server.url("/big-stream"), allow_private=True, max_bytes=10_000)


def test_declared_length_over_the_cap_is_refused(server: LocalServer) -> None:
    with pytest.raises(TooLarge, match="5,000 bytes"):
        fetch_url(server.url("/big-declared"), allow_private=True, max_bytes=1_000)


def test_http_404_is_an_error_with_the_status(server: LocalServer) -> None:
    with pytest.raises(FetchError, match="HTTP 404") as info:
        fetch_url(server.url("/gone"), allow_private=True)
    assert info.value.status == 404


def test_fetched_page_that_is_not_a_report(server: LocalServer) -> None:
    with pytest.raises(NotAReport):
        fetch_url(server.url("/login"), allow_private=True)


def test_loopback_is_refused_without_the_flag(server: LocalServer) -> None:
    before = len(server.requests)
    with pytest.raises(BlockedTarget, match="loopback"):
        fetch_url(server.url("/gbk-report.html"))
    with pytest.raises(BlockedTarget, match="loopback"):
        fetch_url(f"http://localhost:{server.port}/gbk-report.html")
    assert len(server.requests) == before  # refused before connecting


def test_connection_refused_is_a_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once closed
    with pytest.raises(FetchError, match="could not fetch"):
        fetch_url(f"http://127.0.0.1:{port}/", allow_private=True, timeout=2)


# --------------------------------------------------------------------------
# mock transports


Handler = Callable[[httpx.Request], httpx.Response]


def _mock(handler: Handler, seen: list[httpx.Request]) -> httpx.MockTransport:
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return httpx.MockTransport(record)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A fake resolver: hostname → addresses; unknown names fail like DNS."""
    table: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[fetch.IPAddress]:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in table[host]]

    monkeypatch.setattr(fetch, "resolve_host", resolve)
    return table


def test_headers_and_http_charset(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    seen: list[httpx.Request] = []
    body = SHORT_REPORT.encode("gbk")
    transport = _mock(
        lambda r: httpx.Response(200, content=body, headers={"content-type": "text/plain; charset=gbk"}), seen
    )
    doc = fetch_url("https://www.example.gov.cn/nb/2017.txt", transport=transport)
    assert doc.text == SHORT_REPORT
    assert doc.raw_encoding == "gb18030"
    assert doc.meta.source_url == "https://www.example.gov.cn/nb/2017.txt"
    assert seen[0].headers["user-agent"] == USER_AGENT


def test_relative_redirect_to_a_private_address_is_refused(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    dns["intranet.example.gov.cn"] = ["10.0.0.8"]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return httpx.Response(302, headers={"location": "/next"})
        if request.url.path == "/next":
            return httpx.Response(307, headers={"location": "http://intranet.example.gov.cn/admin"})
        return httpx.Response(200, text="secret")

    with pytest.raises(BlockedTarget, match=r"private address \(10\.0\.0\.8\)"):
        fetch_url("http://www.example.gov.cn/start", transport=_mock(handler, seen))
    assert [str(r.url) for r in seen] == ["http://www.example.gov.cn/start", "http://www.example.gov.cn/next"]


def test_redirect_to_cloud_metadata_ip_is_refused(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    seen: list[httpx.Request] = []
    handler: Handler = lambda r: httpx.Response(301, headers={"location": "http://169.254.169.254/latest/meta-data/"})  # noqa: E731
    with pytest.raises(BlockedTarget, match="link-local"):
        fetch_url("http://www.example.gov.cn/", transport=_mock(handler, seen))
    assert len(seen) == 1


def test_redirect_to_another_scheme_is_refused(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    seen: list[httpx.Request] = []
    handler: Handler = lambda r: httpx.Response(302, headers={"location": "file:///etc/passwd"})  # noqa: E731
    with pytest.raises(BlockedTarget, match="only http and https"):
        fetch_url("http://www.example.gov.cn/", transport=_mock(handler, seen))


def test_host_with_any_private_address_is_refused(dns: dict[str, list[str]]) -> None:
    dns["mixed.example.gov.cn"] = [PUBLIC_IP, "192.168.1.10"]
    seen: list[httpx.Request] = []
    with pytest.raises(BlockedTarget, match="private"):
        fetch_url("http://mixed.example.gov.cn/", transport=_mock(lambda r: httpx.Response(200), seen))
    assert seen == []


def test_unresolvable_host(dns: dict[str, list[str]]) -> None:
    with pytest.raises(FetchError, match="cannot resolve host"):
        fetch_url("http://no-such-host.example.gov.cn/", transport=_mock(lambda r: httpx.Response(200), []))


def test_private_hosts_are_allowed_with_the_flag(dns: dict[str, list[str]]) -> None:
    seen: list[httpx.Request] = []
    transport = _mock(lambda r: httpx.Response(200, text=SHORT_REPORT), seen)
    doc = fetch_url("http://10.0.0.8/report.txt", allow_private=True, transport=transport)
    assert doc.text == SHORT_REPORT


@pytest.mark.parametrize(
    "url",
    [
        "ftp://www.example.gov.cn/report.pdf",
        "file:///etc/passwd",
        "gopher://127.0.0.1/",
        "http:///no-host",
    ],
)
def test_bad_schemes_and_hosts_are_refused_even_with_the_flag(url: str) -> None:
    with pytest.raises(BlockedTarget):
        fetch_url(url, allow_private=True, transport=_mock(lambda r: httpx.Response(200), []))


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1/", "loopback"),
        ("http://127.8.9.10:8080/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://10.1.2.3/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://169.254.169.254/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://100.64.0.1/", "non-public"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[2002:c0a8:0101::1]/", "private"),  # 6to4 wrapping 192.168.1.1
    ],
)
def test_non_public_ip_literals_are_refused(url: str, problem: str) -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(BlockedTarget, match=f"is a {problem} address"):
        fetch_url(url, transport=_mock(lambda r: httpx.Response(200), seen))
    assert seen == []


@pytest.mark.parametrize("address", ["1.2.3.4", "220.181.38.148", "2400:da00::6666"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_check_target_accepts_a_public_ip_literal() -> None:
    check_target(httpx.URL("https://1.2.3.4/report.html"), allow_private=False)


def test_status_errors_carry_the_status(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    for status in (403, 500, 503):

        def respond(request: httpx.Request, status: int = status) -> httpx.Response:
            return httpx.Response(status)

        with pytest.raises(FetchError, match=f"HTTP {status}") as info:
            fetch_url("http://www.example.gov.cn/", transport=_mock(respond, []))
        assert info.value.status == status


def test_redirect_without_location(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    with pytest.raises(FetchError, match="without a Location"):
        fetch_url("http://www.example.gov.cn/", transport=_mock(lambda r: httpx.Response(302), []))


def test_timeouts_and_network_errors_become_fetch_errors(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection reset", request=request)

    with pytest.raises(FetchError, match="timed out after 3s"):
        fetch_url("http://www.example.gov.cn/", timeout=3, transport=_mock(slow, []))
    with pytest.raises(FetchError, match="connection reset"):
        fetch_url("http://www.example.gov.cn/", transport=_mock(broken, []))


def test_content_disposition_names_the_file(dns: dict[str, list[str]]) -> None:
    dns["www.example.gov.cn"] = [PUBLIC_IP]
    headers = {
        "content-type": "application/octet-stream",
        "content-disposition": "attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf",
    }
    transport = _mock(lambda r: httpx.Response(200, content=PDF, headers=headers), [])
    doc = fetch_url("http://www.example.gov.cn/download.do?id=7", transport=transport)
    assert doc.media_type == APPLICATION_PDF
    assert doc.meta.source_url == "http://www.example.gov.cn/download.do?id=7"


def test_invalid_url() -> None:
    with pytest.raises(FetchError):
        fetch_url("http://[not-an-ip/", transport=_mock(lambda r: httpx.Response(200), []))


@pytest.mark.parametrize("host", ["2130706433", "0x7f.0.0.1", "017700000001", "127.1"])
def test_odd_ipv4_notations_are_resolved_before_judging(host: str) -> None:
    # Numeric forms are parsed by the system resolver without any DNS query.
    seen: list[httpx.Request] = []
    with pytest.raises(BlockedTarget, match=r"loopback address \(127\.0\.0\.1\)"):
        fetch_url(f"http://{host}/", transport=_mock(lambda r: httpx.Response(200), seen))
    assert seen == []


def test_connected_peer_is_checked_again(server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A DNS answer that changes after the check (rebinding) is caught at connect time."""
    monkeypatch.setattr(fetch, "check_target", lambda url, *, allow_private: None)
    with pytest.raises(BlockedTarget, match="connected to a loopback address"):
        fetch_url(server.url("/gbk-report.html"))
