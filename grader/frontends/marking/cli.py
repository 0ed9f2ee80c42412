"""``grader mark --reports DIR``: serve the marking app on 127.0.0.1 and open it in the browser."""

from __future__ import annotations

import argparse
import getpass
import secrets
import socket
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import MarkingAppError

if TYPE_CHECKING:  # the app and its server cost 1.6 s of CPU (scikit-learn, Starlette): every
    # `grader` command imports this module to build its parser, so they load in `prepare`
    import uvicorn


@dataclass
class Served:
    """A marking app ready to run: its server, the socket it listens on, the address to open."""

    server: uvicorn.Server
    sock: socket.socket
    url: str

    def run(self) -> None:
        """Serve until Ctrl-C (or ``server.should_exit``)."""
        self.server.run(sockets=[self.sock])


def prepare(out: Path, *, port: int = 0, marker: str = "") -> Served:
    """The app over class folder ``out``, bound to 127.0.0.1 (``port`` 0: a free one), with a fresh token."""
    import uvicorn

    from grader.frontends.marking.app import Marking, build_app

    if not (Path(out) / "batch.json").exists() and not any(Path(out).glob("*/report.json")):
        raise MarkingAppError(f"no graded class in {out}: run `grader grade ... --out {out}` first")
    marking = Marking(Path(out), marker or getpass.getuser())
    if not marking.tasks():
        raise MarkingAppError(f"{out}: no written answer to mark")
    token = secrets.token_urlsafe(24)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as error:
        sock.close()
        raise MarkingAppError(f"cannot listen on 127.0.0.1:{port}: {error}") from error
    bound = sock.getsockname()[1]
    config = uvicorn.Config(build_app(marking, token), log_level="warning", lifespan="off")
    return Served(uvicorn.Server(config), sock, f"http://127.0.0.1:{bound}/?token={token}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reports", type=Path, required=True, help="the report folder of `grader grade`")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--marker", default="", help="your name in the audit trail (default: your login)")
    parser.add_argument("--no-browser", action="store_true", help="print the address, do not open a browser")


def run(args: argparse.Namespace) -> int:
    served = prepare(args.reports, port=args.port, marker=args.marker)
    print(f"marking {args.reports} at {served.url}\n(Ctrl-C to stop; every mark is saved as it is made)")
    if not args.no_browser:
        webbrowser.open(served.url)
    served.run()
    return 0
