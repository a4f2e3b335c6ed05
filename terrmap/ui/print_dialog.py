"""The Print Layout dialog: the options form beside a live preview of the pages.

Modeless, like the Optimise dialog. Every change to the form restarts a short timer; when
it fires the pages are planned again (`make_document`, the controller's) and the page shown
is drawn at the preview's size with the same painting code as the PDF and the printer. The
dialog only says what the user asked for through its signals; `terrmap.ui.print_action`
writes the files and talks to the printer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from terrmap.errors import TerrmapError
from terrmap.ui.print_text import Text

if TYPE_CHECKING:
    from collections.abc import Callable

    from terrmap.render.layout import LayoutDocument
    from terrmap.ui.print_form import PrintChoices, PrintForm

DEBOUNCE_MS = 250  # typing a title re-plans the pages once the keys stop
DIALOG_SIZE = (1080, 760)
FORM_WIDTH = 360
PREVIEW_BACKGROUND = "#D5D9DE"
SHADOW = QColor(0, 0, 0, 60)
PREVIEW_PADDING = 16  # px around the sheet


class PagePreview(QWidget):
    """One page of a document drawn at the widget's size, on a grey desk with a shadow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.message = ""
        self.setMinimumSize(320, 360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sheet_size(self, page_size: tuple[float, float]) -> QSize:
        """Logical pixels the sheet takes when fitted into the widget."""
        width, height = page_size
        room_w = max(1, self.width() - 2 * PREVIEW_PADDING)
        room_h = max(1, self.height() - 2 * PREVIEW_PADDING)
        scale = min(room_w / width, room_h / height)
        return QSize(max(1, round(width * scale)), max(1, round(height * scale)))

    def show_page(self, document: LayoutDocument, index: int) -> None:
        """Draw page ``index`` of ``document`` and show it."""
        self.image = page_preview(
            document, index, self.sheet_size(document.layout.page_size()), self.devicePixelRatioF()
        )
        self.message = ""
        self.update()

    def show_message(self, text: str) -> None:
        """Show ``text`` instead of a page (the layout failed)."""
        self.image, self.message = None, text
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(PREVIEW_BACKGROUND))
        if self.image is not None:
            ratio = self.image.devicePixelRatio()
            width, height = self.image.width() / ratio, self.image.height() / ratio
            sheet = QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
            painter.fillRect(sheet.translated(3, 3), SHADOW)
            painter.drawImage(sheet.topLeft(), self.image)
        elif self.message:
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )
        painter.end()


def page_preview(document: LayoutDocument, index: int, size: QSize, ratio: float) -> QImage:
    """Page ``index`` of ``document`` as an image of ``size`` logical pixels at ``ratio``."""
    page_width, _height = document.layout.page_size()
    scale = size.width() / page_width
    image = QImage(
        round(size.width() * ratio),
        round(size.height() * ratio),
        QImage.Format.Format_ARGB32_Premultiplied,
    )
    # Painted in page units on a scaled image, as the PNG writer does, so text and line
    # weights keep their proportions on the small sheet.
    image.setDevicePixelRatio(scale * ratio)
    image.fill(QColor("#FFFFFF"))
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        document.paint(painter, index)
    finally:
        painter.end()
    image.setDevicePixelRatio(ratio)
    return image


