"""Draw the favicon's PNG and ICO fallbacks (static/img/) from the same shapes as static/img/favicon.svg.

Run `python scripts/make_favicon.py` after changing the SVG; the files are committed, nothing is drawn at run time.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "img"
BRAND, ACCENT = "#0b4f6c", "#f2a900"
SCALE = 8  # drawn large, then reduced: smooth edges without an SVG renderer


def draw(size: int) -> Image.Image:
    big = size * SCALE
    unit = big / 64  # the SVG's viewBox is 64 x 64
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=int(12 * unit), fill=BRAND)
    width = int(7 * unit)
    for line in ([(14, 44), (28, 30), (36, 38), (50, 20)], [(40, 18), (52, 18), (52, 30)]):
        points = [(x * unit, y * unit) for x, y in line]
        pen.line(points, fill=ACCENT, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps
            pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=ACCENT)
    return image.resize((size, size), Image.LANCZOS)


if __name__ == "__main__":
    draw(32).save(OUT / "favicon-32.png", optimize=True)
    draw(180).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
