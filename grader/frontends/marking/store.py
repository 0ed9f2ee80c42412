"""The marking store: one SQLite file in the class folder that every marker writes to.

Rubric items (points and a comment, per task), the items applied to each answer, each answer's
free comment and adjustment, the answers moved out of their group, and an audit trail of who did
what when. Every change is one transaction on a WAL database, and each records what the marker
meant (apply this item to these answers, not "the answer's marks are now ..."), so two browsers
marking at once lose nothing. ``marks`` turns it into the manual marks the rest of the grader
reads (``manual_marks.json``): score = the applied items' points + the adjustment, kept within
0..max; comment = the items' comments, then the free one. A mark imported from a CSV sheet is
kept as a score of its own until the answer is marked here.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.frontends.classfolder import STORE_FILE
from grader.grading.scoring import ManualMark

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY, task TEXT NOT NULL, points REAL NOT NULL, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied (
    folder TEXT NOT NULL, task TEXT NOT NULL,
    item INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    PRIMARY KEY (folder, task, item)
);
-- one row per answer marked; sheet_score: a mark imported from a CSV sheet, until marked here
CREATE TABLE IF NOT EXISTS answers (
    folder TEXT NOT NULL, task TEXT NOT NULL,
    adjustment REAL NOT NULL DEFAULT 0, comment TEXT NOT NULL DEFAULT '',
    sheet_score REAL, grader TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (folder, task)
);
CREATE TABLE IF NOT EXISTS apart (folder TEXT NOT NULL, task TEXT NOT NULL, PRIMARY KEY (folder, task));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Item:
    """A rubric item: points (+ or -) and the comment the student reads."""

    id: int
    task: str
    points: float
    text: str


@dataclass(frozen=True)
class AnswerState:
    """What the store holds for one answer: the items applied, the free comment and adjustment."""

    items: frozenset[int]
    adjustment: float
    comment: str
    sheet_score: float | None
    grader: str


class Store:
    """The class folder's marking store; one connection per call, so any thread may use it."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / STORE_FILE
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _write(self, who: str, action: str, detail: Mapping) -> Iterator[sqlite3.Connection]:
        """One transaction, taken before reading (IMMEDIATE), with its line in the audit trail."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute(
                "INSERT INTO audit (at, who, action, detail) VALUES (?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(timespec="seconds"), who, action,
                 json.dumps(detail, ensure_ascii=False, sort_keys=True)),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- rubric items -----------------------------------------------------------------------

    def items(self, task: str | None = None) -> list[Item]:
        """The items of ``task`` (every task's when None), in the order they were created."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, task, points, text FROM items WHERE ? IS NULL OR task = ? ORDER BY id",
                (task, task),
            ).fetchall()
        return [Item(*row) for row in rows]

    def add_item(self, task: str, points: float, text: str, who: str) -> int:
        with self._write(who, "add item", {"task": task, "points": points, "text": text}) as db:
            cursor = db.execute(
                "INSERT INTO items (task, points, text) VALUES (?, ?, ?)", (task, points, text)
            )
            return int(cursor.lastrowid or 0)

    def edit_item(self, item: int, points: float, text: str, who: str) -> None:
        """Change an item: every answer it was applied to changes with it."""
        with self._write(who, "edit item", {"item": item, "points": points, "text": text}) as db:
            db.execute("UPDATE items SET points = ?, text = ? WHERE id = ?", (points, text, item))

    def delete_item(self, item: int, who: str) -> None:
        with self._write(who, "delete item", {"item": item}) as db:
            db.execute("DELETE FROM items WHERE id = ?", (item,))
            self._drop_empty(db)

    # -- marking ----------------------------------------------------------------------------

    def apply(self, task: str, item: int, folders: Iterable[str], on: bool, who: str) -> None:
        """Apply ``item`` to the answers of ``folders`` (``on``) or take it off them."""
        folders = sorted(set(folders))
        detail = {"task": task, "item": item, "folders": folders, "on": on}
        with self._write(who, "apply" if on else "unapply", detail) as db:
            if db.execute("SELECT 1 FROM items WHERE id = ? AND task = ?", (item, task)).fetchone() is None:
                raise KeyError(f"no item {item} in task {task}")
            for folder in folders:
                if on:
                    self._touch(db, folder, task, who)
                    db.execute("INSERT OR IGNORE INTO applied VALUES (?, ?, ?)", (folder, task, item))
                else:
                    db.execute(
                        "DELETE FROM applied WHERE folder = ? AND task = ? AND item = ?", (folder, task, item)
                    )
            self._drop_empty(db)

    def annotate(self, task: str, folder: str, comment: str, adjustment: float, who: str) -> None:
        """Set one answer's free comment and adjustment (points added to its items')."""
        detail = {"task": task, "folder": folder, "comment": comment, "adjustment": adjustment}
        with self._write(who, "annotate", detail) as db:
            self._touch(db, folder, task, who)
            db.execute(
                "UPDATE answers SET comment = ?, adjustment = ? WHERE folder = ? AND task = ?",
                (comment, adjustment, folder, task),
            )
            self._drop_empty(db)

    def set_apart(self, task: str, folder: str, apart: bool, who: str) -> None:
        """Move an answer out of its group (``apart``), or let it be grouped again."""
        detail = {"task": task, "folder": folder, "apart": apart}
        with self._write(who, "move out of group" if apart else "regroup", detail) as db:
            if apart:
                db.execute("INSERT OR IGNORE INTO apart VALUES (?, ?)", (folder, task))
            else:
                db.execute("DELETE FROM apart WHERE folder = ? AND task = ?", (folder, task))

    def adopt_sheet(
        self,
        marks: Mapping[str, Mapping[str, ManualMark]],
        maxima: Mapping[str, Mapping[str, float]],
        who: str,
    ) -> None:
        """Keep marks that came from elsewhere (a CSV sheet) where they differ from the store's."""
        current = self.marks(maxima)
        changed = {
            (folder, task): mark
            for folder, tasks in marks.items()
            for task, mark in tasks.items()
            if current.get(folder, {}).get(task) != mark
        }
        if not changed:
            return
        detail = {"marks": sorted(f"{f}/{t}" for f, t in changed)}
        with self._write(who, "import sheet", detail) as db:
            for (folder, task), mark in changed.items():
                db.execute("DELETE FROM applied WHERE folder = ? AND task = ?", (folder, task))
                db.execute(
                    "INSERT OR REPLACE INTO answers VALUES (?, ?, 0, ?, ?, ?)",
                    (folder, task, mark.comment, mark.score, mark.grader),
                )

    @staticmethod
    def _touch(db: sqlite3.Connection, folder: str, task: str, who: str) -> None:
        """The answer is marked here now: a sheet's mark (score and comment), if any, no longer stands."""
        db.execute("INSERT OR IGNORE INTO answers (folder, task) VALUES (?, ?)", (folder, task))
        db.execute(
            "UPDATE answers SET comment = CASE WHEN sheet_score IS NULL THEN comment ELSE '' END, "
            "sheet_score = NULL, grader = ? WHERE folder = ? AND task = ?",
            (who, folder, task),
        )

    @staticmethod
    def _drop_empty(db: sqlite3.Connection) -> None:
        """An answer left with no item, comment, adjustment or sheet score is unmarked again."""
        db.execute(
            "DELETE FROM answers WHERE sheet_score IS NULL AND adjustment = 0 AND comment = '' "
            "AND NOT EXISTS (SELECT 1 FROM applied a WHERE a.folder = answers.folder AND a.task = answers.task)"
        )

    # -- reading ----------------------------------------------------------------------------

    def answers(self, task: str | None = None) -> dict[tuple[str, str], AnswerState]:
        """(folder, task) -> what is held for that answer, for every answer marked."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT folder, task, adjustment, comment, sheet_score, grader FROM answers "
                "WHERE ? IS NULL OR task = ?", (task, task),
            ).fetchall()
            applied = db.execute(
                "SELECT folder, task, item FROM applied WHERE ? IS NULL OR task = ?", (task, task)
            ).fetchall()
        items: dict[tuple[str, str], set[int]] = {}
        for folder, t, item in applied:
            items.setdefault((folder, t), set()).add(item)
        return {
            (folder, t): AnswerState(frozenset(items.get((folder, t), ())), adj, comment, sheet, grader)
            for folder, t, adj, comment, sheet, grader in rows
        }

    def apart(self, task: str) -> set[str]:
        with self._connect() as db:
            return {f for (f,) in db.execute("SELECT folder FROM apart WHERE task = ?", (task,))}

    def audit(self) -> list[tuple[str, str, str, dict]]:
        """(when, who, action, detail), oldest first."""
        with self._connect() as db:
            rows = db.execute("SELECT at, who, action, detail FROM audit ORDER BY id").fetchall()
        return [(at, who, action, json.loads(detail)) for at, who, action, detail in rows]

    def marks(self, maxima: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, dict[str, ManualMark]]:
        """Report folder -> task -> mark, for every answer marked; scores kept within 0..max
        when ``maxima`` (folder -> task -> points) says the max."""
        items = {i.id: i for i in self.items()}
        marks: dict[str, dict[str, ManualMark]] = {}
        for (folder, task), state in sorted(self.answers().items()):
            applied = sorted((items[i] for i in state.items), key=lambda i: i.id)
            if state.sheet_score is not None:
                score = state.sheet_score
            else:
                score = sum(i.points for i in applied) + state.adjustment
            top = (maxima or {}).get(folder, {}).get(task)
            score = max(0.0, min(score, top)) if top is not None else max(0.0, score)
            lines = [f"{i.points:+g}: {i.text}" for i in applied]
            comment = "\n".join([*lines, state.comment] if state.comment else lines)
            marks.setdefault(folder, {})[task] = ManualMark(score, comment, state.grader)
        return marks
