"""The marking web app: a graded class folder's written answers, by groups, with rubric items.

Pages are rendered on the server (Jinja, the grader's one template factory); one small script
of the package's own handles the keys and sends each change as JSON. Every change is written to
the store (``grader.frontends.marking.store``) and then published by ``manual.publish_marks``, the path the
CSV import takes: ``manual_marks.json``, the re-scored reports, the gradebook and the summary.

The app serves one person's machine: it listens on 127.0.0.1 only, answers only requests that
carry the random token (in the URL once, then a same-site cookie) and name it by that address,
and loads nothing from elsewhere (its content security policy says so to the browser too).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from grader.common import templating
from grader.common.render import render_answer
from grader.frontends.classfolder import class_reports, load_marks
from grader.frontends.manual import maxima, publish_marks, written_tasks
from grader.frontends.marking.grouping import DEFAULT_THRESHOLD, group_answers, normalise
from grader.frontends.marking.store import AnswerState, Store
from grader.model.results import Report
from grader.reports.text import points, student_name

#: The token's cookie, one per port: a browser sends 127.0.0.1's cookies to every port, and two
#: classes may be marked at once.
COOKIE = "grader_mark_{port}"
#: Keys 1..9 apply the first nine items of a task.
KEYS = 9
_STATIC = {"marking.js": "text/javascript", "marking.css": "text/css"}
_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"


@dataclass
class Marking:
    """The class being marked: its reports (read once), its store, and who marks by default."""

    out: Path
    marker: str
    reports: dict[str, Report] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        self.reports = class_reports(self.out)
        self.store = Store(self.out)
        self.maxima = maxima(self.reports)
        #: what pages and requests call each submission: its folder names the student
        self.ids = {pseudonym(folder): folder for folder in self.reports}
        # marks imported from a sheet before (or without) the app stay, as the store's own
        self.store.adopt_sheet(load_marks(self.out), self.maxima, "manual_marks.json")
        self.publish()

    def publish(self) -> list[str]:
        """The store's marks into manual_marks.json and every file made from them."""
        with self.lock:
            return publish_marks(self.out, self.reports, self.store.marks(self.maxima))

    def tasks(self) -> list[dict[str, Any]]:
        """Each written task with its title, points, expected answer and marking progress."""
        found: dict[str, dict[str, Any]] = {}
        states = self.store.answers()
        for folder, report in self.reports.items():
            for task_id, top in written_tasks(report).items():
                task = next(t for t in report.tasks if t.id == task_id)
                entry = found.setdefault(task_id, {
                    "id": task_id, "title": task.title, "max": top,
                    "expected": task.expected_answer, "answers": 0, "marked": 0,
                })  # fmt: skip
                entry["answers"] += 1
                entry["marked"] += (folder, task_id) in states
        return list(found.values())

    def answers(self, task: str) -> dict[str, str | None]:
        return {
            folder: next(t.answer for t in report.tasks if t.id == task)
            for folder, report in self.reports.items()
            if task in written_tasks(report)
        }

    def label(self, folder: str, names: bool) -> str:
        """The student's name when asked for, else the pseudonym."""
        if names:
            return f"{student_name(self.reports[folder])} ({folder})"
        return f"Student {pseudonym(folder)}"


def pseudonym(folder: str) -> str:
    """What the pages call a submission: stable across tasks and sessions, and no name in it."""
    return hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def _task_view(marking: Marking, task: dict[str, Any], threshold: float, names: bool) -> dict[str, Any]:
    answers = marking.answers(task["id"])
    items = marking.store.items(task["id"])
    states = {f: s for (f, _), s in marking.store.answers(task["id"]).items()}
    marks = marking.store.marks(marking.maxima)
    groups = []
    for group in group_answers(answers, threshold, marking.store.apart(task["id"])):
        first = normalise(answers[group.folders[0]])
        members = []
        for folder in group.folders:
            state = states.get(folder, AnswerState(frozenset(), 0.0, "", None, ""))
            mark = marks.get(folder, {}).get(task["id"])
            members.append({
                "id": pseudonym(folder),
                "label": marking.label(folder, names),
                "answer": render_answer(answers[folder]) if normalise(answers[folder]) != first else None,
                "state": state,
                "score": points(mark.score) if mark else None,
                "link": f"/report/{pseudonym(folder)}" if names else None,
            })  # fmt: skip
        applied = [states[f].items for f in group.folders if f in states]
        counts = {i.id: sum(i.id in a for a in applied) for i in items}
        groups.append({
            "key": group.key, "kind": group.kind, "value": group.value,
            "answer": render_answer(answers[group.folders[0]]),
            "blank": not first, "members": members, "counts": counts,
            "marked": sum(m["score"] is not None for m in members),
            "everywhere": [i for i, n in counts.items() if n == len(members)],
        })  # fmt: skip
    return {"task": task, "items": items, "groups": groups, "threshold": threshold, "names": names}


def _environment() -> Environment:
    return templating.environment(
        "grader.frontends.marking",
        filters={"answer_html": render_answer, "points": points},
    )


