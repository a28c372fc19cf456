"""The gallery: every panel and the main dialogs, light and dark, at the default and a small size.

    python -m tests.ui.gallery [--out docs/screenshots] [--sizes 1200x760,1024x700]

Starts its own sandbox with demo data in a throw-away home, opens the console on it as a user
would (a real `Console`, the real panels), and writes `<what>-<theme>-<w>x<h>.png` for each
module, the profiles dialog, the command palette and the outbox. Offscreen by default. Look at
every image: that is what it is for.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
XDG_NAMES = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
#: Time for a panel's second page of work (a detail, a chart) to land before the picture.
SETTLE_SECONDS = 0.6


def parse_sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(part) for part in size.split("x")) for size in text.split(",")]  # type: ignore[misc]


async def _settle(app, seconds: float = SETTLE_SECONDS) -> None:
    # Await on the running loop (a nested processEvents inside a task loses wake-ups: NOTES.md).
    await asyncio.sleep(seconds)


async def _shoot(app, widget, out: Path, name: str) -> Path:
    await _settle(app, 0.05)
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    return path


async def gallery(out: Path, sizes: list[tuple[int, int]], seed_size: int) -> list[Path]:
    import keyring
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from app.core.keychain import SecretStore
    from app.core.profiles import Profile, ProfileStore
    from app.core.sandbox_process import SandboxProcess
    from app.ui.console import Console
    from app.ui.panels.registry import MODULES
    from app.ui.theme import apply_theme
    from tests.benchmarks.env_keyring import EnvKeyring

    app = QApplication.instance()
    home = Path(tempfile.mkdtemp(prefix="opsdesk-gallery-"))
    for name in XDG_NAMES:
        os.environ[name] = str(home / name.lower())
    loop = asyncio.get_running_loop()
    sandbox = await loop.run_in_executor(None, lambda: SandboxProcess.start(home / "server", seed_size=seed_size))
    written: list[Path] = []
    try:
        import json

        store = ProfileStore(home / "profiles.json")
        profile = store.add(Profile(name="Demo workspace", base_url=sandbox.url))
        os.environ["OPSDESK_BENCH_KEYRING"] = json.dumps(
            {f"opsdesk:{profile.id}:api_key": sandbox.credentials()["test"]["owner_key"]})
        keyring.set_keyring(EnvKeyring())
        console = Console(store=store, secrets=SecretStore(),
                          settings=QSettings(str(home / "ui.ini"), QSettings.Format.IniFormat))
        window = console.window
        assert await console.start("Demo workspace")
        for spec in MODULES:  # load every panel once, so each picture shows data
            window.open_module(spec.name)
            task = window.activation(spec.name)
            if task is not None:
                await asyncio.shield(task)
        await _settle(app, 2.0)
        for scheme in ("light", "dark"):
            apply_theme(app, scheme)
            for each in QApplication.allWidgets():
                each.setPalette(app.palette())
            for width, height in sizes:
                window.resize(width, height)
                suffix = f"{scheme}-{width}x{height}"
                for spec in MODULES:
                    window.open_module(spec.name)
                    await _settle(app)
                    written.append(await _shoot(app, window, out, f"{spec.name}-{suffix}"))
                console.show_profiles()
                written.append(await _shoot(app, console._profiles_dialog, out, f"profiles_dialog-{suffix}"))
                console._profiles_dialog.close()
                console.show_palette()
                console._palette.input.setText("new")
                written.append(await _shoot(app, console._palette, out, f"command_palette-{suffix}"))
                console._palette.close()
        apply_theme(app, "light")
        await console.shutdown()
    finally:
        await loop.run_in_executor(None, sandbox.stop)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1200x760,1024x700"))
    parser.add_argument("--seed-size", type=int, default=300)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationDisplayName("Opsdesk")
    args.out.mkdir(parents=True, exist_ok=True)
    written = qasync.run(gallery(args.out, args.sizes, args.seed_size))
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
