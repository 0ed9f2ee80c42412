"""The marking app over HTTP: the token, the address, what a change request must say."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

from grader.frontends.marking.app import pseudonym
from tests.marking.conftest import App


def _cookie(app: App, value: str | None = None) -> str:
    return f"grader_mark_{urlsplit(app.base).port}={app.token if value is None else value}"


def _request(app: App, method: str, path: str, *, cookie: str = "", host: str = "", body=None):
    where = urlsplit(app.base)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    headers = {"Host": host or where.netloc}
    if cookie:
        headers["Cookie"] = cookie
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, dict(response.getheaders()), response.read().decode()


def test_every_request_needs_the_token(app: App):
    for path in ("/", "/task/1.1", "/static/marking.js", f"/report/{pseudonym('A2_DUBOIS_Hugo')}"):
        assert _request(app, "GET", path)[0] == 403
    assert _request(app, "GET", "/?token=wrong")[0] == 403
    assert _request(app, "POST", "/api/item", body={"task": "1.1", "points": 1, "text": "x"})[0] == 403
    assert _request(app, "GET", "/", cookie=_cookie(app, "wrong"))[0] == 403


def test_the_token_in_the_url_becomes_a_same_site_cookie(app: App):
    status, headers, _ = _request(app, "GET", f"/task/1.1?token={app.token}")
    assert status == 303 and headers["location"].endswith("/task/1.1")
    cookie = headers["set-cookie"]
    assert cookie.startswith(_cookie(app) + ";")  # named by port: two apps' cookies never clash
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    status, headers, page = _request(app, "GET", "/task/1.1", cookie=_cookie(app))
    assert status == 200 and "Expected answer" in page
    assert "default-src 'none'" in headers["content-security-policy"]


def test_another_host_name_is_refused_even_with_the_token(app: App):
    """A site whose name resolves to 127.0.0.1 (DNS rebinding) gets nothing."""
    status, *_ = _request(app, "GET", "/", cookie=_cookie(app), host="evil.example:80")
    assert status == 403


def test_a_bad_change_is_refused_and_changes_nothing(app: App, sample_class):
    cookie = _cookie(app)
    for body in (
        {"task": "9.9", "points": 1, "text": "x"},
        {"task": "1.1", "points": "many", "text": "x"},
        {"task": "1.1", "points": 1, "text": "  "},
    ):
        status, _, said = _request(app, "POST", "/api/item", cookie=cookie, body=body)
        assert status == 400 and "error" in json.loads(said)
    status, _, _ = _request(app, "POST", "/api/apply", cookie=cookie,
                            body={"task": "1.1", "item": 1, "folders": ["../etc"], "on": True})
    assert status == 400
    assert _request(app, "GET", "/", cookie=cookie)[0] == 200  # still serving
    marks = json.loads((sample_class / "manual_marks.json").read_text(encoding="utf-8"))
    assert marks["submissions"] == {}