def build_app(marking: Marking, token: str) -> Starlette:
    """The app over ``marking``, answering only requests that carry ``token``."""
    env = _environment()

    def page(name: str, **context: Any) -> HTMLResponse:
        return HTMLResponse(env.get_template(name).render(**context), headers={"Content-Security-Policy": _CSP})

    def find_task(task_id: str) -> dict[str, Any] | None:
        return next((t for t in marking.tasks() if t["id"] == task_id), None)

    async def index(request: Request) -> Response:
        tasks = marking.tasks()
        total, marked = sum(t["answers"] for t in tasks), sum(t["marked"] for t in tasks)
        return page("index.html", tasks=tasks, total=total, marked=marked, out=str(marking.out))

    async def task_page(request: Request) -> Response:
        task = find_task(request.path_params["task"])
        if task is None:
            return PlainTextResponse("no such written task", status_code=404)
        try:
            threshold = min(max(float(request.query_params.get("threshold", DEFAULT_THRESHOLD)), 0.0), 1.01)
        except ValueError:
            threshold = DEFAULT_THRESHOLD
        names = request.query_params.get("names") == "1"
        return page("task.html", keys=KEYS, marker=marking.marker, **_task_view(marking, task, threshold, names))

    async def report(request: Request) -> Response:
        folder = marking.ids.get(request.path_params["id"])
        if folder is None:
            return PlainTextResponse("no such submission", status_code=404)
        html = (marking.out / folder / "report.html").read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:"})

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _STATIC:
            return PlainTextResponse("not found", status_code=404)
        body = resources.files("grader.frontends.marking").joinpath("static", name).read_text(encoding="utf-8")
        return Response(body, media_type=_STATIC[name])

    def change(action: Callable[[dict[str, Any], str], Any]) -> Callable[[Request], Awaitable[Response]]:
        """A POST that changes the store: JSON in, the store written, the marks published."""

        async def endpoint(request: Request) -> Response:
            try:
                body = await request.json()
                if not isinstance(body, dict):
                    raise TypeError("a JSON object is expected")
                who = str(body.get("marker") or marking.marker)[:100]
                # off the event loop: re-rendering a class's reports takes seconds, and another
                # marker's pages must not wait for it
                result = await run_in_threadpool(action, body, who)
            except (ValueError, KeyError, TypeError) as error:
                return JSONResponse({"error": str(error)}, status_code=400)
            changed = await run_in_threadpool(marking.publish)
            return JSONResponse({"ok": True, "result": result, "republished": changed})

        return endpoint

    def written(body: dict[str, Any]) -> tuple[str, float]:
        task = find_task(str(body["task"]))
        if task is None:
            raise KeyError(f"no written task {body['task']!r}")
        return task["id"], task["max"]

    def folders(body: dict[str, Any]) -> list[str]:
        """The report folders of the submissions a request names (by their pseudonyms)."""
        chosen = [str(i) for i in body["folders"]]
        unknown = [i for i in chosen if i not in marking.ids]
        if unknown:
            raise KeyError(f"unknown submission(s): {unknown}")
        return [marking.ids[i] for i in chosen]

    def number(value: Any) -> float:
        result = float(value)
        if not math.isfinite(result) or abs(result) > 1e6:
            raise ValueError(f"not a usable number of points: {value!r}")
        return result

    def add_item(body: dict[str, Any], who: str) -> int:
        task, _ = written(body)
        text = str(body["text"]).strip()
        if not text:
            raise ValueError("an item needs a comment")
        return marking.store.add_item(task, number(body["points"]), text[:2000], who)

    def edit_item(body: dict[str, Any], who: str) -> None:
        text = str(body["text"]).strip()
        if not text:
            raise ValueError("an item needs a comment")
        marking.store.edit_item(int(body["item"]), number(body["points"]), text[:2000], who)

    def delete_item(body: dict[str, Any], who: str) -> None:
        marking.store.delete_item(int(body["item"]), who)

    def apply(body: dict[str, Any], who: str) -> None:
        task, _ = written(body)
        marking.store.apply(task, int(body["item"]), folders(body), bool(body["on"]), who)

    def annotate(body: dict[str, Any], who: str) -> None:
        task, _ = written(body)
        (folder,) = folders({"folders": [body["folder"]]})
        comment = str(body.get("comment", "")).strip()[:5000]
        marking.store.annotate(task, folder, comment, number(body.get("adjustment") or 0), who)

    def apart(body: dict[str, Any], who: str) -> None:
        task, _ = written(body)
        (folder,) = folders({"folders": [body["folder"]]})
        marking.store.set_apart(task, folder, bool(body["apart"]), who)

    routes = [
        Route("/", index),
        Route("/task/{task}", task_page),
        Route("/report/{id}", report),
        Route("/static/{name}", static),
        Route("/api/item", change(add_item), methods=["POST"]),
        Route("/api/item/edit", change(edit_item), methods=["POST"]),
        Route("/api/item/delete", change(delete_item), methods=["POST"]),
        Route("/api/apply", change(apply), methods=["POST"]),
        Route("/api/annotate", change(annotate), methods=["POST"]),
        Route("/api/apart", change(apart), methods=["POST"]),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TokenGate, token=token)])


class TokenGate(BaseHTTPMiddleware):
    """Only the person who started the app: the token in the URL (once), then in a cookie; only
    under the address it was started at (no other site's name pointing at 127.0.0.1)."""

    def __init__(self, app: Any, token: str) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        host = request.headers.get("host", "").rsplit(":", 1)[0]
        if host not in {"127.0.0.1", "localhost"}:
            return PlainTextResponse("this app answers on 127.0.0.1 only", status_code=403)
        cookie = COOKIE.format(port=request.url.port)
        given = request.query_params.get("token")
        if given is not None and hmac.compare_digest(given, self.token):
            response = RedirectResponse(request.url.remove_query_params("token"), status_code=303)
            response.set_cookie(cookie, self.token, httponly=True, samesite="strict")
            return response
        if not hmac.compare_digest(request.cookies.get(cookie, ""), self.token):
            return PlainTextResponse(
                "open the address `grader mark` printed: it carries the token this app needs",
                status_code=403,
            )
        if request.method == "POST" and request.headers.get("origin") not in (None, f"{request.url.scheme}://{request.headers['host']}"):
            return PlainTextResponse("cross-origin request refused", status_code=403)
        return await call_next(request)
