"""A real Spark standalone cluster on this machine: one master and one worker on 127.0.0.1.

The pyspark wheel ships the whole Spark distribution but not ``sbin/start-*.sh``, so the
daemons are started the way those scripts do it underneath: ``bin/spark-class`` with the
master and worker classes. Their pids, logs and scratch space live in one state folder
(``$HALQA_SPARK_DIR``, default ``$TMPDIR/halqa-spark-<uid>``), so ``down`` stops exactly what
``up`` started and nothing is written inside the installed package.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from halqa.errors import BackendUnavailableError, UserError

HOST = "127.0.0.1"
MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
INSTALL_PYSPARK = "pip install 'halqa[spark]'"
INSTALL_JAVA = "apt-get install openjdk-17-jre-headless"


@dataclass(frozen=True)
class ClusterConfig:
    """Where the daemons listen and what the worker offers; every field has an env override."""

    port: int = field(default_factory=lambda: int(os.environ.get("HALQA_SPARK_PORT", "7077")))
    ui_port: int = field(
        default_factory=lambda: int(os.environ.get("HALQA_SPARK_UI_PORT", "18480"))
    )
    worker_ui_port: int = field(
        default_factory=lambda: int(os.environ.get("HALQA_SPARK_WORKER_UI_PORT", "18481"))
    )
    cores: int = field(default_factory=lambda: int(os.environ.get("HALQA_SPARK_WORKER_CORES", "2")))
    memory: str = field(default_factory=lambda: os.environ.get("HALQA_SPARK_WORKER_MEMORY", "2g"))
    state_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get(
                "HALQA_SPARK_DIR", Path(tempfile.gettempdir()) / f"halqa-spark-{os.getuid()}"
            )
        )
    )

    @property
    def master_url(self) -> str:
        return f"spark://{HOST}:{self.port}"


def spark_home() -> Path:
    """The Spark distribution inside the installed pyspark package."""
    try:
        import pyspark
    except ImportError:
        raise BackendUnavailableError(
            f"the Spark engine needs pyspark: {INSTALL_PYSPARK}"
        ) from None
    return Path(pyspark.__file__).parent


def java_home() -> str | None:
    """JAVA_HOME when set, else the JDK/JRE behind ``java`` on PATH; None when there is no Java."""
    if os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java").exists():
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parents[1]) if java else None


def require_java() -> str:
    home = java_home()
    if home is None:
        raise BackendUnavailableError(f"the Spark engine needs Java 17 or newer: {INSTALL_JAVA}")
    return home


def daemon_env(config: ClusterConfig) -> dict[str, str]:
    """Environment of the daemons: loopback only, logs and scratch in the state folder."""
    logs = config.state_dir / "logs"
    return {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "JAVA_HOME": require_java(),
        "SPARK_LOCAL_IP": HOST,
        "SPARK_LOG_DIR": str(logs),
        "SPARK_WORKER_DIR": str(config.state_dir / "work"),
    }


def _pid_file(config: ClusterConfig, role: str) -> Path:
    return config.state_dir / f"{role}.pid"


def _running_pid(config: ClusterConfig, role: str) -> int | None:
    path = _pid_file(config, role)
    try:
        pid = int(path.read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((HOST, port)) == 0


def _start(config: ClusterConfig, role: str, args: list[str]) -> int:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    for sub in ("logs", "work"):
        (config.state_dir / sub).mkdir(exist_ok=True)
    log = open(config.state_dir / "logs" / f"{role}.log", "ab")  # noqa: SIM115 - the daemon keeps it
    cmd = [str(spark_home() / "bin" / "spark-class"), *args]
    # A session of its own: the daemons outlive this command and `down` stops the whole group.
    proc = subprocess.Popen(
        cmd,
        env=daemon_env(config),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    _pid_file(config, role).write_text(str(proc.pid))
    return proc.pid


def status(config: ClusterConfig | None = None) -> dict:
    """What is running: master and worker pids, alive workers, cores and memory on offer."""
    config = config or ClusterConfig()
    out = {
        "master_url": config.master_url,
        "ui": f"http://{HOST}:{config.ui_port}",
        "master_pid": _running_pid(config, "master"),
        "worker_pid": _running_pid(config, "worker"),
        "alive_workers": 0,
        "cores": 0,
        "memory_mb": 0,
        "state_dir": str(config.state_dir),
    }
    info = _master_json(config)
    if info is not None:
        alive = [w for w in info.get("workers", []) if w.get("state") == "ALIVE"]
        out.update(
            alive_workers=len(alive),
            cores=sum(w.get("cores", 0) for w in alive),
            memory_mb=sum(w.get("memory", 0) for w in alive),
        )
    out["running"] = bool(out["master_pid"] and out["alive_workers"])
    return out


def _master_json(config: ClusterConfig) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{config.ui_port}/json/", timeout=2) as response:
            return json.load(response)
    except (OSError, ValueError):
        return None


def up(config: ClusterConfig | None = None, *, timeout: float = 180.0) -> dict:
    """Start the master and one worker (idempotent) and wait until the worker has registered.
    Concurrent callers (parallel test workers) take turns on a lock file: one starts, all wait."""
    config = config or ClusterConfig()
    require_java()
    config.state_dir.mkdir(parents=True, exist_ok=True)
    with open(config.state_dir / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _up(config, timeout)


def _up(config: ClusterConfig, timeout: float) -> dict:
    if _running_pid(config, "master") is None:
        if _port_open(config.port):
            raise UserError(
                f"port {config.port} on {HOST} is taken by another program: "
                "set HALQA_SPARK_PORT to a free port"
            )
        _start(
            config,
            "master",
            [
                MASTER_CLASS,
                "--host",
                HOST,
                "--port",
                str(config.port),
                "--webui-port",
                str(config.ui_port),
            ],
        )
    if _running_pid(config, "worker") is None:
        _start(
            config,
            "worker",
            [
                WORKER_CLASS,
                config.master_url,
                "--host",
                HOST,
                "--cores",
                str(config.cores),
                "--memory",
                config.memory,
                "--webui-port",
                str(config.worker_ui_port),
                "--work-dir",
                str(config.state_dir / "work"),
            ],
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = status(config)
        if state["running"]:
            return state
        if state["master_pid"] is None or state["worker_pid"] is None:
            break  # a daemon died: its log says why
        time.sleep(0.5)
    down(config)
    raise UserError(
        f"the Spark cluster did not come up within {timeout:.0f}s; see the logs in "
        f"{config.state_dir / 'logs'}"
    )


def down(config: ClusterConfig | None = None, *, timeout: float = 20.0) -> dict:
    """Stop the worker, then the master (each with its whole process group); idempotent."""
    config = config or ClusterConfig()
    stopped = {}
    for role in ("worker", "master"):
        pid = _running_pid(config, role)
        stopped[role] = pid
        if pid is None:
            continue
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _running_pid(config, role) is not None:
            _reap(pid)
            time.sleep(0.2)
        if _running_pid(config, role) is not None:
            os.killpg(pid, signal.SIGKILL)
            _reap(pid)
        _pid_file(config, role).unlink(missing_ok=True)
    return {"stopped": stopped, "master_url": config.master_url}


def _reap(pid: int) -> None:
    """Collect the exit status when this process started the daemon (no zombie left behind)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
