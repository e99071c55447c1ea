"""Being woken when a SQLite database's files are written, through Linux's inotify.

A commit in WAL mode appends to the `-wal` file with write(), which inotify reports on the folder
at once: the change signal's SQLite watcher sleeps here instead of polling every few milliseconds,
and costs nothing while nothing is written. Elsewhere (another system, a file system that does not
report writes), `FileWrites.open` raises OSError and the watcher polls instead.
"""
import ctypes
import os
import select
import struct

IN_MODIFY = 0x00000002
IN_CREATE = 0x00000100
IN_MOVED_TO = 0x00000080
# struct inotify_event: wd, mask, cookie, len; then `len` bytes of the name, padded with NULs.
EVENT = struct.Struct("iIII")


class FileWrites:
    """Writes to the database file or its `-wal` file, seen through an inotify watch on their folder."""

    def __init__(self, fd, names):
        self.fd = fd
        self.names = names

    @classmethod
    def open(cls, path):
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        folder, name = os.path.split(path)
        if libc.inotify_add_watch(fd, (folder or ".").encode(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0:
            error = ctypes.get_errno()
            os.close(fd)
            raise OSError(error, f"inotify cannot watch {folder}")
        return cls(fd, {name.encode(), f"{name}-wal".encode()})

    def wait(self, timeout):
        """Whether the database's files were written before `timeout` seconds passed."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        return bool(ready) and self._drain()

    def _drain(self):
        written = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return written
            offset = 0
            while offset + EVENT.size <= len(data):
                _, _, _, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size:offset + EVENT.size + length].rstrip(b"\0")
                written = written or name in self.names
                offset += EVENT.size + length

    def close(self):
        os.close(self.fd)
