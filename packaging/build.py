"""Build the console into a one-folder bundle for this OS (PyInstaller), then package it.

    python packaging/build.py            # dist/opsdesk/ plus the OS's archive or app bundle

Linux: `dist/opsdesk-<version>-linux-<arch>.tar.gz` with a .desktop file and AppStream metainfo.
macOS: `dist/Opsdesk.app` (Info.plist with bundle id, icon, dark mode), ready for `.dmg`
(see packaging/README.md). Windows: `dist/opsdesk/opsdesk.exe` with icon and version info, and
the Inno Setup script `packaging/windows/opsdesk.iss` for the installer.
The version comes from one place, `app/__init__.py` (pyproject.toml reads it from there too).
"""

from __future__ import annotations

import ast
import os
import platform
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
ICONS = ROOT / "resources" / "icons"


def project_version() -> str:
    """`app.__version__`, read from the source without importing the package."""
    for node in ast.parse((ROOT / "app" / "__init__.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit("app/__init__.py sets no __version__")


def app_icon() -> Path | None:
    """The largest app icon PNG; PyInstaller (with Pillow) turns it into .ico/.icns off Linux."""
    for name in ("app-512.png", "app-256.png"):
        if (ICONS / name).exists():
            return ICONS / name
    return None


def convert_icon(png: Path, target: Path) -> Path:
    """PNG → .ico (Windows, also used by the Inno Setup script) or .icns (macOS), with Pillow."""
    from PIL import Image

    image = Image.open(png)
    if target.suffix == ".ico":
        image.save(target, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    else:
        image.save(target)
    return target


def write_windows_version_file(version: str, target: Path) -> Path:
    parts = (version.split("+")[0].split(".") + ["0", "0", "0"])[:4]
    numbers = ", ".join(str(int(p)) if p.isdigit() else "0" for p in parts)
    template = (PACKAGING / "windows" / "version_info.txt.in").read_text()
    target.write_text(template.replace("@NUMBERS@", numbers).replace("@VERSION@", version))
    return target


def freeze(version: str) -> Path:
    env = {**os.environ, "OPSDESK_VERSION": version}
    build_dir = ROOT / "build"
    build_dir.mkdir(exist_ok=True)
    icon = app_icon()
    if icon and sys.platform == "win32":
        env["OPSDESK_ICON"] = str(convert_icon(icon, build_dir / "opsdesk.ico"))
    elif icon and sys.platform == "darwin":
        env["OPSDESK_ICON"] = str(convert_icon(icon, build_dir / "opsdesk.icns"))
    if sys.platform == "win32":
        env["OPSDESK_WIN_VERSION_FILE"] = str(write_windows_version_file(version, build_dir / "version_info.txt"))
    shutil.rmtree(DIST / "opsdesk", ignore_errors=True)
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(build_dir), str(PACKAGING / "opsdesk.spec")],
        check=True, env=env, cwd=ROOT,
    )
    return DIST / "opsdesk"


def package_linux(bundle: Path, version: str) -> Path:
    """A tar.gz a user unpacks anywhere; the .desktop file and metainfo go with it."""
    share = bundle / "share"
    (share / "applications").mkdir(parents=True, exist_ok=True)
    (share / "metainfo").mkdir(parents=True, exist_ok=True)
    shutil.copy(PACKAGING / "linux" / "io.opsdesk.console.desktop", share / "applications")
    metainfo = (PACKAGING / "linux" / "io.opsdesk.console.metainfo.xml").read_text()
    (share / "metainfo" / "io.opsdesk.console.metainfo.xml").write_text(metainfo.replace("@VERSION@", version))
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = ICONS / f"app-{size}.png"
        if png.exists():
            target = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(png, target / "io.opsdesk.console.png")
    shutil.copy(PACKAGING / "linux" / "install.sh", bundle / "install.sh")
    archive = DIST / f"opsdesk-{version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(bundle, arcname=f"opsdesk-{version}")
    return archive


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    version = project_version()
    bundle = freeze(version)
    print(f"bundle: {bundle} ({folder_size(bundle) / 1e6:.0f} MB)")
    if sys.platform.startswith("linux"):
        archive = package_linux(bundle, version)
        print(f"archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    elif sys.platform == "darwin":
        print(f"app: {DIST / 'Opsdesk.app'} — make the .dmg as packaging/README.md shows")
    elif sys.platform == "win32":
        print("installer: run `iscc packaging\\windows\\opsdesk.iss` (Inno Setup 6)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
