"""``grader mark``: what it says when there is nothing to mark, and the browser it opens."""

from __future__ import annotations

import re
import webbrowser

from grader.cli import main
from grader.frontends.marking import cli as marking_cli


def test_nothing_graded_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["mark", "--reports", str(tmp_path), "--no-browser"]) == 1
    assert "no graded class in" in capsys.readouterr().err


def test_it_opens_the_browser_on_a_tokened_local_address(sample_class, monkeypatch, capsys):
    opened: list[str] = []
    served: list[marking_cli.Served] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(marking_cli.Served, "run", lambda self: served.append(self))
    assert main(["mark", "--reports", str(sample_class)]) == 0
    (url,) = opened
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{32}", url)
    assert served[0].sock.getsockname() == ("127.0.0.1", int(url.split(":")[2].split("/")[0]))
    assert url in capsys.readouterr().out
    served[0].sock.close()


def test_no_browser_only_prints_the_address(sample_class, monkeypatch, capsys):
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", opened.append)
    monkeypatch.setattr(marking_cli.Served, "run", lambda self: self.sock.close())
    assert main(["mark", "--reports", str(sample_class), "--no-browser"]) == 0
    assert opened == [] and "?token=" in capsys.readouterr().out
