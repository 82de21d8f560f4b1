"""Print PDF bytes through Qt: each page rendered by QtPdf at the printer's resolution, with a print preview."""

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

MAX_PRINT_DPI = 300  # plenty for text; a 1200-dpi printer would otherwise get 16x the pixels for nothing


def load_pdf(pdf: bytes, parent=None) -> QPdfDocument:
    """A QPdfDocument over the bytes (the buffer is parented to the document so it lives as long)."""
    document = QPdfDocument(parent)
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise ValueError("The document could not be read for printing.")
    return document


def paint_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Draw every page on the printer (one sheet each, scaled to fit); returns the number of pages printed."""
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        dpi = min(printer.resolution(), MAX_PRINT_DPI)
        target = printer.pageLayout().paintRectPixels(printer.resolution())
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            points = document.pagePointSize(page)
            size = QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
            image = document.render(page, size).scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                       Qt.TransformationMode.SmoothTransformation)
            painter.drawImage(0, 0, image)  # the painter's origin is already the printable area's corner
        return document.pageCount()
    finally:
        painter.end()


def print_preview(pdf: bytes, parent: QWidget | None = None, *, title: str = "") -> QPrintPreviewDialog:
    """A print preview of the PDF (A4); the person prints or closes it. The caller calls exec() or open()."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    document = load_pdf(pdf)
    dialog = QPrintPreviewDialog(printer, parent)
    document.setParent(dialog)
    dialog.setWindowTitle(title or dialog.windowTitle())
    # The dialog does not own the printer; the connection holds it for as long as the dialog lives (a printer freed
    # when this function returned left the dialog painting through a dangling pointer: a crash on open()).
    dialog.paintRequested.connect(lambda target, _printer=printer: paint_pdf(document, target))
    return dialog
