"""PDF reports as text, in exactly the shape the standard-table readers expect.

pdfplumber's ``extract_text`` keeps each table row on one line with cells
separated by spaces, which is what the readers rely on; pages are joined by a
form feed so page breaks stay visible (and page footers such as "- 3 -" stay
on lines of their own, where the readers skip them).  The bundled hongze .txt
files were made by this very function, so offsets computed on its output are
offsets into the stored text.
"""

from __future__ import annotations

import io

import pdfplumber


def pdf_to_text(data: bytes) -> str:
    """The text of a PDF: pdfplumber ``extract_text`` per page, each page ended
    by a newline, pages separated by a form feed on a line of its own
    ("page1\\n\\f\\npage2\\n"), byte for byte the layout of the bundled .txt files."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\f\n".join((page.extract_text() or "") + "\n" for page in pdf.pages)
