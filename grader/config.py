"""Defaults for the ``grader`` command's options, from the folder it runs in.

A class kept in one folder writes its choices once: ``grader.toml`` there, or the table
``[tool.grader]`` of a ``pyproject.toml`` there (``grader.toml`` wins when both exist)::

    assignment = "hw3"          # every command that has --assignment (a pack's name)
    csv-dialect = "excel-fr"    # every command that has --csv-dialect

    [grade]                     # grader grade only
    out = "reports"
    jobs = 4

    [manual.export]             # grader manual export
    reports = "reports"

    [moodle]                    # both moodle subcommands
    reports = "reports"

A key is an option's long name without ``--`` (``csv-dialect`` or ``csv_dialect``). A top-level
key is a default for every command with that option, a table for one command or a group of
them; the nearer one wins, and the command line wins over all. A key no command has, a value
of the wrong type or outside the option's choices is refused with the file named, before
anything runs. Paths are read relative to the folder that holds the file.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from grader.errors import ConfigError

#: The files read, in the folder ``grader`` runs from.
FILE = "grader.toml"
PYPROJECT = "pyproject.toml"


def find_config(folder: Path) -> tuple[Path, dict[str, Any]] | None:
    """(the file, its defaults) from ``folder``: ``grader.toml``, else ``[tool.grader]`` of
    ``pyproject.toml``; None when neither gives any."""
    for path, section in ((Path(folder) / FILE, ()), (Path(folder) / PYPROJECT, ("tool", "grader"))):
        if not path.is_file():
            continue
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise ConfigError(f"{path}: cannot be read: {error}") from error
        for key in section:
            data = data.get(key) if isinstance(data, dict) else None
        if data is not None:
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: [{'.'.join(section)}] must be a table")
            return path, data
    return None


def commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every leaf command of ``parser`` with its path (``("manual", "export")``)."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
        return
    for group in groups:
        for name, sub in group.choices.items():
            yield from commands(sub, (*path, name))


def apply_config(parser: argparse.ArgumentParser, source: Path, config: Mapping[str, Any]) -> None:
    """Make ``config``'s values the defaults of ``parser``'s commands (see the module's doc)."""
    leaves = dict(commands(parser))
    used: set[tuple[str, ...]] = set()  # (table path..., key) of every key applied somewhere
    for path, command in leaves.items():
        options = _options(command)
        # outer to inner: the top level, then each table on the way to the command
        layers: list[tuple[tuple[str, ...], Mapping[str, Any]]] = [((), config)]
        table: Any = config
        for depth, name in enumerate(path):
            table = table.get(name) if isinstance(table, Mapping) else None
            if not isinstance(table, Mapping):
                break
            layers.append((path[: depth + 1], table))
        for where, values in layers:
            for key, value in values.items():
                if isinstance(value, Mapping):
                    continue  # a table: a command's or a group's, read on the way down
                action = options.get(key.replace("_", "-"))
                if action is None:
                    continue
                used.add((*where, key))
                _set_default(command, action, value, source, " ".join(path), key)
    _refuse_unknown(config, (), used, leaves, source)


def _options(command: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    """Long option name without ``--`` -> its action (help and version left out)."""
    found = {}
    for action in command._actions:
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        for flag in action.option_strings:
            if flag.startswith("--"):
                found[flag[2:]] = action
    return found


def _set_default(
    command: argparse.ArgumentParser, action: argparse.Action, value: Any, source: Path, name: str, key: str
) -> None:
    where = f"{source}: {key} (grader {name})"
    if isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction)):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false, not {value!r}")
    elif isinstance(value, (dict, list, bool)):
        raise ConfigError(f"{where}: must be a single value, not {value!r}")
    else:
        if action.choices is not None and value not in action.choices:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(map(str, action.choices))}")
        if callable(action.type):
            try:
                value = action.type(str(value))
            except (TypeError, ValueError) as error:
                raise ConfigError(f"{where}: {value!r} is not a valid value ({error})") from error
        if isinstance(value, Path) and not value.is_absolute():
            value = source.parent / value
        action.required = False  # given here: the command line may leave it out
    command.set_defaults(**{action.dest: value})


def _refuse_unknown(
    table: Mapping[str, Any],
    where: tuple[str, ...],
    used: set[tuple[str, ...]],
    leaves: Mapping[tuple[str, ...], argparse.ArgumentParser],
    source: Path,
) -> None:
    for key, value in table.items():
        if isinstance(value, Mapping):
            if not any(path[: len(where) + 1] == (*where, key) for path in leaves):
                names = sorted({" ".join(p[: len(where) + 1]) for p in leaves if p[: len(where)] == where})
                raise ConfigError(f"{source}: [{'.'.join((*where, key))}] is no command (commands: {', '.join(names)})")
            _refuse_unknown(value, (*where, key), used, leaves, source)
        elif (*where, key) not in used:
            scope = f"grader {' '.join(where)}" if where else "any command"
            raise ConfigError(f"{source}: {key!r} is no option of {scope}")
