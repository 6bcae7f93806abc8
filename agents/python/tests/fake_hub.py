"""A stand-in for the app's hub on 127.0.0.1:0, for tests of the agent's side of the protocol: it
records every connection's messages (hello first), and answers the hello with a welcome once
`release_welcome()` returns — by default at once."""
import json
import socket
import threading


class FakeHub:
    def __init__(self, release_welcome=lambda: None, token="tok"):
        self.token = token
        self._release = release_welcome
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.url = f"tcp://127.0.0.1:{self.port}?token={token}"
        self.sessions = []  # one list of messages per connection, hello first
        self.ended = threading.Condition()  # notified when a connection ends
        self._conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        msgs = []
        with self.ended:
            self.sessions.append(msgs)
        reader = conn.makefile("rb")
        try:
            msgs.append(json.loads(reader.readline()))
            self._release()
            n = len(self.sessions)
            conn.sendall((json.dumps({"type": "welcome", "protocol": 1, "sourceId": f"agent-{n}",
                                      "limits": {"maxLineBytes": 4 * 1024 * 1024}}) + "\n").encode())
            for raw in reader:
                with self.ended:
                    msgs.append(json.loads(raw))
                    self.ended.notify_all()
        except (OSError, ValueError):
            pass  # the agent went away (before the welcome, too)
        finally:
            conn.close()
            with self.ended:
                msgs.append({"type": "(end of connection)"})
                self.ended.notify_all()

    def wait_ended(self, count=1, timeout=10.0):
        """Waits until `count` connections have ended; True if they did."""
        with self.ended:
            return self.ended.wait_for(lambda: sum(1 for s in self.sessions if s and s[-1]["type"] == "(end of connection)") >= count, timeout)

    def send(self, msg, session=-1):
        """Writes one message to a connection (default: the newest), as the hub sends a command."""
        self._conns[session].sendall((json.dumps(msg) + "\n").encode())

    def wait_for(self, check, timeout=10.0):
        """Waits until check(messages of the newest connection) is true; True if it became so."""
        with self.ended:
            return self.ended.wait_for(lambda: bool(self.sessions) and check(self.sessions[-1]), timeout)

    def close(self):
        self._server.close()
        for conn in self._conns:
            try:
                conn.close()
            except OSError:
                pass
