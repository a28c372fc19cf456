#!/bin/sh
# Install the unpacked bundle for the current user: a launcher in ~/.local/bin, the menu entry
# and icons under ~/.local/share. Run from the unpacked folder: ./install.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$HOME/.local/bin" "$HOME/.local/share"
ln -sf "$here/opsdesk" "$HOME/.local/bin/opsdesk"
cp -r "$here/share/." "$HOME/.local/share/"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$HOME/.local/share/applications" || true
echo "Installed: run 'opsdesk' or find Opsdesk in your applications menu."
