"""The agent's side of the protocol: find the hub, say hello, stream messages, answer commands.

One daemon thread owns the socket. Messages from the program's thread go through a bounded
outbox; while there is no hub it keeps the newest MAX_OUTBOX and counts the rest as dropped, so a
program without the app runs unaffected. After a reconnect, or after dropping, the whole state is
sent again (`resync`). Commands are handed to `on_command(msg) -> result dict`, which answers.
"""
import collections
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

from . import PROTOCOL

MAX_OUTBOX = 5_000
MAX_LINE_BYTES = 4 * 1024 * 1024
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")


# What the hub sends that is not a command (docs/agent-protocol.md, "Hub → agent"); anything else
# with a command id is a command, answered once.
NOT_COMMANDS = ("welcome", "refused", "error", "pong", "notice")


def _is_command_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2 ** 53 - 1


def default_data_dir():
    if sys.platform == "win32":
        return os.path.join(os.environ.get("APPDATA") or os.path.expanduser("~/AppData/Roaming"), "loopwatch")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Application Support/loopwatch")
    return os.path.join(os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "loopwatch")


def parse_app_url(url):
    """(host, port, token) from tcp://127.0.0.1:<port>?token=<token>; ValueError says what is wrong."""
    u = urllib.parse.urlsplit(url)
    if u.scheme != "tcp":
        raise ValueError(f"the app URL must start with tcp:// (got {u.scheme or 'nothing'}:)")
    host = u.hostname or ""
    if host not in LOOPBACK:
        raise ValueError(f"the app URL must name a loopback host (127.0.0.1, localhost, [::1]); got {host[:100]}")
    try:
        port = u.port
    except ValueError:
        port = None
    if not port:
        raise ValueError("the app URL needs a port from 1 to 65535")
    token = urllib.parse.parse_qs(u.query).get("token", [""])[0]
    if not token or len(token) > 200:
        raise ValueError("the app URL needs a token: ?token=<token> (agent.json holds it)")
    return host, port, token


def locator(app=None, data_dir=None):
    """A function returning (host, port, token) or a string saying why there is no hub yet.
    A URL (--app, then LOOPWATCH_APP) is read once; agent.json before every attempt."""
    url = app or os.environ.get("LOOPWATCH_APP") or None
    if url:
        try:
            fixed = parse_app_url(url)
        except ValueError as exc:
            fixed = str(exc)
        return lambda: fixed
    path = os.path.join(data_dir or default_data_dir(), "agent.json")

    def read():
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
            return "127.0.0.1", int(data["port"]), str(data["token"])
        except OSError:
            return f"no {path}: is the app running?"
        except (ValueError, KeyError, TypeError):
            return f"{path} is not an agent file"
    return read


