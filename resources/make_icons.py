"""Generate the console's icons: the app icon and one per sidebar module, as SVG and PNG.

Run `python resources/make_icons.py` after changing a drawing below; the outputs are committed.
Each icon is a coloured rounded tile with a white glyph, so it reads on light and dark sidebars.
The SVG is the source; QPainter (through QSvgRenderer) renders it to PNGs at 16–512 px for
high-DPI screens and for the platform bundles (.ico/.icns are built from these PNGs).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent
STROKE = 'fill="none" stroke="#ffffff" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"'

# name: (tile colour top, tile colour bottom, glyph drawn on a 64×64 canvas)
GLYPHS: dict[str, tuple[str, str, str]] = {
    "app": ("#3b82f6", "#4338ca", f"""
        <rect x="12" y="16" width="40" height="28" rx="4" {STROKE}/>
        <path d="M20 26 l6 5 -6 5" {STROKE}/>
        <path d="M31 37 h10" {STROKE}/>
        <path d="M24 50 h16" {STROKE}/>"""),
    "contacts": ("#0ea5e9", "#0369a1", f"""
        <circle cx="32" cy="24" r="8" {STROKE}/>
        <path d="M17 49 c2 -9 8 -13 15 -13 s13 4 15 13" {STROKE}/>"""),
    "tickets": ("#f59e0b", "#c2410c", f"""
        <path d="M12 22 h40 v6 a4 4 0 0 0 0 8 v6 h-40 v-6 a4 4 0 0 0 0 -8 z" {STROKE}/>
        <path d="M38 22 v20" stroke-dasharray="3 4" {STROKE}/>"""),
    "invoices": ("#10b981", "#047857", f"""
        <path d="M18 12 h20 l8 8 v32 h-28 z" {STROKE}/>
        <path d="M24 30 h16 M24 38 h16 M24 46 h9" {STROKE}/>"""),
    "webhooks": ("#a855f7", "#6d28d9", f"""
        <circle cx="32" cy="18" r="6" {STROKE}/>
        <circle cx="18" cy="44" r="6" {STROKE}/>
        <circle cx="46" cy="44" r="6" {STROKE}/>
        <path d="M29 23 l-8 15 M35 23 l8 15 M24 44 h16" {STROKE}/>"""),
    "quota": ("#ef4444", "#b91c1c", f"""
        <path d="M14 42 a18 18 0 0 1 36 0" {STROKE}/>
        <path d="M32 42 l9 -11" {STROKE}/>
        <circle cx="32" cy="42" r="2.5" fill="#ffffff"/>"""),
    "api_keys": ("#eab308", "#a16207", f"""
        <circle cx="22" cy="32" r="8" {STROKE}/>
        <path d="M30 32 h22 M44 32 v7 M50 32 v5" {STROKE}/>"""),
    "request_log": ("#64748b", "#334155", f"""
        <path d="M14 22 h26 M34 16 l6 6 -6 6" {STROKE}/>
        <path d="M50 42 h-26 M30 36 l-6 6 6 6" {STROKE}/>"""),
}


def svg_for(name: str) -> str:
    """The SVG source of icon `name`: a rounded gradient tile and its glyph."""
    top, bottom, glyph = GLYPHS[name]
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
  <defs>
    <linearGradient id="tile" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="{top}"/>
      <stop offset="1" stop-color="{bottom}"/>
    </linearGradient>
  </defs>
  <rect x="2" y="2" width="60" height="60" rx="14" fill="url(#tile)"/>{glyph}
</svg>
"""


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QByteArray, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out = HERE / "icons"
    out.mkdir(exist_ok=True)
    for name in GLYPHS:
        source = svg_for(name)
        (out / f"{name}.svg").write_text(source, encoding="utf-8")
        renderer = QSvgRenderer(QByteArray(source.encode("utf-8")))
        if not renderer.isValid():
            raise SystemExit(f"{name}.svg did not parse")
        for size in SIZES:
            image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            renderer.render(painter)
            painter.end()
            image.save(str(out / f"{name}-{size}.png"))
    del app
    print(f"wrote {len(GLYPHS)} icons × {len(SIZES)} sizes to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
