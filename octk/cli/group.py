"""The ``octk`` command group and the one place where a failure becomes one line.

Every error octk raises on purpose (:class:`octk.errors.OctkError`) and every usage
error ends as one line ``octk: error: <message>`` on stderr with exit status 2, never
as a traceback; a run that turned non-finite (:class:`~octk.errors.NonFiniteError`)
exits with status 3, Ctrl-C with 130 ("interrupted at step N of T");
``--debug`` re-raises unexpected exceptions (exit status 1 otherwise).
Warnings become ``octk: warning: <message>`` lines. Progress bars go to stderr, so
``--json`` output on stdout stays parseable.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any, NoReturn, TextIO

import click

from octk.errors import NonFiniteError, OctkError, RunInterrupted

CONTEXT: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

# click ≥ 8.2 raises this for a bare `octk`; older versions print the help themselves
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


def one_line(text: object) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def fail(message: object, code: int = 2) -> NoReturn:
    """Print ``octk: error: <message>`` (one line) on stderr and exit with ``code``."""
    click.echo(f"octk: error: {one_line(message)}", err=True)
    sys.exit(code)


def _click_message(e: click.ClickException) -> str:
    msg = e.format_message()
    ctx = getattr(e, "ctx", None)
    if isinstance(e, click.UsageError) and ctx is not None:
        msg = msg.rstrip(".") + f" (see '{ctx.command_path} --help')"
    return msg


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    click.echo(f"octk: warning: {one_line(message)}", err=True)


def _debug_requested(args: list[str] | None) -> bool:
    """Whether ``--debug`` comes before the command name (it is the group's option)."""
    argv = sys.argv[1:] if args is None else list(args)
    for a in argv:
        if a == "--debug":
            return True
        if not a.startswith("-"):
            return False
    return False


class OctkGroup(click.Group):
    """A click group whose errors end as one ``octk: error: ...`` line (exit status 2)."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                rv = super().main(args, prog_name or "octk", complete_var, False, **extra)
        except _NO_ARGS_IS_HELP as e:  # bare `octk`: show the help
            click.echo(e.ctx.get_help())
            sys.exit(0)
        except click.Abort as e:  # click turns KeyboardInterrupt into Abort
            cause = e.__cause__ or e.__context__
            fail(str(cause) if isinstance(cause, RunInterrupted) else "interrupted", 130)
        except click.ClickException as e:
            fail(_click_message(e))
        except NonFiniteError as e:  # the run stopped meaning anything: not a usage error
            fail(str(e), 3)
        except OctkError as e:
            fail(str(e))
        except RunInterrupted as e:  # Ctrl-C during a run: what was completed
            fail(str(e), 130)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:  # e.g. `octk list | head`
            sys.stderr.close()
            sys.exit(1)
        except Exception as e:
            if _debug_requested(args):
                raise
            fail(f"internal error: {type(e).__name__}: {e} (octk --debug shows the traceback)", 1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("octk")
    except Exception:  # not installed: running from a checkout
        return "0+checkout"


@click.group(cls=OctkGroup, context_settings=CONTEXT)
@click.version_option(_version(), "--version", prog_name="octk")
@click.option(
    "--debug",
    is_flag=True,
    help="Show the traceback of an unexpected error instead of one line.",
)
def main(debug: bool) -> None:
    """octk: online convex optimization toolkit (adaptive methods, regret, counterexamples)."""


__all__ = ["CONTEXT", "OctkGroup", "fail", "main", "one_line"]
