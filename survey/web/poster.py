"""The share kit's poster as a picture (PNG), for a slide, a newsletter, a
screen in the staff room or a Teams post: the same words as the printable
poster page, with the link and its QR code (segno), drawn with Pillow."""

import io

import segno
from PIL import Image, ImageDraw, ImageFont

from survey.models import Survey

# A4 at 150 dots per inch.
WIDTH, HEIGHT = 1240, 1754
MARGIN = 100
INK, MUTED, ACCENT = (33, 37, 41), (73, 80, 87), (13, 110, 253)
QR_SCALE = 12


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and draw.textlength(candidate, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def qr_image(link: str) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=QR_SCALE, border=2)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def poster_png(*, survey: Survey, link: str) -> bytes:
    """The poster: who asks, the title, the promise, the QR code and the link."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    text_width = WIDTH - 2 * MARGIN
    y = MARGIN

    def paragraph(text: str, size: int, fill, gap: int) -> None:
        nonlocal y
        font = ImageFont.load_default(size=size)
        # A long address is one word: make it smaller until it fits.
        while size > 20 and max(draw.textlength(word, font=font) for word in text.split()) > text_width:
            size -= 2
            font = ImageFont.load_default(size=size)
        for line in _wrap(draw, text, font, text_width):
            draw.text((WIDTH // 2, y), line, font=font, fill=fill, anchor="ma")
            y += int(size * 1.25)
        y += gap

    paragraph("An anonymous survey", 40, ACCENT, 30)
    paragraph(survey.title, 76, INK, 30)
    paragraph("Tell us how it really is. Nobody will know who said what.", 44, MUTED, 50)
    qr = qr_image(link)
    image.paste(qr, ((WIDTH - qr.width) // 2, y))
    y += qr.height + 40
    paragraph("Scan the code, or go to", 36, MUTED, 0)
    paragraph(link, 40, INK, 30)
    if survey.access == Survey.Access.CODES:
        paragraph("You will need the invitation code you were given.", 34, INK, 20)
    paragraph(
        "It does not ask your name, and nothing about your device, your address or when you answer is recorded. "
        f"Results are only shown for groups of at least {survey.min_group_size} people; comments are only quoted "
        "once a moderator has removed anything that could identify anyone.",
        28,
        MUTED,
        0,
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