class PrintDialog(QDialog):
    """Options and preview of one print layout.

    Parameters
    ----------
    form
        The options form (becomes a child of the dialog).
    make_document
        Plans the pages for a choice (raises TerrmapError or ValueError with words for the
        user).

    Signals
    -------
    print_requested()
        Print with the form's choices.
    export_requested(str)
        Export as ``"pdf"``, ``"svg"`` or ``"png"``.
    preview_updated()
        The preview shows the current choices (and ``page_count`` is up to date).
    """

    print_requested = Signal()
    export_requested = Signal(str)
    preview_updated = Signal()

    def __init__(
        self,
        form: PrintForm,
        make_document: Callable[[PrintChoices], LayoutDocument],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(Text.TITLE)
        self.setObjectName("printDialog")
        self.form = form
        self._make_document = make_document
        self.document: LayoutDocument | None = None
        self._key: PrintChoices | None = None
        self.page_index = 0
        self.preview = PagePreview(self)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.refresh)
        form.changed.connect(self.schedule)
        self._build()
        self.resize(*DIALOG_SIZE)
        self._contents_changed()
        self.schedule()

    # -- building -------------------------------------------------------------------------
    def _build(self) -> None:
        self.scroll = scroll = QScrollArea(self)
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFixedWidth(FORM_WIDTH)
        self.previous = self._tool(Qt.ArrowType.LeftArrow, Text.PREVIOUS_TIP, -1)
        self.next = self._tool(Qt.ArrowType.RightArrow, Text.NEXT_TIP, 1)
        self.page_label = QLabel(Text.PAGE_ONE, self)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setMinimumWidth(120)
        pager = QHBoxLayout()
        pager.addStretch(1)
        pager.addWidget(self.previous)
        pager.addWidget(self.page_label)
        pager.addWidget(self.next)
        pager.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addLayout(pager)
        body = QHBoxLayout()
        body.addWidget(scroll)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(self)
        self.print_button = self._button(buttons, Text.PRINT, Text.PRINT_TIP)
        self.print_button.clicked.connect(self.print_requested)
        self.export_buttons = {}
        for kind, text, tip in (
            ("pdf", Text.EXPORT_PDF, Text.EXPORT_PDF_TIP),
            ("svg", Text.EXPORT_SVG, Text.EXPORT_SVG_TIP),
            ("png", Text.EXPORT_PNG, Text.EXPORT_PNG_TIP),
        ):
            button = self._button(buttons, text, tip)
            button.clicked.connect(lambda _checked=False, k=kind: self.export_requested.emit(k))
            self.export_buttons[kind] = button
        self.close_button = self._button(buttons, Text.CLOSE, "")
        self.close_button.clicked.connect(self.reject)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        self.form.contents.currentIndexChanged.connect(lambda _i: self._contents_changed())

    def _button(self, box: QDialogButtonBox, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, box)
        button.setToolTip(tip)
        button.setAutoDefault(False)
        box.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        return button

    def _tool(self, arrow: Qt.ArrowType, tip: str, step: int) -> QToolButton:
        button = QToolButton(self)
        button.setArrowType(arrow)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(lambda: self.go_to(self.page_index + step))
        return button

    def set_default(self, action: str) -> None:
        """Make ``"print"`` or an export kind the button Enter presses."""
        button = self.print_button if action == "print" else self.export_buttons[action]
        button.setDefault(True)
        button.setFocus()

    # -- preview --------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        """Pages of the current layout (0 before the first preview or after a failure)."""
        return 0 if self.document is None else len(self.document.pages)

    def schedule(self) -> None:
        """Update the preview once the form has been still for a moment."""
        self._timer.start()

    def refresh(self) -> None:
        """Plan the pages again if the choices changed, and draw the page shown."""
        self._timer.stop()
        choices = self.form.choices()
        key = _layout_key(choices)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            if key != self._key or self.document is None:
                self.document, self._key = None, None
                self.document = self._make_document(choices)
                self._key = key
                self.page_index = min(self.page_index, len(self.document.pages) - 1)
            self.preview.show_page(self.document, self.page_index)
        except (TerrmapError, ValueError) as error:
            self.preview.show_message(Text.PREVIEW_FAILED.format(reason=error))
        finally:
            QApplication.restoreOverrideCursor()
        self._update_pager()
        self.preview_updated.emit()

    def go_to(self, index: int) -> None:
        """Show page ``index`` (from 0), clamped to the document."""
        if self.document is None:
            return
        index = max(0, min(index, len(self.document.pages) - 1))
        if index != self.page_index:
            self.page_index = index
            self.refresh()

    def _update_pager(self) -> None:
        count = self.page_count
        self.page_label.setText(
            Text.PAGE_OF.format(page=self.page_index + 1, pages=count) if count else ""
        )
        self.previous.setEnabled(self.page_index > 0)
        self.next.setEnabled(self.page_index < count - 1)

    def _contents_changed(self) -> None:
        atlas = self.form.choices().atlas
        for kind in ("svg", "png"):
            button = self.export_buttons[kind]
            button.setEnabled(not atlas)
            tips = {"svg": Text.EXPORT_SVG_TIP, "png": Text.EXPORT_PNG_TIP}
            button.setToolTip(Text.ATLAS_PDF_ONLY if atlas else tips[kind])

    # -- events ---------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.document is not None:
            self.schedule()  # the pages stay planned; only the drawing follows the size

    def keyPressEvent(self, event: QKeyEvent) -> None:
        steps = {Qt.Key.Key_PageUp: -1, Qt.Key.Key_PageDown: 1}
        if event.key() in steps:
            self.go_to(self.page_index + steps[event.key()])
            return
        super().keyPressEvent(event)

    def done(self, result: int) -> None:
        self.form.remember()
        self._timer.stop()
        super().done(result)


def _layout_key(choices: PrintChoices) -> PrintChoices:
    """The choices that change the pages: the PNG resolution does not."""
    from dataclasses import replace

    return replace(choices, dpi=0)
