"""Which server process holds which client's connection, read from Linux's /proc: for a test that
kills the process holding some waiting clients and then checks what those clients do."""
import os
from pathlib import Path

ESTABLISHED = "01"


def children_of(pid):
    """The ids of the processes whose parent is `pid` (gunicorn's workers, for its master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # ended while the folder was read
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _socket_inodes(pid):
    inodes = set()
    try:
        descriptors = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue  # closed meanwhile
        if target.startswith("socket:["):
            inodes.add(target[len("socket:["):-1])
    return inodes


def _established():
    """{socket inode: (local port, remote port)} of every established TCP connection."""
    connections = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == ESTABLISHED:
                local, remote = (int(address.rsplit(":", 1)[1], 16) for address in fields[1:3])
                connections[fields[9]] = (local, remote)
    return connections


def connections_served_by(server_pid, server_port, client_pids):
    """{(client pid, client port)} of the connections from `client_pids` to `server_port` that
    process `server_pid` holds (a client's next request comes from another port)."""
    connections = _established()
    ports_held = {connections[inode][1] for inode in _socket_inodes(server_pid)
                  if inode in connections and connections[inode][0] == server_port}
    return {(pid, connections[inode][0]) for pid in client_pids for inode in _socket_inodes(pid)
            if connections.get(inode, (None, None))[1] == server_port and connections[inode][0] in ports_held}
