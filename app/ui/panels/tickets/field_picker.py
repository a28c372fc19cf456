"""A ticket field's picker that names its field inside the box: "Status: Pending".

A label column beside the pickers took a third of a narrow detail pane; a picker without one
leaves "Technical" or "High" for the agent to guess. This one draws its caption before the value
(elided with "…" when the pane is narrow, the whole text in its tooltip) and may shrink to a few
characters, so the pane's width is the splitter's to decide, never the longest queue name's.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)


class FieldPicker(QComboBox):
    """A combo box whose closed state reads "<caption>: <value>"."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        self.setAccessibleName(caption)
        self.setMinimumContentsLength(6)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def shown_text(self) -> str:
        """What the closed box says, before eliding."""
        return f"{self.caption}: {self.currentText()}"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            self.setToolTip(self.shown_text())  # the whole text, however narrow the box
        return super().event(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        room = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()
        option.currentText = self.fontMetrics().elidedText(self.shown_text(), Qt.TextElideMode.ElideRight, room)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)
