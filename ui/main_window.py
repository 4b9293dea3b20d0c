"""The main window: transport, now playing, library (with filter), problems, the play queue, status."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QFileSystemWatcher, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSlider,
    QSplitter,
    QStyle,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from emotion.loudness import levelling_gain
from emotion.mood_space import QUADRANT_NAMES
from emotion.tagger import LOUDNESS_FIELDS
from library.albums import follows
from library.mood_edits import set_by_you
from library.open_targets import library_path
from library.paths import data_dir
from library.playlists import is_playlist
from library.query import HELP as FILTER_HELP
from library.scanner import ScanResult, home_trash, is_trash_dir, scan_files, scan_folder
from library.store import Store
from library.tags import media_kind
from player.engine import CUSTOM_EQ, PlayerEngine
from player.queue import ShuffleFill
from ui import library_actions, playlist_actions, tag_editor, track_info
from ui.browser import BrowserPanes
from ui.library_model import (
    LibraryFilter,
    LibraryModel,
    ShownLength,
    format_duration,
    format_total,
    total_seconds,
)
from ui.lyrics_view import install_lyrics_dock
from ui.now_playing import NowPlaying
from ui.playback_menu import EqualizerMenu, OutputDeviceMenu, SleepTimerMenu
from ui.problems_view import ProblemsView
from ui.queue_model import QueueModel
from ui.saved_filters_menu import SavedFiltersButton
from ui.table_columns import header_state, install_column_menu, restore_header, set_default_columns
from ui.tagging import TaggingController
from ui.workers import run_in_background

log = logging.getLogger("moodtape.ui")


@dataclass
class FileScan:
    """A scan job for single files (see MainWindow.scan_files)."""

    paths: list[str]
    then: Callable[[ScanResult], None] | None = None


def log_path() -> str:
    return str(data_dir() / "moodtape.log")
AUTO_QUEUE_LENGTH = 10
SAVE_EVERY_MS = 10_000
WATCH_LIMIT = 2000  # folders watched for changes at most


def folder_label(folder: str) -> str:
    """How the status bar names a folder: its last part (a whole path pushes the rest out of sight beside the
    tagging progress); the path itself for a root such as '/'."""
    return Path(folder).name or folder


def scan_message(s: dict) -> str:
    """The status bar's line after a scan: the folder's label and only the counts that are not zero."""
    counts = [f"{s[key]} {word}" for key, word in (("added", "new"), ("updated", "changed"), ("moved", "moved"),
                                                     ("restored", "back from the trash"), ("removed", "removed"),
                                                     ("problems", "problems")) if s.get(key)]
    changes = f" ({', '.join(counts)})" if counts else ", nothing changed"
    return f"Scanned {folder_label(s['folder'])}: {s['files']} files{changes} in {s['seconds']:.1f} s"


def tagging_rate_text(done: int, total: int, rate: float) -> str:
    """Beside the tagging progress bar: the pace, and roughly how long the rest will take at that pace."""
    if rate <= 0:
        return ""
    left_s = max(0, total - done) / rate
    if done >= total:
        return f"{rate:.1f} tracks/s"
    if left_s < 60:
        eta = "under a minute left"
    elif left_s < 3600:
        eta = f"about {round(left_s / 60)} min left"
    else:
        h, m = divmod(round(left_s / 60), 60)
        eta = f"about {h} h {m:02d} min left"
    return f"{rate:.1f} tracks/s, {eta}"


class MainWindow(QMainWindow):
    scan_finished = Signal(object)  # ScanResult
    library_changed = Signal()
    queue_pinned_changed = Signal()  # the user edited the queue (not a re-plan)

    def __init__(self, store: Store, engine: PlayerEngine, auto_tag: bool = True) -> None:
        super().__init__()
        self.store = store
        self.engine = engine
        self.auto_tag = auto_tag
        self.setWindowTitle("Moodtape")
        self.setAcceptDrops(True)
        self.resize(1200, 760)
        self._scan_queue: list[str | FileScan] = []  # folders, and single files the listener opened
        self._scanning: str | FileScan | None = None
        self._queue_check = False  # a scan removed tracks: the queue drops them when the scans end
        self._shown_errors: set[str] = set()
        self._muted_from: int | None = None  # the volume before Ctrl+M
        self._edits_running = 0  # tag edits in flight (the folder watcher's rescan waits for them)
        self._browser_sizes: list[int] = [150, 500]  # the browser panes' height, kept while they are hidden
        self._browser_on = True
        self.album_gain = True  # levelling by album gain while an album plays in order (Settings → Queue)
        self._tag_again = False  # a tagging run was asked for while one ran
        self.fill = ShuffleFill()
        self.auto_fill = self._shuffle_fill  # replaced by the mood planner when it is on

        self.library = LibraryModel(self)
        self.filter = LibraryFilter(self)
        self.filter.setSourceModel(self.library)
        self.shown_length = ShownLength(self.filter, parent=self)
        self.shown_length.ready.connect(self._update_counts)
        self.queue_model = QueueModel(engine.queue, self.library.track_for, self)
        self.tagging = TaggingController(store, self)

        self._build_ui()
        self._build_actions()
        self._connect()
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._folder_changed)
        self._rescan_timer = QTimer(self, singleShot=True, interval=2000)
        self._rescan_timer.timeout.connect(self._rescan_changed)
        self._changed_roots: set[str] = set()
        self._save_timer = QTimer(self, interval=SAVE_EVERY_MS)
        self._save_timer.timeout.connect(self.save_state)
        self._save_timer.start()

        self._seed_play_counts()
        self.library.set_rows(store.all_tracks())
        self.refresh_problems()
        self.restore_state()
        self._update_counts()

    # ----- layout
    def _build_ui(self) -> None:
        style = self.style()
        self.now_playing = NowPlaying()
        self.btn_prev = QToolButton(icon=style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.btn_play = QToolButton(icon=style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.btn_stop = QToolButton(icon=style.standardIcon(QStyle.StandardPixmap.SP_MediaStop))
        self.btn_next = QToolButton(icon=style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        for b, tip in ((self.btn_prev, "Previous"), (self.btn_play, "Play / pause (Space)"),
                       (self.btn_stop, "Stop"), (self.btn_next, "Next")):
            b.setToolTip(tip)
            b.setAutoRaise(True)
            b.setIconSize(b.iconSize() * 1.5)
        self.btn_like = QToolButton(text="♥ Like")
        self.btn_like.setToolTip("I like this in my current mood (the planner learns from it)")
        self.btn_like.hide()  # shown when the mood planner is on
        self.seek_slider = QSlider(Qt.Orientation.Horizontal)
        self.seek_slider.setRange(0, 0)
        self.seek_slider.setToolTip("Seek (← / →)")
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setMinimumWidth(90)
        self.volume_slider = QSlider(Qt.Orientation.Horizontal)
        self.volume_slider.setRange(0, 100)
        self.volume_slider.setValue(self.engine.volume)
        self.volume_slider.setFixedWidth(110)
        self.volume_slider.setToolTip("Volume")
        transport = QHBoxLayout()
        self.btn_set_mood = QToolButton(text="Feels like… ")
        self.btn_set_mood.setToolTip("Not what the tagger says? Set how the playing track feels to you; the planner "
                                     "takes your word, and re-tagging keeps it")
        self.btn_set_mood.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.btn_set_mood.setEnabled(False)  # until a library track plays
        for b in (self.btn_prev, self.btn_play, self.btn_stop, self.btn_next, self.btn_like, self.btn_set_mood):
            transport.addWidget(b)
        transport.addWidget(self.seek_slider, 1)
        transport.addWidget(self.time_label)
        vol_icon = QLabel()
        vol_icon.setPixmap(style.standardIcon(QStyle.StandardPixmap.SP_MediaVolume).pixmap(18, 18))
        transport.addWidget(vol_icon)
        transport.addWidget(self.volume_slider)

        # library tab
        self.filter_edit = QLineEdit(placeholderText="Filter: words, or artist:abba year:>=1990 mood:calm -live  "
                                                     "(Ctrl+F)")
        self.filter_edit.setToolTip(FILTER_HELP)
        self.filter_edit.setClearButtonEnabled(True)
        self.table = QTableView()
        self.table.setDragEnabled(True)  # tracks can be dragged to the queue (or out, as files)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setModel(self.filter)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        set_default_columns(self.table)
        install_column_menu(self.table)
        self.add_folder_btn = QPushButton("Add folder…")
        self.saved_filters = SavedFiltersButton(self, self.filter_edit)
        lib_top = QHBoxLayout()
        lib_top.addWidget(self.filter_edit, 1)
        lib_top.addWidget(self.saved_filters)
        lib_top.addWidget(self.add_folder_btn)
        self.browser = BrowserPanes(self.library)
        self.browser.setToolTip("Browse by mood, artist and album (Ctrl+click to pick several)")
        self.lib_splitter = QSplitter(Qt.Orientation.Vertical)
        self.lib_splitter.addWidget(self.browser)
        self.lib_splitter.addWidget(self.table)
        self.lib_splitter.setStretchFactor(0, 0)
        self.lib_splitter.setStretchFactor(1, 1)
        self.lib_splitter.setSizes([150, 500])
        self.lib_splitter.setChildrenCollapsible(False)
        lib_page = QWidget()
        lib_layout = QVBoxLayout(lib_page)
        lib_layout.setContentsMargins(4, 4, 4, 4)
        lib_layout.addLayout(lib_top)
        lib_layout.addWidget(self.lib_splitter)
        self.problems = ProblemsView()
        self.tabs = QTabWidget()
        self.tabs.addTab(lib_page, "Library")
        self.tabs.addTab(self.problems, "Problems")

        # queue panel
        self.queue_view = QListView()
        self.queue_view.setModel(self.queue_model)
        self.queue_view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)  # its own rows, and the library's
        self.queue_view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.queue_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.queue_view.setAlternatingRowColors(True)
        self.queue_title = QLabel("<b>Up next</b>")
        self.btn_q_remove = QPushButton("Remove")
        self.btn_q_clear = QPushButton("Clear")
        self.btn_q_shuffle = QPushButton("Shuffle library")
        self.btn_q_shuffle.setToolTip("Fill the automatic part of the queue with random library tracks")
        qbtns = QHBoxLayout()
        for b in (self.btn_q_remove, self.btn_q_clear, self.btn_q_shuffle):
            qbtns.addWidget(b)
        queue_panel = QWidget()
        ql = QVBoxLayout(queue_panel)
        ql.setContentsMargins(4, 4, 4, 4)
        ql.addWidget(self.queue_title)
        ql.addWidget(self.queue_view, 1)
        ql.addLayout(qbtns)
        hint = QLabel("<small>Bold: queued by you. ♪: planned for you.</small>")
        hint.setWordWrap(True)
        ql.addWidget(hint)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(queue_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([820, 340])

        central = QWidget()
        main = QVBoxLayout(central)
        main.addWidget(self.now_playing)
        main.addLayout(transport)
        main.addWidget(self.splitter, 1)
        self.setCentralWidget(central)

        # status bar: counts, scan progress, tagging progress
        self.count_label = QLabel()
        self.scan_bar = QProgressBar()
        self.scan_bar.setFixedWidth(180)
        self.scan_bar.setFormat("Scanning %v/%m")
        self.scan_bar.hide()
        self.tag_label = QLabel()
        self.tag_bar = QProgressBar()
        self.tag_bar.setFixedWidth(160)
        self.tag_bar.setFormat("Mood tags %v/%m")
        self.tag_bar.hide()
        self.tag_pause = QToolButton(text="Pause")
        self.tag_cancel = QToolButton(text="Cancel")
        for w in (self.tag_pause, self.tag_cancel):
            w.hide()
        sb = self.statusBar()
        sb.addPermanentWidget(self.tag_label)
        sb.addPermanentWidget(self.tag_bar)
        sb.addPermanentWidget(self.tag_pause)
        sb.addPermanentWidget(self.tag_cancel)
        sb.addPermanentWidget(self.scan_bar)
        sb.addPermanentWidget(self.count_label)

    def _build_actions(self) -> None:
        def act(text: str, shortcut: str | QKeySequence | None, slot, parent=self) -> QAction:
            a = QAction(text, parent)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.triggered.connect(slot)
            self.addAction(a)
            return a

        self.act_add_folder = act("&Add music folder…", "Ctrl+L", self.choose_folder)
        self.act_rescan = act("&Rescan library", "F5", self.rescan_all)
        self.act_open_playlist = act("&Open playlist…", QKeySequence.StandardKey.Open, self.choose_playlist)
        self.act_save_playlist = act("&Save queue as playlist…", QKeySequence.StandardKey.Save,
                                     self.choose_save_playlist)
        self.act_quit = act("&Quit", QKeySequence.StandardKey.Quit, self.quit_app)
        self.act_play = act("Play / pause", "Space", self.engine.play_pause)
        self.act_next = act("Next", "Ctrl+Right", self.engine.next)
        self.act_prev = act("Previous", "Ctrl+Left", self.engine.previous)
        self.act_fwd = act("Seek forward 5 s", "Right", lambda: self.engine.seek_relative(5000))
        self.act_back = act("Seek back 5 s", "Left", lambda: self.engine.seek_relative(-5000))
        self.act_vol_up = act("Volume up", "Ctrl+Up", lambda: self.nudge_volume(+5))
        self.act_vol_down = act("Volume down", "Ctrl+Down", lambda: self.nudge_volume(-5))
        self.act_mute = act("&Mute", "Ctrl+M", self.toggle_mute)
        self.act_repeat = act("&Repeat this track", "Ctrl+R", lambda: None)
        self.act_repeat.setCheckable(True)
        self.act_repeat.toggled.connect(self.engine.set_repeat_track)
        self.act_stop_after = act("&Stop after this track", None, lambda: None)
        self.act_stop_after.setCheckable(True)
        self.act_stop_after.toggled.connect(self.engine.set_stop_after_current)
        self.engine.modes_changed.connect(self._on_modes)
        self.act_find = act("Filter the library", "Ctrl+F", self.focus_filter)
        self.act_browser = act("&Browse by mood, artist, album", "Ctrl+B", lambda: None)
        self.act_browser.setCheckable(True)
        self.act_browser.setChecked(True)
        self.act_browser.toggled.connect(self.show_browser)
        self.act_enqueue = act("Add to queue", "Ctrl+E", self.enqueue_selected)
        self.act_play_next = act("Play next", None, lambda: self.enqueue_selected(next_up=True))
        self.act_play_album = act("Play the whole album", None, lambda: library_actions.play_selected_albums(self))
        self.act_open_folder = act("Open the containing folder", None,
                                   lambda: library_actions.open_folder_of_selected(self))
        self.act_jump = act("&Jump to the playing track", "Ctrl+J", lambda: library_actions.jump_to_playing(self))
        self.act_edit_tags = act("Edit tags…", "Ctrl+T", self.edit_selected_tags)
        self.act_edit_tags.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_info = act("Track information…", "Ctrl+I", lambda: track_info.show_track_info(self))
        self.act_info.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_trash = act("Move to the trash…", QKeySequence.StandardKey.Delete,
                             lambda: library_actions.move_selected_to_trash(self))
        self.act_trash.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_q_remove = act("Remove from queue", None, self.remove_selected_from_queue)
        self.act_q_remove.setShortcut(QKeySequence.StandardKey.Delete)
        self.act_q_remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.queue_view.addAction(self.act_q_remove)
        self.table.addAction(self.act_enqueue)
        self.table.addAction(self.act_play_next)
        self.table.addAction(self.act_play_album)
        self.table.addAction(self.act_open_folder)
        self.mood_menu = self._mood_choices(library_actions.set_mood_of_selected)  # the selected tracks
        self.table.addAction(self.mood_menu.menuAction())
        self.btn_set_mood.setMenu(self._mood_choices(library_actions.set_mood_of_playing))  # the playing track
        self.table.addAction(self.act_info)
        self.table.addAction(self.act_edit_tags)
        self.table.addAction(self.act_trash)
        mb = self.menuBar()
        m = mb.addMenu("&File")
        for a in (self.act_add_folder, self.act_rescan):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_open_playlist, self.act_save_playlist):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Playback")
        for a in (self.act_play, self.act_prev, self.act_next, self.act_back, self.act_fwd):
            m.addAction(a)
        m.addSeparator()
        for a in (self.act_vol_up, self.act_vol_down, self.act_mute):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_repeat)
        m.addAction(self.act_stop_after)
        m.addSeparator()
        self.equalizer = EqualizerMenu(self, m.addMenu("&Equalizer"))
        self.sleep_timer = SleepTimerMenu(self, m.addMenu(SleepTimerMenu.TITLE))
        self.output_menu = OutputDeviceMenu(self, m.addMenu(OutputDeviceMenu.TITLE))
        self.view_menu = mb.addMenu("&View")
        self.view_menu.addAction(self.act_find)
        self.view_menu.addAction(self.act_browser)
        self.view_menu.addAction(self.act_jump)
        install_lyrics_dock(self)

    def _connect(self) -> None:
        e = self.engine
        self.btn_play.clicked.connect(e.play_pause)
        self.btn_stop.clicked.connect(e.stop)
        self.btn_next.clicked.connect(e.next)
        self.btn_prev.clicked.connect(e.previous)
        self.seek_slider.sliderMoved.connect(self._seek_preview)
        self.seek_slider.sliderReleased.connect(lambda: e.seek(self.seek_slider.value()))
        self.volume_slider.valueChanged.connect(e.set_volume)
        e.state_changed.connect(self._on_state)
        e.position_changed.connect(self._on_position)
        e.track_changed.connect(self._on_track)
        e.track_finished.connect(self._count_play)
        e.queue_changed.connect(self._on_queue_changed)
        e.queue_low.connect(self.top_up_queue)
        e.message.connect(self.show_message)
        e.problem_sink = self._play_problem
        e.gain_for = self._track_gain
        e.crossfade_ok = self._may_crossfade
        self.filter_edit.textChanged.connect(self.filter.set_filter_text)
        self.filter_edit.textChanged.connect(lambda _t: self._update_counts())
        self.library.modelReset.connect(self._update_counts)  # (tracks moved, renamed or forgotten)
        self.library.lengths_changed.connect(self._update_counts)  # (lengths read again: the tag editor)
        self.browser.chosen_changed.connect(self._on_browse)
        self.browser.recounted.connect(self._on_recounted)
        self.table.doubleClicked.connect(self._play_row)
        self.queue_view.doubleClicked.connect(lambda idx: e.play_queue_row(idx.row()))
        self.queue_model.user_moved.connect(self.queue_pinned_changed)
        self.queue_model.user_moved.connect(self._on_queue_changed)  # the title's counts
        self.add_folder_btn.clicked.connect(self.choose_folder)
        self.btn_q_remove.clicked.connect(self.remove_selected_from_queue)
        self.btn_q_clear.clicked.connect(self.clear_queue)
        self.btn_q_shuffle.clicked.connect(self.shuffle_library)
        self.tagging.progress.connect(self._on_tag_progress)
        self.tagging.result.connect(self._on_tag_result)
        self.tagging.tagged.connect(self._on_tagged)
        self.tagging.finished.connect(self._on_tag_finished)
        self.tagging.failed.connect(self.show_message)
        self.tag_pause.clicked.connect(self._toggle_tag_pause)
        self.tag_cancel.clicked.connect(self.tagging.cancel)

    # ----- library folders and scanning
    def library_folders(self) -> list[str]:
        return list(self.store.get_state("library_folders", []) or [])

    def library_files(self) -> list[str]:
        """Single files in the library: opened by the listener from outside every library folder."""
        return list(self.store.get_state("library_files", []) or [])

    def add_folder(self, folder: str, scan: bool = True) -> None:
        folder = os.path.abspath(folder)
        folders = self.library_folders()
        if folder not in folders:
            folders.append(folder)
            self.store.set_state("library_folders", folders)
            files = self.library_files()
            inside = {f: library_path(f, [folder]) for f in files}
            inside = {f: p for f, p in inside.items() if p is not None}
            if inside:  # the folder's scan keeps them from now on, under its name for them
                self.store.set_state("library_files", [f for f in files if f not in inside])
                self.rename_tracks([(f, p) for f, p in inside.items() if f != p])
            self.store.flush()
        if scan:
            self.scan(folder)

    def remove_folder(self, folder: str) -> int:
        """Forget a library folder: its tracks leave the library and the queue (the files stay on disk).
        Returns how many tracks were dropped."""
        folder = os.path.abspath(folder)
        self.store.set_state("library_folders", [f for f in self.library_folders() if f != folder])
        others = [f.rstrip(os.sep) + os.sep for f in self.library_folders()]
        prefix = folder.rstrip(os.sep) + os.sep
        gone = [t["path"] for t in self.store.all_tracks()
                if t["path"].startswith(prefix) and not any(t["path"].startswith(o) for o in others)]
        stale = [p["path"] for p in self.store.problems()
                 if p["path"].startswith(prefix) and not any(p["path"].startswith(o) for o in others)]
        watched = [d for d in self.watcher.directories() if d == folder or d.startswith(prefix)]
        if watched:
            self.watcher.removePaths(watched)
        self._remember(gone)
        self.forget_tracks(gone, stale)
        return len(gone)

    def _remember(self, paths: list[str]) -> None:
        """Tracks taken out of the library while their files stay: what they gathered comes back if they do."""
        from library import track_memory

        track_memory.remember(self.store, [self.store.get_track(p) for p in paths], track_memory.GONE)

    def rename_tracks(self, pairs: list[tuple[str, str]]) -> None:
        """The same files under other names (old path, new path): their tracks, listening history and queue places
        follow."""
        from library import history

        pairs = [(old, new) for old, new in pairs if old != new and self.store.get_track(old) is not None]
        if not pairs:
            return
        tracks = [{**self.store.get_track(old), "path": new} for old, new in pairs]
        self.store.remove_tracks([old for old, _new in pairs])
        self.store.upsert_tracks(tracks)
        history.rename(self.store, pairs)
        self.store.flush()
        self.engine.queue.rename(pairs)
        self.library.set_rows(self.store.all_tracks())
        self.queue_model.refresh()

    def forget_tracks(self, paths: list[str], problems: list[str] | None = None) -> None:
        """Take these tracks out of the store, the table and the queue (and the problems listed for `problems`,
        by default the same paths). The files are not touched."""
        self.store.remove_tracks(paths)
        stale = paths if problems is None else problems
        if stale:
            self.store.clear_problems(paths=stale)
        self.store.flush()
        self.library.remove_paths(paths)
        self.engine.queue.drop_missing({t["path"] for t in self.library.rows()})
        self.queue_model.refresh()
        self.refresh_problems()
        self._update_counts()
        self.library_changed.emit()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder", str(Path.home()))
        if folder:
            self.add_folder(folder)

    def rescan_all(self) -> None:
        self.scan(*self.library_folders())
        if self.library_files():
            self.scan_files(self.library_files())

    def scan_files(self, paths: list[str], then: Callable[[ScanResult], None] | None = None) -> None:
        """Read single files into the library (after the scans before it); then(result) runs when done."""
        self._scan_queue.append(FileScan(list(paths), then))
        if self._scanning is None:
            self._next_scan()

    def remove_files(self, paths: list[str]) -> None:
        """Take single files out of the library (the files stay on disk)."""
        drop = {os.path.abspath(p) for p in paths}
        self.store.set_state("library_files", [f for f in self.library_files() if f not in drop])
        tracks = [p for p in drop if self.library.track_for(p) is not None]
        self._remember(tracks)
        self.forget_tracks(tracks, list(drop))

    def scan(self, *folders: str) -> None:
        """Scan these folders, one after the other (all queued first: a file that left one may be in the next)."""
        for folder in folders:
            if folder != self._scanning and folder not in self._scan_queue:
                self._scan_queue.append(folder)
        if self._scanning is None and self._scan_queue:
            self._next_scan()

    def _next_scan(self) -> None:
        if not self._scan_queue:
            self._scanning = None
            self.scan_bar.hide()
            if self._queue_check:  # tracks left the library: the queue forgets them
                self._queue_check = False
                self.engine.queue.drop_missing({t["path"] for t in self.library.rows()})
                self.queue_model.refresh()
                self._on_queue_changed()
            if self.auto_tag:
                self.start_tagging()
            self.top_up_queue()
            return
        folder = self._scan_queue.pop(0)
        self._scanning = folder
        self.scan_bar.setRange(0, 0)
        self.scan_bar.show()
        if isinstance(folder, FileScan):
            job = folder

            def read(report):
                return scan_files(self.store, job.paths,
                                  on_batch=lambda batch, done, total: report((batch, done, total)))

            run_in_background(read, on_done=lambda result: self._files_done(job, result),
                              on_progress=self._scan_progress, on_error=self.report_worker_error,
                              name="scan of opened files")
            return
        self.statusBar().showMessage(f"Scanning {folder_label(folder)}…")

        roots = self.library_folders()

        def work(report):
            return scan_folder(self.store, folder, on_batch=lambda batch, done, total: report((batch, done, total)),
                               roots=roots)

        run_in_background(work, on_done=self._scan_done, on_progress=self._scan_progress,
                          on_error=self.report_worker_error, name=f"scan of {folder}")

    def _scan_progress(self, item) -> None:
        batch, done, total = item
        self.scan_bar.setRange(0, max(1, total))
        self.scan_bar.setValue(done)
        if batch:
            self.library.upsert_rows(batch)
        self._update_counts()

    def _scan_done(self, result) -> None:
        self._take_scan(result)
        self._watch(result.folder)
        self.statusBar().showMessage(scan_message(result.summary()), 8000)
        self.scan_finished.emit(result)
        self.library_changed.emit()
        self._next_scan()

    def _files_done(self, job: FileScan, result: ScanResult) -> None:
        if result.gone:  # opened once, deleted since: no longer a library file
            gone = set(result.gone)
            self.store.set_state("library_files", [f for f in self.library_files() if f not in gone])
        self._take_scan(result)
        self.scan_finished.emit(result)
        self.library_changed.emit()
        if job.then is not None:
            try:
                job.then(result)
            except Exception:  # what follows the scan must not stop the scans after it
                log.exception("after reading opened files")
        self._next_scan()

    def _take_scan(self, result: ScanResult) -> None:
        """What a scan (of a folder or of single files) changed: moved tracks renamed in the queue, the table and
        the counts up to date."""
        if result.moved:  # the same tracks under new names: the queue follows them
            self.engine.queue.rename(result.moved)
        if result.removed or result.moved:
            self.library.set_rows(self.store.all_tracks())
            self.queue_model.refresh()
            self._queue_check = True  # (once the scans end: a file gone from one folder may be in the next one)
        self.refresh_problems()
        self._update_counts()

    def _watch(self, folder: str) -> None:
        dirs = [folder]
        trash = home_trash()
        for root, subdirs, _files in os.walk(folder):
            subdirs[:] = [d for d in subdirs if not is_trash_dir(os.path.join(root, d), trash)]
            dirs.extend(os.path.join(root, d) for d in subdirs)
            if len(dirs) > WATCH_LIMIT:
                break
        current = set(self.watcher.directories())
        new = [d for d in dirs[:WATCH_LIMIT] if d not in current]
        if new:
            self.watcher.addPaths(new)

    def _folder_changed(self, path: str) -> None:
        for root in self.library_folders():
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                self._changed_roots.add(root)
        self._rescan_timer.start()

    def _rescan_changed(self) -> None:
        if self._edits_running:  # our own tag edit changed the folder: rescan once the store has the new files
            self._rescan_timer.start()
            return
        roots, self._changed_roots = self._changed_roots, set()
        for root in sorted(roots):  # (queued one after the other while the first runs)
            self.scan(root)

    def refresh_problems(self) -> None:
        problems = self.store.problems()
        self.problems.set_rows(problems)
        self.tabs.setTabText(1, f"Problems ({len(problems)})" if problems else "Problems")

    def _update_counts(self) -> None:
        total = self.library.rowCount()
        shown = self.filter.rowCount()
        tagged = self.library.tagged_count()
        text = f"{total} tracks" if shown == total else f"{shown} of {total} tracks"
        if total and shown == total:
            text += f" ({format_total(self.library.seconds())})"
        elif shown and (seconds := self.shown_length.seconds()) is not None:  # (else it follows in a moment)
            text += f" ({format_total(seconds)})"
        if total:
            text += f", {tagged} mood-tagged"
        self.count_label.setText(text)

    # ----- tagging
    def start_tagging(self) -> None:
        if self.tagging.running:
            self._tag_again = True  # tracks that came up during this run: one more run once it ends
            return
        self._tag_again = False
        if self.tagging.start():
            self.tag_bar.setRange(0, 0)
            self.tag_bar.show()
            self.tag_pause.show()
            self.tag_cancel.show()

    def _on_tag_progress(self, done: int, total: int, rate: float) -> None:
        tagger = self.tagging.tagger
        self.tag_bar.setFormat("Loudness %v/%m" if getattr(tagger, "loudness_only", False) else "Mood tags %v/%m")
        self.tag_bar.setRange(0, max(1, total))
        self.tag_bar.setValue(done)
        self.tag_label.setText(tagging_rate_text(done, total, rate))

    def _on_tag_result(self, path: str, fields: dict) -> None:
        """One track tagged: its row's mood columns fill in now (the store gets it with the next batch)."""
        if set_by_you(self.library.track_for(path) or {}):  # set by hand while the tagger read it: the
            fields = {k: v for k, v in fields.items() if k in LOUDNESS_FIELDS}  # listener's word wins
            if not fields:
                return
        self.library.update_fields([(path, fields)])
        self._update_counts()
        if path == self.engine.current:
            self.now_playing.show_track(self.library.track_for(path))

    def _on_tagged(self, updates: list) -> None:
        """A batch is in the store: the planner and the map re-read the tagged tracks (once per batch, not per
        track: indexing a large library takes a while). A batch of loudness measurements alone changes no mood."""
        if any(set(fields) - set(LOUDNESS_FIELDS) for _path, fields in updates):
            self.library_changed.emit()

    def _on_tag_finished(self, summary) -> None:
        for w in (self.tag_bar, self.tag_pause, self.tag_cancel):
            w.hide()
        if getattr(summary, "error", None):
            self.show_message(f"Mood tagging is off: {summary.error}")
        self.tag_label.setText("")
        self.refresh_problems()
        self._update_counts()
        if self._tag_again and self.auto_tag and not getattr(summary, "cancelled", False):
            QTimer.singleShot(0, self.start_tagging)
        self._tag_again = False

    def _toggle_tag_pause(self) -> None:
        t = self.tagging.tagger
        if t is None:
            return
        if t.paused:
            self.tagging.resume()
            self.tag_pause.setText("Pause")
        else:
            self.tagging.pause()
            self.tag_pause.setText("Resume")

    # ----- playback and queue
    def _play_row(self, index: QModelIndex) -> None:
        path = self.filter.path_at(index.row())
        self.engine.play_path(path)

    def selected_paths(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.filter.path_at(r) for r in rows]

    def enqueue_selected(self, next_up: bool = False) -> None:
        paths = self.selected_paths()
        if paths:
            self.engine.queue.add(paths, next_up=next_up)
            self._on_queue_changed()
            self.queue_pinned_changed.emit()

    def _mood_choices(self, handler) -> QMenu:
        """Q1-Q4 and "back to the tagger's reading", each calling handler(window, quadrant or None)."""
        menu = QMenu("Set the mood", self)
        for q, name in QUADRANT_NAMES.items():
            menu.addAction(f"{q} {name}", lambda q=q: handler(self, q))
        menu.addSeparator()
        menu.addAction("Back to the tagger's reading", lambda: handler(self, None))
        return menu

    # ----- tag editing (ui/tag_editor.py)
    def edit_selected_tags(self) -> None:
        tag_editor.edit_selected(self)

    def edit_tags(self, paths: list[str], changes: dict[str, str]) -> None:
        tag_editor.edit_tags(self, paths, changes)

    def remove_selected_from_queue(self) -> None:
        rows = [i.row() for i in self.queue_view.selectionModel().selectedIndexes()]
        self.engine.queue.remove(rows)
        self._on_queue_changed()
        self.queue_pinned_changed.emit()

    def clear_queue(self) -> None:
        self.engine.queue.clear()
        self._on_queue_changed()
        self.queue_pinned_changed.emit()

    def shuffle_library(self) -> None:
        self._shuffle_fill(force=True)

    def _shuffle_fill(self, force: bool = False) -> None:
        q = self.engine.queue
        if not force and q.auto_count() >= AUTO_QUEUE_LENGTH // 2:
            return
        exclude = set(q.pinned_paths()) | set(q.history[-20:]) | ({q.current} if q.current else set())
        last = self.library.track_for(q.current) if q.current else None
        paths = self.fill.fill(self.library.rows(), AUTO_QUEUE_LENGTH, exclude=exclude,
                               last_artist=(last or {}).get("artist"))
        q.set_auto(paths, [{"note": "shuffle"} for _ in paths])
        self._on_queue_changed()

    def top_up_queue(self) -> None:
        if self.library.rowCount():
            self.auto_fill()

    def _on_queue_changed(self) -> None:
        self.queue_model.refresh()
        q = self.engine.queue
        length = total_seconds(self.library.track_for(p) for p in q.paths())
        self.queue_title.setText(f"<b>Up next</b> ({len(q.pinned_paths())} queued, {q.auto_count()} planned"
                                 + (f", {format_total(length)})" if length else ")"))

    def nudge_volume(self, delta: int) -> None:
        self._muted_from = None
        self.volume_slider.setValue(max(0, min(100, self.volume_slider.value() + delta)))
        self.show_message(f"Volume {self.volume_slider.value()} %")

    def toggle_mute(self) -> None:
        """Volume to 0, and back to where it was (a volume moved in between wins)."""
        before = self._muted_from
        if before is not None and self.volume_slider.value() == 0:
            self._muted_from = None
            self.volume_slider.setValue(before)
            self.show_message(f"Volume {before} %")
        elif self.volume_slider.value() > 0:
            self._muted_from = self.volume_slider.value()
            self.volume_slider.setValue(0)
            self.show_message("Muted (Ctrl+M to unmute)")

    def _track_gain(self, path: str) -> tuple[float | None, float | None]:
        """A track's ReplayGain (dB) and peak from the library, for the engine's volume levelling: its album's
        while the album plays in order (the track before it or the next one in the queue is its album's track
        before or after it), else its own."""
        t = self.library.track_for(path) or {}
        q = self.engine.queue
        if self.album_gain and t.get("rg_album_gain") is not None:
            before = self.library.track_for(q.history[-1]) if q.history else None
            after = self.library.track_for(q.items[0].path) if q.items else None
            if (before is not None and follows(before, t)) or (after is not None and follows(t, after)):
                return t["rg_album_gain"], t.get("rg_album_peak")
        if t.get("rg_gain") is not None:
            return t.get("rg_gain"), t.get("rg_peak")
        # no tags: from the loudness the tagger measured on its excerpts, which may miss a loud passage between
        # them, so the estimate only ever turns a track down
        gain = levelling_gain(t.get("loudness"))
        return (min(gain, 0.0) if gain is not None else None), None

    def _may_crossfade(self, before: str, after: str) -> bool:
        """Whether one track may fade into the next: not into or out of a video (one picture at a time), nor
        between an album's tracks playing in order (they join as recorded: a live album, a song that runs into
        the next), nor into a track shorter than three fades (it would end before its fade-in did)."""
        if media_kind(before) == "video" or media_kind(after) == "video":
            return False
        a, b = self.library.track_for(before), self.library.track_for(after)
        if b is not None and 0 < float(b.get("duration") or 0) < 3 * self.engine.crossfade_s:
            return False
        return not (a is not None and b is not None and follows(a, b))

    def _on_modes(self) -> None:
        """The engine's repeat / stop-after flags moved (from the menu, MPRIS, or the end of a track)."""
        for action, on in ((self.act_repeat, self.engine.repeat_track),
                           (self.act_stop_after, self.engine.stop_after_current)):
            if action.isChecked() != on:
                action.blockSignals(True)
                action.setChecked(on)
                action.blockSignals(False)

    def _on_state(self, state: str) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if state == "playing" else QStyle.StandardPixmap.SP_MediaPlay
        self.btn_play.setIcon(self.style().standardIcon(icon))

    def _seek_preview(self, ms: int) -> None:
        self.time_label.setText(f"{format_duration(ms / 1000) or '0:00'} / "
                                f"{format_duration(self.seek_slider.maximum() / 1000) or '0:00'}")

    def _on_position(self, pos: int, length: int) -> None:
        if length <= 0 and self.engine.current:  # not known to the player yet (a restored track, paused): the scan's
            seconds = (self.library.track_for(self.engine.current) or {}).get("duration")
            if isinstance(seconds, int | float) and 0 < seconds < 86400 * 7:
                length = int(seconds * 1000)
        if length > 0 and self.seek_slider.maximum() != length:
            self.seek_slider.setRange(0, length)
        if not self.seek_slider.isSliderDown():
            self.seek_slider.setValue(pos)
        self.time_label.setText(f"{format_duration(pos / 1000) or '0:00'} / {format_duration(length / 1000) or '0:00'}")

    def _on_track(self, path: str) -> None:
        track = self.library.track_for(path) if path else None
        if path and track is None:
            track = {"path": path, "title": os.path.basename(path)}
        self.now_playing.show_track(track)
        if track and track.get("kind") == "video":
            self.engine.backend.set_video_window(self.now_playing.video_win_id())
        self.seek_slider.setRange(0, int((track or {}).get("duration", 0) * 1000))
        self.btn_set_mood.setEnabled(bool(path) and self.library.track_for(path) is not None)
        self.setWindowTitle(f"{track.get('title')} — Moodtape" if track else "Moodtape")
        self._on_queue_changed()

    def _seed_play_counts(self) -> None:
        """Once, for a library from before the Plays column: count the plays the listening history still holds."""
        if self.store.get_state("plays_seeded"):
            return
        from library import history

        seen = history.play_stats(self.store)
        if seen:  # (a fresh library has no history: nothing to read)
            known = {p: self.store.get_track(p) for p in seen}
            updates = [(p, {"plays": n, "last_played": last}) for p, (n, last) in seen.items()
                       if known[p] is not None and known[p].get("plays") is None]
            if updates:
                self.store.update_tracks(updates)
        self.store.set_state("plays_seeded", True)

    def _count_play(self, path: str, fraction: float, skipped: bool) -> None:
        """The Plays and Last played columns: a track heard to its end or at least half through counts."""
        from library.history import counts_as_play

        if not counts_as_play(fraction, skipped):
            return
        track = self.library.track_for(path)
        if track is None:
            return
        fields = {"plays": int(track.get("plays") or 0) + 1, "last_played": time.time()}
        self.store.update_tracks([(path, fields)])
        self.library.update_fields([(path, fields)])

    def _play_problem(self, path: str, reason: str) -> None:
        self.store.add_problem(path, "play", reason)
        self.refresh_problems()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def report_worker_error(self, message: str, tb: str = "") -> None:
        """An exception in a worker: logged with its traceback; shown to the listener once per kind."""
        log.error("%s\n%s", message, tb)
        key = message.split(":", 1)[0]
        if key not in self._shown_errors:
            self._shown_errors.add(key)
            self.show_message(f"{message} (details in the log: {log_path()})")
        if self._scanning is not None and message.startswith("scan of"):
            self._scanning = None
            self._next_scan()

    def _on_browse(self, chosen: dict) -> None:
        self.filter.set_chosen(chosen)
        self._update_counts()

    def _on_recounted(self) -> None:
        if self._browser_on and self.browser.chosen:  # a newly tagged track may now match a chosen mood
            self.filter.refilter()
            self._update_counts()

    def show_browser(self, on: bool) -> None:
        """Show or hide the browser panes; hidden, they filter nothing (and their height is kept for later)."""
        was_on = self._browser_on
        sizes = self.lib_splitter.sizes()
        if was_on and not on and sizes[0] > 0:
            self._browser_sizes = sizes
        self._browser_on = on
        self.browser.setVisible(on)
        if on and not was_on:
            self.lib_splitter.setSizes(self._browser_sizes)
        self.filter.set_chosen(self.browser.chosen if on else {})
        self._update_counts()
        if self.act_browser.isChecked() != on:
            self.act_browser.setChecked(on)

    def focus_filter(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    # ----- playlists (ui/playlist_actions.py)
    def choose_playlist(self) -> None:
        playlist_actions.choose_and_open(self)

    def open_playlist(self, path: str) -> int:
        return playlist_actions.open_playlist(self, path)

    def choose_save_playlist(self) -> None:
        playlist_actions.choose_and_save(self)

    def save_playlist(self, path: str) -> int:
        return playlist_actions.save_playlist(self, path)

    # ----- drag & drop of folders (added to the library), playlists and music files (queued)
    @staticmethod
    def _droppable(path: str) -> bool:
        return os.path.isdir(path) or ((is_playlist(path) or media_kind(path) is not None) and os.path.isfile(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() and self._droppable(u.toLocalFile())
                                              for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from ui.open_files import open_paths

        open_paths(self, [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()], play=False)
        event.acceptProposedAction()

    # ----- state
    def save_state(self) -> None:
        q = self.engine.queue
        self.store.set_state("queue", q.to_dict())
        self.store.set_state("position_ms", int(self.engine.position()) if q.current else 0)
        self.store.set_state("volume", int(self.engine.volume))
        self.store.set_state("repeat_track", bool(self.engine.repeat_track))
        self.store.set_state("equalizer", self.engine.equalizer)
        self.store.set_state("output_device", self.output_menu.wanted)
        custom = self.engine.custom_eq
        self.store.set_state("equalizer_custom", {"preamp": custom[0], "bands": custom[1]} if custom else None)
        self.store.set_state("geometry", bytes(self.saveGeometry().toBase64().data()).decode())
        self.store.set_state("window_state", bytes(self.saveState().toBase64().data()).decode())
        self.store.set_state("splitter", self.splitter.sizes())
        sizes = self.lib_splitter.sizes()
        sizes = sizes if self._browser_on and sizes[0] > 0 else self._browser_sizes
        self.store.set_state("browser", {"visible": self.act_browser.isChecked(), "sizes": sizes,
                                         "chosen": self.browser.saved_choice()})
        self.store.set_state("library_columns", header_state(self.table.horizontalHeader()))
        self.store.set_state("saved_at", time.time())
        self.store.flush()

    def restore_layout(self) -> None:
        """Window geometry, dock layout and splitter sizes (call again after adding docks)."""
        geo = self.store.get_state("geometry")
        if geo:
            self.restoreGeometry(QByteArray.fromBase64(geo.encode()))
        ws = self.store.get_state("window_state")
        if ws:
            self.restoreState(QByteArray.fromBase64(ws.encode()))
        sizes = self.store.get_state("splitter")
        if sizes:
            self.splitter.setSizes([int(s) for s in sizes])
        restore_header(self.table.horizontalHeader(), self.store.get_state("library_columns"))
        browser = self.store.get_state("browser") or {}
        if isinstance(browser, dict):
            sizes = browser.get("sizes")
            if isinstance(sizes, list) and len(sizes) == 2 and all(isinstance(x, int) and x > 0 for x in sizes):
                self.lib_splitter.setSizes(sizes)
                self._browser_sizes = list(sizes)
            self.browser.restore_choice(browser.get("chosen"))
            self.show_browser(bool(browser.get("visible", True)))

    def restore_state(self) -> None:
        self.restore_layout()
        volume = self.store.get_state("volume")
        if volume is not None:
            self.volume_slider.setValue(int(volume))
            self.engine.set_volume(int(volume))
        self.engine.set_repeat_track(bool(self.store.get_state("repeat_track", False)))
        preset = self.store.get_state("equalizer")
        custom = self.store.get_state("equalizer_custom")
        if preset == CUSTOM_EQ and isinstance(custom, dict) and isinstance(custom.get("bands"), list):
            self.engine.set_custom_equalizer(custom.get("preamp", 0.0), custom["bands"])  # (refused if damaged)
            self.equalizer.show_in_use()
        elif isinstance(preset, str) and preset in self.equalizer.actions and preset != CUSTOM_EQ:
            self.equalizer.choose(preset, quiet=True)
        self.output_menu.restore(self.store.get_state("output_device"))
        from player.queue import PlayQueue

        saved = PlayQueue.from_dict(self.store.get_state("queue"))
        known = {t["path"] for t in self.library.rows()}
        q = self.engine.queue
        q.items = [i for i in saved.items if i.path in known]
        q.history = saved.history
        self._on_queue_changed()
        if saved.current and saved.current in known:
            self.engine.restore(saved.current, int(self.store.get_state("position_ms", 0) or 0))

    def quit_app(self) -> None:
        """Quit for real (closing the window may only hide it in the tray)."""
        self.quitting = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        from ui.desktop import close_to_tray

        if close_to_tray(self):  # keep playing in the tray
            self.save_state()
            self.hide()
            event.ignore()
            return
        dialog = getattr(self, "equalizer_dialog", None)
        if dialog is not None and dialog.isVisible():
            dialog.reject()  # quitting: a curve still being tried is not kept, what played before it is
        self.save_state()
        self._wait_for_edits()
        self.tagging.cancel()
        self.tagging.wait(5)
        self.engine.shutdown()
        announcer = getattr(self, "announcer", None)  # ui.desktop's track notifications: the last one goes too
        if announcer is not None:
            announcer.close()
        self.store.flush()
        super().closeEvent(event)

    def _wait_for_edits(self, seconds: float = 30.0) -> None:
        """A tag edit still being written when the app quits: let it finish and land in the store (otherwise the
        edited files would look changed and be mood-tagged again)."""
        from PySide6.QtWidgets import QApplication

        deadline = time.monotonic() + seconds
        while self._edits_running > 0 and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.02)

    def confirm(self, text: str) -> bool:
        return QMessageBox.question(self, "Moodtape", text) == QMessageBox.StandardButton.Yes
