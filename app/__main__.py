"""`opsdesk` and `python -m app`: the console; `opsdesk sandbox` for the server alone; `opsdesk check`
to test a connection from a script."""

from __future__ import annotations

import sys


def skip_httpx_cli() -> None:
    """Keep httpx's command-line client out of this process (call before httpx is imported).

    httpx's `__init__` imports `httpx._main`, which imports click, rich and pygments whenever they
    are installed (the dev tools bring rich): about 40 ms of the console's way to live rows and
    of the sandbox child's way to its ready line, for a command neither runs. A None entry makes
    that import fail the way httpx expects when the CLI's extras are missing; `httpx.main` is
    then httpx's own stub saying what to install.
    """
    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    skip_httpx_cli()
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "sandbox":
        from app.sandbox.cli import main as sandbox_main

        return sandbox_main(args[1:])
    if args and args[0] == "check":
        from app.core.check_command import main as check_main

        return check_main(args[1:])
    if args and args[0] in ("--version", "-V"):
        from app import __version__

        print(f"opsdesk {__version__}")
        return 0
    if not args or not {"-h", "--help"} & set(args):
        import os

        from app.core.display_check import display_problem

        problem = display_problem(os.environ)
        if problem is not None:
            print(f"opsdesk: {problem}", file=sys.stderr)
            return 2
    from app.ui.launch import main as console_main

    return console_main(args)


if __name__ == "__main__":
    sys.exit(main())
