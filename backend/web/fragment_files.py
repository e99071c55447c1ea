"""Rendered fragments kept as files in a folder, by name, so that every process of the machine
finds what one of them rendered: the dashboard's shared card parts (web/cards.py).

A name is a digest of everything the fragment was made from, so a file never goes stale: a change
makes a new name, and a file, once written, is never written again. It is created under its own
name only if none exists (the first writer wins) and ends with _END: a file read before its writer
finished, or left half-written by a process that died, lacks it and counts as missing (the reader
renders the fragment itself). Writing a temporary file and renaming it over the name cost about
1.5 times as much (43 against 26 µs of CPU per 2 KB fragment on ext4, 147 against 115 µs while the
folder grows). The folder is bounded: past `limit` files, the oldest half is removed
(a process that still holds one in memory serves it from there; another renders it again). Any
error of the file system only means a fragment is rendered rather than read.
"""
import os
import threading
from pathlib import Path

from backend.logs import log

# How many fragments a process writes between two looks at the folder's size.
PRUNE_EVERY = 256
# The end of every whole file (no fragment is written without it; "<" is escaped in rendered data).
_END = b"<\x00end\x00>"


class FragmentFiles:
    def __init__(self, folder, limit=10_000, prune_every=PRUNE_EVERY):
        self.folder = Path(folder)
        self.limit = limit
        self.prune_every = prune_every
        self._lock = threading.Lock()
        self._written = 0
        self._warned = False

    def get(self, name):
        """The fragment called `name`, or None."""
        try:
            with open(self.folder / name, "rb") as file:
                data = file.read()
        except OSError:
            return None
        if not data.endswith(_END):
            return None
        try:
            return data[:-len(_END)].decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            return None  # not written by Reservia

    def put(self, name, text):
        """Keep `text` as `name` unless a file of that name exists; nothing happens if the folder
        cannot be written."""
        try:
            # Each time (writes are rare): the folder may have been removed since.
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return  # another process wrote it, or is writing it
        except OSError as error:
            self._warn(error)
            return
        try:
            os.write(descriptor, text.encode("utf-8", "surrogatepass") + _END)
        except OSError as error:
            self._warn(error)
        finally:
            os.close(descriptor)
        with self._lock:
            self._written += 1
            due = self._written % self.prune_every == 0
        if due:
            self.prune()

    def _warn(self, error):
        if not self._warned:  # once: the same cause would fill the log
            self._warned = True
            log.warning("rendered fragments: cannot write to %s (%s); they are rendered again instead",
                        self.folder, error)

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