class HubConnection:
    def __init__(self, locate, name, clock, on_command, resync, instance=None, backoff=(0.1, 5.0, 2.0), role="service"):
        self._locate = locate
        self._hello = {"type": "hello", "protocol": PROTOCOL, "token": "", "name": name[:200], "pid": os.getpid(),
                       "runtime": {"kind": "python", "version": sys.version.split()[0][:50]},
                       "clock": clock, "role": role}
        if instance:
            self._hello["instance"] = instance[:100]
        self._on_command = on_command
        self._resync = resync
        self._backoff = backoff
        self._lock = threading.Condition()
        self._outbox = collections.deque()
        self._dropped = 0
        self._need_resync = False
        self._sock = None
        self._closing = False
        self._bye = None  # the bye's line, sent after everything queued before close()
        self._attempted = False  # a first look for the hub was made (close() waits for it)
        self._closed = threading.Event()
        self._connected_once = False
        self.status = "connecting"
        self.last_problem = None
        self.source_id = None
        self._thread = threading.Thread(target=self._run, name="loopwatch-agent", daemon=True)
        self._thread.start()

    # ---- from any thread ----
    def send(self, msg):
        line = json.dumps(msg, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"
        data = line.encode("utf-8")
        with self._lock:
            if self._closing:
                return
            if len(data) > MAX_LINE_BYTES or len(self._outbox) >= MAX_OUTBOX:
                self._dropped += 1
                self._need_resync = True
                return
            self._outbox.append(data)
            self._lock.notify_all()

    def close(self, code, reason, timeout=2.0):
        """Sends bye after everything queued, then closes; waits at most `timeout` s.

        A connection in progress is waited for too — its welcome, then what is queued and the
        bye — because a program on the virtual clock is often over before the welcome arrives.
        With no hub to reach (no agent.json, nothing listening, refused) the connection thread
        ends at once, and so does the wait: a program without the app exits as fast as without
        the agent."""
        bye = (json.dumps({"type": "bye", "code": code, "reason": reason[:500]}) + "\n").encode("utf-8")
        with self._lock:
            if self._closing:
                return
            self._bye = bye
            self._closing = True
            self._lock.notify_all()
        self._closed.wait(timeout)

    # ---- the connection thread ----
    def _run(self):
        delay = self._backoff[0]
        while True:
            with self._lock:
                # Closing while disconnected: stop, unless the hub was never even looked for
                # (the program ended at once): then one attempt, which close() waits for.
                if self._closing and self._attempted:
                    break
                self._attempted = True
            where = self._locate()
            if isinstance(where, str):
                self.last_problem = where
            else:
                try:
                    outcome = self._session(*where)
                except OSError as exc:
                    outcome = f"connection: {exc}"
                if outcome == "closed":
                    break
                if outcome == "version_mismatch":
                    self.status = "refused"
                    sys.stderr.write(f"loopwatch agent: {self.last_problem}\n")
                    break
                if outcome == "connected-then-lost":
                    delay = self._backoff[0]
                self.last_problem = outcome
            self.status = "connecting"
            with self._lock:
                if self._closing:
                    break
                # While disconnected, keep the newest messages; the state is resent anyway.
                if len(self._outbox) > MAX_OUTBOX // 2:
                    n = len(self._outbox) - MAX_OUTBOX // 2
                    for _ in range(n):
                        self._outbox.popleft()
                    self._dropped += n
                    self._need_resync = True
                self._lock.wait(delay)
            delay = min(self._backoff[1], delay * self._backoff[2])
        self.status = "closed"
        self._closed.set()

    def _session(self, host, port, token):
        sock = socket.create_connection((host, port), timeout=5)
        reader = sock.makefile("rb")
        try:
            hello = dict(self._hello, token=token)
            sock.sendall((json.dumps(hello) + "\n").encode())
            first = json.loads(reader.readline(64 * 1024) or b"null")
            if not isinstance(first, dict) or first.get("type") != "welcome":
                code = first.get("code") if isinstance(first, dict) else None
                self.last_problem = f"refused: {first.get('message') if isinstance(first, dict) else 'no answer'}"
                return "version_mismatch" if code == "version_mismatch" else f"refused ({code})"
            self.source_id = first.get("sourceId")
            sock.settimeout(None)
            self._sock = sock
            with self._lock:
                if self._connected_once or self._need_resync:
                    self._outbox.clear()
                    resync = True
                else:
                    resync = False
                dropped, self._dropped, self._need_resync = self._dropped, 0, False
            self._connected_once = True
            self.status = "connected"
            if resync:
                head = [{"type": "dropped", "count": dropped}] if dropped else []
                for msg in head + self._resync():
                    sock.sendall((json.dumps(msg, ensure_ascii=False, separators=(",", ":")) + "\n").encode())
            threading.Thread(target=self._read, args=(reader,), name="loopwatch-agent-read", daemon=True).start()
            return self._write(sock)
        finally:
            self._sock = None
            try:
                # shutdown first: the reader thread's makefile keeps the socket open past close().
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass

    def _write(self, sock):
        while True:
            with self._lock:
                while not self._outbox and not self._closing and self._sock is sock:
                    self._lock.wait(0.5)
                if self._sock is not sock:
                    return "connected-then-lost"
                # Once closing, nothing more is queued (send refuses): this batch ends with the bye.
                last = self._closing
                batch = b"".join(self._outbox) + (self._bye if last else b"")
                n = len(self._outbox)
            try:
                sock.sendall(batch)
            except OSError:
                return "connected-then-lost"
            with self._lock:
                for _ in range(n):
                    self._outbox.popleft()
            if last:
                return "closed"

    def _read(self, reader):
        sock = self._sock
        try:
            for raw in reader:
                try:
                    msg = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(msg, dict):
                    continue
                kind = msg.get("type")
                if kind == "error" and msg.get("fatal"):
                    self.last_problem = f"hub error: {msg.get('code')}: {msg.get('message')}"
                elif kind not in NOT_COMMANDS and _is_command_id(msg.get("id")):
                    # Every command is answered, the ones this agent does not know with
                    # unknown_command (commands.handle): the app never waits for its timeout.
                    threading.Thread(target=self._answer, args=(msg,), daemon=True).start()
        except (OSError, ValueError):
            pass
        with self._lock:
            if self._sock is sock:
                self._sock = None
            self._lock.notify_all()

    def _answer(self, msg):
        try:
            outcome = self._on_command(msg)
        except Exception as exc:  # an agent bug must still answer, never kill the program
            outcome = {"ok": False, "error": {"code": "agent_error", "message": f"{type(exc).__name__}: {exc}"[:300]}}
        after = outcome.pop("_after", None)
        self.send(dict({"type": "result", "id": msg.get("id")}, **outcome))
        if after:
            after()
