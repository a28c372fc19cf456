"""`opsdesk` and `python -m app`: the console; `opsdesk sandbox` for the server alone; `opsdesk check`
to test a connection from a script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
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
