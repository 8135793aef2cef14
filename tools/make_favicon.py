"""Write the workbench's icon: ``govflow/web/static/web/favicon.svg`` (what the pages link)
and ``favicon.ico`` (what a browser asks ``/favicon.ico`` for when a page names none: the API
documentation, a download), one 32×32 picture drawn twice from the same shapes — a sheet of
paper with its corner folded and three lines of text, white on the office's blue.

Run ``python tools/make_favicon.py`` after changing the shapes and commit both files. Only
the standard library: the .ico holds one PNG, which every browser in use reads.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "govflow" / "web" / "static" / "web"
SIZE = 32
BLUE = (0x15, 0x65, 0xC0, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
RADIUS = 6
SHEET = (9, 6, 23, 26)  # left, top, right, bottom
FOLD = 5  # the folded corner, top right
LINES = ((12, 13, 20), (12, 17, 20), (12, 21, 17))  # x from, y (2 px high), x to

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">
<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="#1565c0"/>
<path d="M{SHEET[0]} {SHEET[1]}h{SHEET[2] - SHEET[0] - FOLD}l{FOLD} {FOLD}V{SHEET[3]}H{SHEET[0]}z" fill="#fff"/>
<path d="{"".join(f"M{a} {y + 1}H{b}" for a, y, b in LINES)}" stroke="#1565c0" stroke-width="2"/>
</svg>
"""


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    cx, cy = x + 0.5, y + 0.5
    # outside the rounded square's corners: transparent
    for kx in (RADIUS, SIZE - RADIUS):
        for ky in (RADIUS, SIZE - RADIUS):
            near_x = cx < RADIUS if kx == RADIUS else cx > SIZE - RADIUS
            near_y = cy < RADIUS if ky == RADIUS else cy > SIZE - RADIUS
            if near_x and near_y and (cx - kx) ** 2 + (cy - ky) ** 2 > RADIUS**2:
                return CLEAR
    left, top, right, bottom = SHEET
    on_sheet = left <= cx <= right and top <= cy <= bottom
    if not on_sheet or cx - (right - FOLD) > cy - top:
        return BLUE
    if any(a <= cx <= b and y0 <= cy <= y0 + 2 for a, y0, b in LINES):
        return BLUE
    return WHITE


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def ico() -> bytes:
    image = png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


def main() -> None:
    (OUT / "favicon.svg").write_text(SVG, encoding="utf-8")
    (OUT / "favicon.ico").write_bytes(ico())


if __name__ == "__main__":
    main()
