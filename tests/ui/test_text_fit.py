"""`TextFit` answers exactly what Qt's own elision answers, for any text and width: the quick sum
of advances may only decide for texts that surely fit, never change what the user sees."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QApplication

from app.ui.widgets.text_fit import TextFit

#: Latin text with kerning pairs and ligatures, which shaping tightens, and other scripts,
#: combining marks and control characters, which must be measured exactly.
SAMPLES = ["Ada Lovelace", "AVAWAY To Ty Wa Yo", "office affluent ffi fl", "jonas.novak4@soylent.example",
           "2026-01-01 00:00", "Zürich Œuvre ßtraße", "T.V. P.O. L'Ýves", "Ivan Müller", "e\u0301le\u0300ve",
           "Ελληνικά", "Русский текст", "日本語のテキスト", "עברית", "مرحبا بالعالم", "tab\there", "", " "]

_ALPHABET = st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x2FF),
                      st.sampled_from("\u0301\u0308ΩЖ語ע\u200b\t…ﬁ"))


def _fit(family: str | None = None) -> TextFit:
    font = QApplication.font() if family is None else QFont(family, 11)
    return TextFit(QFontMetricsF(font))


def _exact(fit: TextFit, text: str, width: float) -> str:
    return fit.metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)


def test_samples_are_fitted_as_qt_elides_them_at_every_width(qtbot):
    for family in (None, "DejaVu Serif", "Liberation Sans"):
        fit = _fit(family)
        for text in SAMPLES:
            for width in range(0, 320, 3):
                assert fit.fitted(text, width) == _exact(fit, text, width), (family, text, width)


def test_a_text_that_does_not_fit_is_shortened_with_an_ellipsis(qtbot):
    fit = _fit()
    text = "a.very.long.address@example-company.example"
    fitted = fit.fitted(text, 80)
    assert fitted.endswith("…") and len(fitted) < len(text)
    assert fit.metrics.horizontalAdvance(fitted) <= 80
    assert fit.fitted(text, 1000) == text


@settings(max_examples=300, deadline=None)
@given(text=st.text(_ALPHABET, max_size=40), width=st.integers(0, 400))
def test_any_text_is_fitted_as_qt_elides_it(qapp, text, width):
    fit = _fit()
    assert fit.fitted(text, width) == _exact(fit, text, width)
