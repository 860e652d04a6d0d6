"""A throw-away production-shaped stack for the fault tests: its own PostgreSQL cluster, its own
Redis, a real Celery worker, the real bridge on a virtual serial cable, and gunicorn when asked.

Everything runs as separate processes on ports of its own, so killing or restarting any of them
never touches the machine's shared PostgreSQL and Redis that the rest of the suite uses.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tty
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def _die_with_parent() -> None:
    # A test run cut short must not leave a bridge behind that would later open a reused pty.
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tools() -> list[str]:
    tools = [str(PG_BIN / "initdb"), str(PG_BIN / "pg_ctl"), "redis-server"]
    return [t for t in tools if not shutil.which(t)]


def _as_postgres(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root, a developer usually not.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def wait_until(check, timeout: float, step: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")".
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pids: list[int]) -> list[int]:
    # A zombie counts: a new postmaster takes a pid that still answers kill(pid, 0) for a live one.
    return [pid for pid in pids if Path(f"/proc/{pid}").exists()]


class Postgres:
    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.sock = base / "pgsock"
        self.port = free_port()
        self.log = base / "pg.log"

    def init(self) -> None:
        self.sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            shutil.chown(self.sock, "postgres")
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres", "--no-sync"]
            ),
            check=True,
            capture_output=True,
        )
        self.start()
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE faults")

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run(
            _as_postgres(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.dir), "-l", str(self.log), "-o", options, *args]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._ctl("-w", "start")

    def restart(self) -> None:
        self._ctl("-w", "-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-w", "-m", "immediate", "stop")

    def postmaster_pid(self) -> int:
        return int((self.dir / "postmaster.pid").read_text().split()[0])

    def crash(self) -> None:
        """SIGKILL the postmaster alone, as the OOM killer would, and start it again: crash recovery.

        Its children (backends, checkpointer...) notice that it died and exit; until the last is
        gone the old shared memory is in use and a new postmaster refuses to start.
        """
        pid = self.postmaster_pid()
        children = _children(pid)
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not _alive([pid, *children]), 60, step=0.05, what="the cluster's processes to die")
        self.start()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def url(self, db: str = "faults") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"


class Redis:
    def __init__(self, base: Path):
        self.dir = base / "redis"
        self.dir.mkdir()
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, persist: bool = True) -> None:
        """``persist``: append-only with fsync on every write, as production should run it; without,
        nothing is ever written to disk, so a killed Redis loses everything it held."""
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "always"] if persist else ["--appendonly", "no"]
        )
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.dir),
                *persistence,
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        wait_until(lambda: self._ping(redis), 10, what="redis")

    def _ping(self, redis) -> bool:
        try:
            return redis.Redis(port=self.port).ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()

    def client(self):
        import redis

        return redis.Redis(port=self.port)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


class Cable:
    """A virtual serial cable: a pseudo-terminal whose far end the test writes reader lines into.

    The bridge opens ``path``, a symlink; pulling the cable closes the terminal, plugging it in
    again makes a new one behind the same path, as a USB adapter comes back as the same device.
    """

    def __init__(self, base: Path):
        self.path = base / "ttyRFID"
        self.master = self.slave = None

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo and no line editing before the bridge opens it
        tmp = self.path.with_suffix(".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(self.slave))
        tmp.replace(self.path)

    def pull(self) -> None:
        self.path.unlink(missing_ok=True)
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def write(self, line: str) -> None:
        # A pseudo-terminal takes only what fits in its buffer: write the rest when it has room.
        data = memoryview((line + "\r\n").encode())
        while data:
            data = data[os.write(self.master, data) :]

    def pending(self) -> int:
        """Bytes written but not yet read by the bridge."""
        import fcntl
        import termios

        buf = fcntl.ioctl(self.slave, termios.FIONREAD, b"\0\0\0\0")
        return int.from_bytes(buf, sys.byteorder)


@dataclass
class Stack:
    base: Path
    pg: Postgres
    redis: Redis
    world: dict = field(default_factory=dict)
    procs: dict = field(default_factory=dict)
    spool_dirs: dict = field(default_factory=dict)  # device code -> where its spool is, if not base

    @classmethod
    def create(cls) -> Stack:
        base = Path(tempfile.mkdtemp(prefix="faults-"))
        os.chmod(base, 0o755)
        stack = cls(base=base, pg=Postgres(base), redis=Redis(base))
        stack.pg.init()
        stack.redis.start()
        env = stack.env()
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [sys.executable, "-m", "tests.faults.seed_world"], cwd=ROOT, env=env, capture_output=True
        )
        if out.returncode:
            raise RuntimeError(f"seeding the fault tests' database failed:\n{out.stderr.decode()[-3000:]}")
        stack.world = json.loads(out.stdout.decode().strip().splitlines()[-1])
        return stack

    def env(self, **extra) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "CELERY_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DATABASE_URL=self.pg.url(),
            REDIS_URL=self.redis.url,
            # A message whose worker was killed is handed out again after 3 s.
            CELERY_VISIBILITY_TIMEOUT="3",
            CELERY_UNACKED_RESTORE_INTERVAL="1",
            CELERY_UNACKED_RESTORE_THROTTLE="1",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def _spawn(self, name: str, cmd: list[str], **extra_env) -> subprocess.Popen:
        log = (self.base / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self.env(**extra_env),
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the whole group: a worker and its children
            proc.wait()

    def signal(self, name: str, signum: int) -> None:
        """Send a signal to a process group (SIGSTOP freezes a worker, SIGCONT thaws it)."""
        os.killpg(self.procs[name].pid, signum)

    def alive(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def stop(self, name: str) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def start_worker(self) -> None:
        self._spawn(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-Q",
                "rfid",
                "-c",
                "2",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
        )

    def start_web(self, port: int) -> None:
        self._spawn(
            "web",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ],
            # No broker for the web process: the HTTP API then ingests in the request.
            REDIS_URL="",
        )

    def spool_path(self, device: dict) -> Path:
        return self.spool_dirs.get(device["code"], self.base) / f"{device['code']}.spool"

    def spool_last_seq(self, device: dict) -> int:
        """The last seq the bridge committed to its spool (read from the file: the bridge may be dead)."""
        from rfid_bridge.spool import inspect

        return inspect(self.spool_path(device))["last_seq"]

    def start_bridge(
        self,
        device: dict,
        cable: Cable,
        *,
        server: str | None = None,
        spool_dir: Path | None = None,
        ack_timeout: float = 5,
    ) -> None:
        """Start the bridge on ``cable``. A batch not acknowledged within ``ack_timeout`` seconds is
        sent again: 5 here, so that a batch whose worker was killed with it comes back soon (the
        bridge's default, 60, is what a deployment and the benchmarks use)."""
        if spool_dir is not None:
            self.spool_dirs[device["code"]] = spool_dir
        secret = self.base / f"{device['code']}.secret"
        secret.write_text(device["secret"])
        secret.chmod(0o600)
        (self.base / f"{device['code']}.status.json").unlink(missing_ok=True)
        target = ["--server", server] if server else ["--broker", self.redis.url]
        self._spawn(
            "bridge",
            [
                sys.executable,
                "-m",
                "rfid_bridge",
                "run",
                "--device",
                device["code"],
                "--port",
                str(cable.path),
                "--profile",
                "allflex",
                "--secret-file",
                str(secret),
                "--spool",
                str(self.spool_path(device)),
                "--status-file",
                str(self.base / f"{device['code']}.status.json"),
                "--heartbeat",
                "1",
                "--backoff-max",
                "1",
                "--timeout",
                "3",
                "--ack-timeout",
                str(ack_timeout),
                *target,
            ],
        )
        # A reader's lines reach nobody until the bridge has the port open.
        self.wait_connected(device)

    def status(self, device: dict) -> dict:
        """The bridge's state from its status file (connected, spool, raw_reads...), or {}."""
        return self.status_file(device).get("state", {})

    def status_file(self, device: dict) -> dict:
        """The whole status file (at, state, detail), or {} before the bridge wrote one."""
        try:
            return json.loads((self.base / f"{device['code']}.status.json").read_text())
        except (OSError, ValueError):
            return {}

    def wait_connected(self, device: dict) -> None:
        wait_until(
            lambda: self.status(device).get("connected"), 30, step=0.1, what="the bridge to open the port"
        )

    def stored(self, device: dict) -> list[tuple[int, str]]:
        with psycopg.connect(self.pg.url()) as conn:
            return conn.execute(
                "SELECT r.seq, r.tag FROM livestock_tagread r "
                "JOIN livestock_readerdevice d ON d.id = r.device_id WHERE d.code = %s ORDER BY r.seq",
                [device["code"]],
            ).fetchall()

    def seen_events(self, rfids: list[str]) -> dict[str, int]:
        with psycopg.connect(self.pg.url()) as conn:
            rows = conn.execute(
                "SELECT a.rfid, count(e.id) FROM livestock_animal a LEFT JOIN livestock_event e "
                "ON e.animal_id = a.id AND e.kind = 'seen' WHERE a.rfid = ANY(%s) GROUP BY a.rfid",
                [rfids],
            ).fetchall()
        return dict(rows)

    def close(self) -> None:
        for name in list(self.procs):
            self.kill(name)
        self.redis.kill()
        self.pg.stop()
        if not os.environ.get("FAULTS_KEEP"):  # FAULTS_KEEP=1 keeps the logs for a look
            shutil.rmtree(self.base, ignore_errors=True)
