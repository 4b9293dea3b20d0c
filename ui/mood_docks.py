"""The mood side of the window: dock widgets for the mood map, the journal and the camera, and their wiring.

Each reader is optional: if its module or model cannot load, its dock says why and the rest of the app goes on.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.mood_controller import MoodController
from ui.mood_map import MoodMap, StrategyBar

log = logging.getLogger("moodtape.ui")


def _dock(window, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(area, dock)
    window.view_menu.addAction(dock.toggleViewAction())
    return dock


def _unavailable(text: str) -> QWidget:
    w = QWidget()
    lay = QVBoxLayout(w)
    lab = QLabel(text)
    lab.setWordWrap(True)
    lay.addWidget(lab)
    lay.addStretch(1)
    return w


def install_mood_features(window, camera_source: int | str = 0, journal_reader_factory=None,
                          retriever_factory=None, camera: bool = True, journal: bool = True) -> MoodController:
    """Add the mood docks to the main window and connect every reader to the mood engine."""
    mood_page = QWidget()
    lay = QVBoxLayout(mood_page)
    lay.setContentsMargins(4, 4, 4, 4)
    window.strategy_bar = StrategyBar()
    window.mood_map = MoodMap()
    lay.addWidget(window.strategy_bar)
    lay.addWidget(window.mood_map, 1)
    window.mood_dock = _dock(window, "Mood", "moodDock", mood_page, Qt.DockWidgetArea.RightDockWidgetArea)
    if not window.store.get_state("window_state"):  # first start: a narrow map, the table gets the room

        def first_layout() -> None:
            window.resizeDocks([window.mood_dock], [300], Qt.Orientation.Horizontal)
            total = sum(window.splitter.sizes())
            window.splitter.setSizes([total - 270, 270])

        QTimer.singleShot(0, first_layout)
    controller = MoodController(window, window.mood_map, window.strategy_bar, retriever_factory=retriever_factory)
    window.mood = controller

    if journal:
        try:
            from ui.journal_pane import JournalPane

            pane = JournalPane(window.store, reader_factory=journal_reader_factory)
            pane.reading_ready.connect(lambda r: controller.journal_reading(pane.editor.toPlainText(), r))
            pane.reader_off.connect(window.show_message)
            window.journal_pane = pane
        except Exception as exc:  # the journal is optional
            log.exception("journal pane unavailable")
            pane = _unavailable(f"The journal is off: {exc}")
        window.journal_dock = _dock(window, "Journal", "journalDock", pane, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.journal_dock.hide()

    if camera:
        try:
            from ui.camera_panel import CameraPanel

            panel = CameraPanel(source=camera_source)
            panel.observation.connect(controller.observe)
            panel.error.connect(window.show_message)  # camera lost, model missing: the status bar says so too
            window.camera_panel = panel
        except Exception as exc:  # the camera is optional
            log.exception("camera panel unavailable")
            panel = _unavailable(f"The camera reader is off: {exc}")
        window.camera_dock = _dock(window, "Camera", "cameraDock", panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        window.camera_dock.hide()
    if journal and camera:
        window.tabifyDockWidget(window.journal_dock, window.camera_dock)

    def start_session(full_screen: bool = True, leave_timeout_s: float | None = None):
        from ui.session import HandsFreeSession

        if leave_timeout_s is None:
            settings = getattr(window, "settings", None)
            leave_timeout_s = settings.leave_timeout_s if settings is not None else 10.0

        source = camera_source
        if hasattr(window, "camera_panel"):
            window.camera_panel.stop()  # one reader owns the camera at a time
            source = window.camera_panel.source  # as the settings left it
        window.session = HandsFreeSession(window, source, leave_timeout_s)
        window.session.start(full_screen)
        return window.session

    window.start_session = start_session
    act = window.view_menu.addAction("Hands-free session")
    act.setShortcut("F11")
    act.triggered.connect(lambda: start_session())
    window.act_session = act
    button = QPushButton("Hands-free session")
    button.setObjectName("sessionButton")
    button.setToolTip("Full screen, camera on: the music follows your face and pauses when you leave (F11)")
    button.clicked.connect(act.trigger)
    lay.insertWidget(0, button)
    window.session_button = button
    return controller
