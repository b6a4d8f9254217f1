"""Kept-alive connections to every HTTP worker of a running server, each known by the worker's pid.

With ``--workers N`` the kernel hands each new connection to whichever worker accepts it first;
an idle server may give one worker every connection. To test what *every* worker answers, this
opens connections until each worker holds one, telling the workers apart by who owns the server
side of each connection (``/proc/net/tcp`` inode -> ``/proc/<pid>/fd``).
"""

from __future__ import annotations

import http.client
import os
from pathlib import Path

MAX_CONNECTIONS = 200


def _descendants(root: int) -> set[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    return found


def _socket_owners(pids: set[int]) -> dict[int, int]:
    owners = {}
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:["):
                    owners[int(link[8:-1])] = pid
        except OSError:
            continue
    return owners


def _server_side_inodes(server_port: int) -> dict[int, int]:
    """client port -> inode of the server's end of that connection."""
    inodes = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port:
            inodes[remote_port] = int(fields[9])
    return inodes


class WorkerConnections:
    """One open connection per HTTP worker: ``{pid: connection}``."""

    def __init__(self, url: str, server_pid: int, workers: int, token: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.by_worker: dict[int, http.client.HTTPConnection] = {}
        spare = []
        family = _descendants(server_pid)
        for attempt in range(MAX_CONNECTIONS):
            if (
                attempt % 10 == 9
            ):  # keep the found ones from idling into uvicorn's 5 s keep-alive timeout
                self.statuses("/v1/whoami", token)
            connection = http.client.HTTPConnection(host, self.port, timeout=60)
            self._get(connection, "/v1/whoami", token)  # answered: accepted by some worker
            pid = self._owner(connection, family)
            if pid is not None and pid not in self.by_worker:
                self.by_worker[pid] = connection
            else:
                spare.append(connection)  # held open meanwhile, so the next one may go elsewhere
            if len(self.by_worker) == workers:
                break
        for connection in spare:
            connection.close()
        assert len(self.by_worker) == workers, f"reached {len(self.by_worker)} of {workers} workers"

    def _owner(self, connection: http.client.HTTPConnection, family: set[int]) -> int | None:
        client_port = connection.sock.getsockname()[1]
        inode = _server_side_inodes(self.port).get(client_port)
        return _socket_owners(family).get(inode) if inode is not None else None

    @staticmethod
    def _get(connection: http.client.HTTPConnection, path: str, token: str) -> int:
        connection.request("GET", path, headers={"X-API-Key": token})
        response = connection.getresponse()
        response.read()
        return response.status

    def statuses(self, path: str, token: str) -> dict[int, int]:
        """What each worker answers, on its own connection."""
        return {
            pid: self._get(connection, path, token) for pid, connection in self.by_worker.items()
        }

    def close(self) -> None:
        for connection in self.by_worker.values():
            connection.close()
