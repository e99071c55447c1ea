"""Rendered fragments kept as files in a folder, by name, so that every process of the machine
finds what one of them rendered: the dashboard's shared card parts (web/cards.py).

A name is a digest of everything the fragment was made from, so a file never goes stale: a change
makes a new name. Files are written whole (to a temporary file, then renamed), so a reader finds
the whole fragment or none. The folder is bounded: past `limit` files, the oldest half is removed
(a process that still holds one in memory serves it from there; another renders it again).
Any error of the file system only means a fragment is rendered rather than read.
"""
import os
import threading
from pathlib import Path

from backend.logs import log

# How many fragments a process writes between two looks at the folder's size.
PRUNE_EVERY = 256


class FragmentFiles:
    def __init__(self, folder, limit=10_000, prune_every=PRUNE_EVERY):
        self.folder = Path(folder)
        self.limit = limit
        self.prune_every = prune_every
        self._lock = threading.Lock()
        self._written = 0
        self._ready = False
        self._warned = False

    def get(self, name):
        """The fragment called `name`, or None."""
        try:
            with open(self.folder / name, encoding="utf-8") as file:
                return file.read()
        except OSError:
            return None

    def put(self, name, text):
        """Keep `text` as `name`, whole; nothing happens if the folder cannot be written."""
        try:
            self._make_folder()
            temporary = self.folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with open(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
            os.replace(temporary, self.folder / name)
        except OSError as error:
            if not self._warned:  # once: the same cause would fill the log
                self._warned = True
                log.warning("rendered fragments: cannot write to %s (%s); they are rendered again instead",
                            self.folder, error)
            return
        with self._lock:
            self._written += 1
            due = self._written % self.prune_every == 0
        if due:
            self.prune()

    def prune(self):
        """Remove the oldest half of the files when there are more than `limit`."""
        try:
            with os.scandir(self.folder) as entries:
                files = [(entry.stat().st_mtime, entry.path) for entry in entries if entry.is_file()]
        except OSError:
            return
        if len(files) <= self.limit:
            return
        files.sort()
        for _, path in files[:len(files) - self.limit // 2]:
            try:
                os.unlink(path)
            except OSError:
                pass  # another process removed it first

    def _make_folder(self):
        if not self._ready:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._ready = True
