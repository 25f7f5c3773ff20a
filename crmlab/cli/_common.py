"""What every ``crmlab`` command shares: errors and exit codes, the help format, option checks.

Every predictable fault prints one clear message and exits non-zero, without
a traceback: :class:`CLIError` for what the user can fix (exit 2 by default),
invalid data or a file that cannot be read or written (exit 1).
:func:`run_command` turns the library's errors into those messages, and any
unexpected exception into one line naming the command and its input (exit 2);
``--debug`` (or ``CRMLAB_DEBUG=1``) prints the traceback as well. Warnings
are printed as one line each, ``crmlab COMMAND: warning: ...``.

The option checks live here once: ``--set FIELD=VALUE`` (:func:`parse_set`),
``-p NAME VALUE`` values (:func:`param_value`), whole numbers > 0
(:func:`positive_int`, :func:`positive_seconds`), the output folder
(:func:`check_out`, and :func:`writing`, which holds its lock for the whole
command), the secret salt (:func:`resolve_salt`) and the atomic save of a
figure (:func:`save_figure`).

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
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

__all__ = ["CLIError", "EXIT_USAGE", "EXIT_INVALID", "HelpFormatter", "run_command", "parse_set", "param_value",
           "check_out", "writing", "resolve_salt", "save_figure", "progress_bar", "positive_seconds", "positive_int",
           "add_debug_option", "MIN_SALT_LENGTH"]

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

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:  # an examples block: keep its lines as written
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def positive_seconds(raw: str) -> int:
    """argparse type of a timeout: a whole number of seconds > 0."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, got {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def positive_int(raw: str) -> int:
    """argparse type of a count (``--jobs``): a whole number > 0."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {raw!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
    return value


def parse_set(items: Sequence[str] | None) -> dict[str, Any]:
    """``--set FIELD=VALUE`` items as a dict; values parsed as JSON when they are JSON (lists become tuples).

    ``null`` gives ``None`` (the caller refuses it for fields that are not
    optional); ``NaN`` and ``Infinity`` stay text, so the scenario check
    names them.
    """
    out: dict[str, Any] = {}
    for item in items or ():
        if "=" not in item:
            raise CLIError(f"--set expects FIELD=VALUE, got {item!r}")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise CLIError(f"--set expects FIELD=VALUE, got {item!r}")
        try:
            value = json.loads(raw, parse_constant=lambda c: c)
        except (ValueError, RecursionError):
            value = raw
        if isinstance(value, list):
            value = tuple(value)
        out[key] = value
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


@contextmanager
def writing(path: str | os.PathLike, *, force: bool, option: str = "--out") -> Iterator[Path]:
    """Hold the write lock of a command's output folder for the whole command, and check the folder.

    A second command writing the same folder fails at once (naming the
    first); leftovers of an interrupted earlier write are cleaned up or
    reported (as warnings); then :func:`check_out`. The library's writers
    take the same lock again (it is re-entrant) and check the folder again
    at the swap.
    """
    from .._fs import OutputWarning, lock_output, recover_output

    out = Path(path).expanduser()
    if out.exists() and not out.is_dir():
        check_out(out, force=force, option=option)
    with lock_output(out):
        for msg in recover_output(out):
            warnings.warn(msg, OutputWarning, stacklevel=3)
        yield check_out(out, force=force, option=option)


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
    if path.is_dir():
        raise CLIError(f"{option} {path}: is a folder; give a file name")
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=ext, dpi=120, bbox_inches="tight")
    except OSError as e:
        from .._fs import describe_os_error

        raise CLIError(f"{option} {path}: cannot write the figure ({describe_os_error(e)}); nothing was written",
                       code=EXIT_INVALID) from None
    return path


def progress_bar(enabled: bool, total: int, desc: str, unit: str) -> Any:
    """A tqdm bar on stderr (a no-op when not ``enabled``)."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, file=sys.stderr)


def add_debug_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Add ``--debug`` to ``parser`` and every subcommand under it (show the traceback of an error)."""
    parser.add_argument("--debug", action="store_true", default=False if top else argparse.SUPPRESS,
                        help="on an error, print the Python traceback too (for bug reports)")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                add_debug_option(sub)


#: Arguments that name what a command works on, in the order they are shown.
_INPUT_ARGS = (("path", ""), ("file", ""), ("submission", ""), ("map", "--map"), ("scenario", "--scenario"),
               ("roster", "--roster"), ("key", "--key"), ("against", "--against"), ("notebooks", ""),
               ("out", "--out"), ("plot", "--plot"))


def describe_input(args: argparse.Namespace) -> str:
    """What the command was given, for a one-line error: ``data/x --out runs``.

    >>> describe_input(argparse.Namespace(path="data/x", out=None, command="validate"))
    'data/x'
    """
    parts = []
    for name, flag in _INPUT_ARGS:
        v = getattr(args, name, None)
        if v in (None, [], ""):
            continue
        v = " ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
        parts.append(f"{flag} {v}".strip())
    return " ".join(parts) or "(no input)"


def _one_line(text: str, limit: int = 400) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command, turning every fault into one message and an exit code (no traceback).

    Predictable faults get their own message (exit 1 for invalid data or a
    file that cannot be read or written, 2 for what the user can fix); any
    other exception becomes one line naming the command, its input and the
    error (exit 2). With ``args.debug`` (``--debug``) or ``CRMLAB_DEBUG=1``
    the traceback is printed first.
    """
    from .._fs import OutputError, describe_os_error
    from ..config import ScenarioError
    from ..io import DatasetError
    from ..schema import ValidationError

    cmd = getattr(args, "command", None) or "?"
    debug = bool(getattr(args, "debug", False)) or os.environ.get("CRMLAB_DEBUG", "") not in ("", "0")

    def show(message: Any, category: type, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        print(f"crmlab {cmd}: warning: {_one_line(str(message), 1000)}", file=sys.stderr)

    def fail(message: str, code: int) -> int:
        if debug:
            traceback.print_exc(file=sys.stderr)
        print(message, file=sys.stderr)
        return code

    with warnings.catch_warnings():
        warnings.showwarning = show
        try:
            return int(args.func(args) or 0)
        except CLIError as e:
            return fail(f"crmlab {cmd}: error: {e}", e.code)
        except ScenarioError as e:
            return fail(f"crmlab {cmd}: invalid scenario: {e}", EXIT_USAGE)
        except ValidationError as e:
            return fail(f"crmlab {cmd}: the data breaks the contract:\n{e}", EXIT_INVALID)
        except (DatasetError, OutputError) as e:
            return fail(f"crmlab {cmd}: error: {e}", EXIT_INVALID)
        except KeyboardInterrupt:
            return fail(f"crmlab {cmd}: interrupted; nothing was written", 130)
        except OSError as e:
            where = f"{e.filename}: " if getattr(e, "filename", None) else ""
            return fail(f"crmlab {cmd}: error: {where}{describe_os_error(e)} (input: {describe_input(args)})",
                        EXIT_INVALID)
        except Exception as e:  # the last line of defence: one line, never a traceback
            from ..notebook.execute import NotebookRunError

            name = type(e).__name__
            if isinstance(e, NotebookRunError):
                return fail(f"crmlab {cmd}: error: {_one_line(str(e), 2000)}", EXIT_INVALID)
            return fail(f"crmlab {cmd}: unexpected error with {describe_input(args)}: {name}: {_one_line(str(e))} "
                        "(an input crmlab does not check yet, or a bug; --debug shows the traceback)", EXIT_USAGE)
