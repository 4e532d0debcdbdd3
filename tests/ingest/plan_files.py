"""Test material: a plan's Markdown source made into the files maintainers receive (Word, PDF, scanned PDF).

- ``make_docx``: python-docx, headings and paragraphs in order, bullets in the "List Bullet" style, every
  Markdown pipe table a real Word table (a grid for tables with a "TT/STT" header, borderless otherwise).
- ``make_pdf``: PyMuPDF Story from HTML, a Vietnamese-capable Debian font (DejaVu Serif), ruled tables,
  page numbers at the foot of each page: a PDF with a text layer.
- ``make_scan``: the PDF's pages rendered to greyscale images, blurred and noised, put back into a PDF
  with no text layer.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/truetype/noto")]
FONT_FILES = {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf"}
A4 = (595, 842)


def font_dir() -> Path | None:
    return next((d for d in FONT_DIRS if (d / FONT_FILES["regular"]).is_file()), None)


# -- Markdown, as the plan authors write it ----------------------------------------------------------------
def _blocks(markdown: str) -> list[tuple[str, object]]:
    """("heading", (level, text)) | ("para", text) | ("bullet", text) | ("table", rows) in order."""
    blocks: list[tuple[str, object]] = []
    table: list[list[str]] = []
    for line in markdown.split("\n") + [""]:
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) or not c for c in cells):
                table.append(cells)
            continue
        if table:
            blocks.append(("table", table))
            table = []
        if not stripped:
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading:
            blocks.append(("heading", (len(heading.group(1)), heading.group(2))))
        elif re.match(r"^[-*+]\s+", stripped):
            blocks.append(("bullet", re.sub(r"^[-*+]\s+", "", stripped)))
        else:
            blocks.append(("para", stripped))
    return blocks


def _plain(text: str) -> str:
    return re.sub(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)", "", text).replace("\\|", "|")


def _ruled(rows: list[list[str]]) -> bool:
    return bool(rows) and re.sub(r"\W", "", _plain(rows[0][0]).lower()) in {"tt", "stt"}


# -- Word ----------------------------------------------------------------------------------------------
def make_docx(markdown: str, path: Path) -> Path:
    import docx
    from docx.shared import Pt

    document = docx.Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(13)
    for kind, value in _blocks(markdown):
        if kind == "heading":
            level, text = value
            document.add_paragraph().add_run(_plain(text)).bold = True
        elif kind == "bullet":
            document.add_paragraph(_plain(value), style="List Bullet")
        elif kind == "para":
            paragraph = document.add_paragraph()
            paragraph.add_run(_plain(value)).bold = value.startswith("**") and value.endswith("**")
        else:
            rows = value
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            if _ruled(rows):
                table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c in range(width):
                    cell = table.cell(r, c)
                    parts = _plain(row[c] if c < len(row) else "").split("<br>")
                    cell.text = parts[0]
                    for part in parts[1:]:
                        cell.add_paragraph(part)
    document.save(path)
    return path


# -- PDF with a text layer ---------------------------------------------------------------------------------
def _html(markdown: str) -> str:
    out: list[str] = []
    bullets: list[str] = []

    def inline(text: str) -> str:
        escaped = html.escape(text).replace("&lt;br&gt;", "<br/>")
        escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
        return re.sub(r"(?<!\w)\*(\S.*?\S|\S)\*(?!\w)", r"<i>\1</i>", escaped)

    for kind, value in _blocks(markdown):
        if kind != "bullet" and bullets:
            out.append("".join(f"<p class='b'>- {b}</p>" for b in bullets))
            bullets = []
        if kind == "heading":
            level, text = value
            centered = " class='c'" if level == 1 else ""
            out.append(f"<p{centered}><b>{inline(_plain(text))}</b></p>")
        elif kind == "bullet":
            bullets.append(inline(value))
        elif kind == "para":
            out.append(f"<p>{inline(value)}</p>")
        else:
            rows = value
            ruled = _ruled(rows)
            cls = "g" if ruled else "n"
            body = []
            for r, row in enumerate(rows):
                tag = "th" if r == 0 and ruled else "td"
                body.append("<tr>" + "".join(f"<{tag}>{inline(cell)}</{tag}>" for cell in row) + "</tr>")
            out.append(f"<table class='{cls}'>" + "".join(body) + "</table>")
    if bullets:
        out.append("".join(f"<p class='b'>- {b}</p>" for b in bullets))
    return "\n".join(out)


CSS = """
@font-face {font-family: plan; src: url(%(regular)s);}
@font-face {font-family: plan; src: url(%(bold)s); font-weight: bold;}
body {font-family: plan; font-size: %(size)spt; line-height: 1.25;}
p {margin: 0 0 5pt 0; text-align: justify;}
p.c {text-align: center;}
p.b {margin-left: 10pt;}
table {border-collapse: collapse; width: 100%%; margin: 4pt 0 6pt 0;}
table.g td, table.g th {border: 0.8pt solid black; padding: 2pt 3pt; font-size: 10pt; vertical-align: top;}
table.n td {padding: 2pt; font-size: 10.5pt; text-align: center; vertical-align: top;}
th {font-weight: bold;}
"""


def make_pdf(markdown: str, path: Path, font_size: float = 11) -> Path:
    import pymupdf

    fonts = font_dir()
    assert fonts is not None, "a Vietnamese-capable font (fonts-dejavu-core) is needed"
    archive = pymupdf.Archive(str(fonts))
    story = pymupdf.Story(_html(markdown), user_css=CSS % {**FONT_FILES, "size": font_size}, archive=archive)
    buffer = io.BytesIO()
    writer = pymupdf.DocumentWriter(buffer)
    page_rect = pymupdf.Rect(0, 0, *A4)
    where = page_rect + (60, 50, -50, -60)
    more = True
    while more:
        device = writer.begin_page(page_rect)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    document = pymupdf.open("pdf", buffer.getvalue())
    for number, page in enumerate(document, start=1):
        page.insert_text(
            (A4[0] / 2, A4[1] - 30),
            str(number),
            fontsize=10,
            fontname="plan",
            fontfile=str(fonts / FONT_FILES["regular"]),
        )
    document.save(path, garbage=3, deflate=True)
    return path


# -- scanned PDF ---------------------------------------------------------------------------------------
def make_scan(pdf: Path, path: Path, dpi: int = 150, seed: int = 7, pages: int | None = None) -> Path:
    """Each page as a slightly blurred, noisy greyscale image, in a PDF without a text layer."""
    import numpy as np
    import pymupdf
    from PIL import Image, ImageFilter

    rng = np.random.default_rng(seed)
    source = pymupdf.open(pdf)
    out = pymupdf.open()
    for index, page in enumerate(source):
        if pages is not None and index >= pages:
            break
        pixmap = page.get_pixmap(dpi=dpi, colorspace="gray")
        image = Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)
        image = image.filter(ImageFilter.GaussianBlur(radius=0.6))
        pixels = np.asarray(image, dtype=np.float32)
        pixels = pixels * 0.92 + 10 + rng.normal(0, 14, pixels.shape)
        speckles = rng.random(pixels.shape) < 0.0015
        pixels[speckles] = 40
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=70)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=buffer.getvalue())
    out.save(path, garbage=3, deflate=True)
    return path
