"""sys.stdout / sys.stderr wrappers: every printed line is attributed to the task that printed it.

Without --json the program's bytes pass through at once, unchanged (partial lines, flush timing
and all); each completed line is also handed to `on_line(stream, line, task)`. With --json the
stdout text is not passed through: its lines become trace records (on_line does that).
"""
import asyncio
import codecs


def current_task():
    loop = asyncio._get_running_loop()
    if loop is None:
        return None
    try:
        return asyncio.current_task(loop)
    except RuntimeError:
        return None


class LineTap:
    """A text stream that forwards to `real` (unless `passthrough` is False) and reports lines."""

    def __init__(self, real, stream, on_line, passthrough=True):
        self._real = real
        self._stream = stream
        self._on_line = on_line
        self._passthrough = passthrough
        self._partial = ""

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._passthrough:
            self._real.write(text)
        self._feed(text)
        return len(text)

    def _feed(self, text):
        """Reports the lines `text` completes (text written here or bytes through `buffer`)."""
        if "\n" not in text:
            self._partial += text
            return
        parts = (self._partial + text).split("\n")
        self._partial = parts.pop()
        task = current_task()
        for line in parts:
            self._on_line(self._stream, line[:-1] if line.endswith("\r") else line, task)

    @property
    def buffer(self):
        """The real stream's binary buffer, tapped too: bytes written to it are lines as well."""
        tap = self.__dict__.get("_buffer_tap")
        if tap is None:
            tap = self.__dict__["_buffer_tap"] = BufferTap(self._real.buffer, self)
        return tap

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._passthrough:
            self._real.flush()

    def finish(self):
        """Reports a last line that never got its newline."""
        if self._partial:
            line, self._partial = self._partial, ""
            self._on_line(self._stream, line, current_task())

    def __getattr__(self, name):
        return getattr(self._real, name)


class BufferTap:
    """`sys.stdout.buffer` under the agent: forwards the bytes (unless the text tap does not pass
    through) and reports the lines they complete, decoded as the text stream would decode them."""

    def __init__(self, real, text_tap):
        self._real = real
        self._tap = text_tap
        encoding = getattr(text_tap._real, "encoding", None) or "utf-8"
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def write(self, data):
        n = self._real.write(data) if self._tap._passthrough else len(memoryview(data).cast("B"))
        self._tap._feed(self._decoder.decode(bytes(data)))
        return n

    def writelines(self, lines):
        for data in lines:
            self.write(data)

    def flush(self):
        if self._tap._passthrough:
            self._real.flush()

    def __getattr__(self, name):
        return getattr(self._real, name)
