"""`opsdesk check --url URL [--platform NAME] [--key-env VAR]`: the scriptable *Test connection*.

Connects, prints the detected platform, identity, scopes and the platform's manifest as JSON on
stdout, and exits 0; or prints the reason on stderr and exits 1 (2 for a usage mistake). The
credential comes from an environment variable (never the command line, where `ps` and shell
history would keep it); a platform with two credentials takes them as JSON in that variable,
e.g. `{"api_key": "bbk_…", "internal_key": "bbas_…"}`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

from app.api.dialects import DIALECTS
from app.core.platform_connect import check_platform

DEFAULT_KEY_ENV = "OPSDESK_API_KEY"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opsdesk check", description="Connect to a platform and print what it offers, as JSON.")
    parser.add_argument("--url", required=True, help="the platform's API root, e.g. http://127.0.0.1:8123/v1")
    parser.add_argument("--platform", choices=list(DIALECTS),
                        help="the platform's dialect (default: detect it by trying each)")
    parser.add_argument("--key-env", default=DEFAULT_KEY_ENV, metavar="VAR",
                        help=f"the environment variable holding the credential (default {DEFAULT_KEY_ENV})")
    parser.add_argument("--login-email", help="sign in as this user; the variable then holds the password")
    return parser


def main(argv: list[str]) -> int:
    """Run the check; the exit code says whether it connected."""
    args = _parser().parse_args(argv)
    secret = os.environ.get(args.key_env, "").strip()
    if not secret:
        print(f"opsdesk check: the environment variable {args.key_env} is empty or not set; "
              "put the API key (or login password) there", file=sys.stderr)
        return 2
    auth_kind = "login" if args.login_email else "api_key"
    try:
        result = asyncio.run(check_platform(args.url, secret, args.platform, auth_kind=auth_kind,
                                            login_email=args.login_email))
    except ValueError as error:
        print(f"opsdesk check: {error}", file=sys.stderr)
        return 2
    if not result.ok:
        print(f"opsdesk check: {args.url}: {result.error or 'no platform answered'}", file=sys.stderr)
        for name, outcome in result.tried:
            print(f"  tried {name}: {outcome}", file=sys.stderr)
        return 1
    print(json.dumps(result.to_json(), indent=2))
    return 0
