"""What every ``crmlab`` command shares: errors and exit codes, the help format, option checks.

Every predictable fault prints one clear message and exits non-zero, without
a traceback: :class:`CLIError` for what the user can fix (exit 2 by default),
invalid data (exit 1). :func:`run_command` turns the library's errors into
those messages. The option checks live here once: ``--set FIELD=VALUE``
(:func:`parse_set`), ``-p NAME VALUE`` values (:func:`param_value`), the
output folder (:func:`check_out`), the secret salt (:func:`resolve_salt`) and
the atomic save of a figure (:func:`save_figure`).

Examples
--------
>>> parse_set(["seed=3", "driver_weights=[0.4, 0.6]", "locale=en_US"])
{'seed': 3, 'driver_weights': (0.4, 0.6), 'locale': 'en_US'}
>>> param_value("null") is None, param_value("7"), param_value("my_extract")
(True, 7, 'my_extract')
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["CLIError", "EXIT_USAGE", "EXIT_INVALID", "HelpFormatter", "run_command", "parse_set", "param_value",
           "check_out", "resolve_salt", "save_figure", "progress_bar", "positive_seconds", "MIN_SALT_LENGTH"]

EXIT_USAGE = 2
EXIT_INVALID = 1
#: The shortest secret salt a command accepts (course salt, pseudonymisation salt).
MIN_SALT_LENGTH = 8


class CLIError(Exception):
    """A fault the user can fix; printed without a traceback.

    Parameters
    ----------
    message : str
    code : int, default 2
        Exit code.
    """

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


class HelpFormatter(argparse.HelpFormatter):
    """Shows an option's default in its help, once, and only when there is one worth showing.

    Unlike :class:`argparse.ArgumentDefaultsHelpFormatter` it adds nothing when
    the help text already speaks of the default, or when the default is
    ``None``, ``False`` (a flag) or empty.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if "%(default)" in text or "default" in text.lower():
            return text
        if default is None or default is False or default == [] or default is argparse.SUPPRESS:
            return text
        if action.option_strings or action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE):
            text += " (default: %(default)s)"
        return text


def positive_seconds(raw: str) -> int:
    """argparse type of a timeout: a whole number of seconds > 0."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, got {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def parse_set(items: Sequence[str] | None) -> dict[str, Any]:
    """``--set FIELD=VALUE`` items as a dict; values parsed as JSON when they are JSON (lists become tuples)."""
    out: dict[str, Any] = {}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--set expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        if isinstance(value, list):
            value = tuple(value)
        out[key.strip()] = value
    return out


def param_value(raw: str) -> Any:
    """A notebook parameter from the command line: ``None``/``null`` -> None, JSON if it parses, else text."""
    if raw in ("None", "none", "null"):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def check_out(path: str | os.PathLike, *, force: bool, option: str = "--out") -> Path:
    """The output folder of a command, or :class:`CLIError` if it exists as a file or is not empty (without --force)."""
    from .._fs import target_problem

    out = Path(path).expanduser()
    problem = target_problem(out, force=force)
    if problem:
        hint = "; choose another folder or add --force" if "not empty" in problem else ""
        raise CLIError(f"{option} {out}: {problem}{hint}")
    return out


def resolve_salt(given: str | None, env_var: str, *, needed_by: str, keeps: str) -> str:
    """The secret salt from ``--salt`` or the environment variable ``env_var``, checked.

    Parameters
    ----------
    given : str or None
        The ``--salt`` value.
    env_var : str
        The environment variable to fall back on.
    needed_by : str
        What needs it, for the message (``"--pseudonymize"``).
    keeps : str
        What the same salt gives again, for the message (``"pseudonyms"``).

    Raises
    ------
    CLIError
        No salt, or one shorter than :data:`MIN_SALT_LENGTH` characters.
    """
    salt = given or os.environ.get(env_var) or ""
    how = (f"pass --salt SECRET or set the environment variable {env_var}, e.g.  export {env_var}=$(python -c "
           f"'import secrets; print(secrets.token_hex(16))')  - keep it secret, and reuse it to get the same "
           f"{keeps} next time")
    if not salt:
        raise CLIError(f"{needed_by} needs a secret salt: {how}")
    if len(salt) < MIN_SALT_LENGTH:
        raise CLIError(f"the salt must be at least {MIN_SALT_LENGTH} characters long ({how})")
    return salt


def save_figure(fig: Any, path: str | os.PathLike, *, option: str = "--plot") -> Path:
    """Save a matplotlib figure atomically as .png, .pdf or .svg."""
    from .._fs import atomic_path

    path = Path(path).expanduser()
    ext = path.suffix.lower().lstrip(".")
    if ext not in ("png", "pdf", "svg"):
        raise CLIError(f"{option} {path}: use a .png, .pdf or .svg file name")
    if not path.parent.is_dir():
        raise CLIError(f"{option} {path}: the folder {path.parent} does not exist")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=ext, dpi=120, bbox_inches="tight")
    return path


def progress_bar(enabled: bool, total: int, desc: str, unit: str) -> Any:
    """A tqdm bar on stderr (a no-op when not ``enabled``)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, file=sys.stderr)


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command, turning predictable faults into one message and an exit code."""
    from ..config import ScenarioError
    from ..io import DatasetError
    from ..schema import ValidationError

    try:
        return int(args.func(args) or 0)
    except CLIError as e:
        print(f"crmlab {args.command}: error: {e}", file=sys.stderr)
        return e.code
    except ScenarioError as e:
        print(f"crmlab {args.command}: invalid scenario: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ValidationError as e:
        print(f"crmlab {args.command}: the data breaks the contract:\n{e}", file=sys.stderr)
        return EXIT_INVALID
    except DatasetError as e:
        print(f"crmlab {args.command}: error: {e}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(f"crmlab {args.command}: interrupted; nothing was written", file=sys.stderr)
        return 130
