# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the Python test drivers share (tests/examples/run_examples.py,
tests/pipelines/run_doc_pipelines.py, tests/assistant/run_assistant_tests.py):
geminilive-mock-server run as a separate program, helper processes with their
stderr in a file, the server's reply length, the recorded question, and the
failure every driver reports.

A driver imports it from its own directory's sibling:

  sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
"""

import os
import re
import signal
import subprocess
import sys
import threading

LIVE_PATH = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
REPLY_RATE = 24000  # Hz, S16LE mono: the audio the server sends


class Failure(Exception):
    pass


class Tally:
    """A driver's results, one line each as they come ("ok   ...", "skip ...",
    "FAIL ..."), and the closing "N passed, N failed[, N skipped]" line that
    test logs are read for."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, what):
        print(f"ok   {what}", flush=True)
        self.passed += 1

    def skip(self, what):
        print(f"skip {what}", flush=True)
        self.skipped += 1

    def fail(self, what):
        print(f"FAIL {what}", flush=True)
        self.failed += 1

    def close(self):
        """Prints the closing line; the exit status (1 when anything failed)."""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        print(f"{self.passed} passed, {self.failed} failed{skipped}", flush=True)
        return 1 if self.failed else 0


def tail(text, n=12, indent="    "):
    """The last n non-blank lines of text, indented; "(empty)" when none."""
    lines = [l for l in text.splitlines() if l.strip()][-n:]
    return "\n".join(indent + l for l in lines) if lines else indent + "(empty)"


def first_line(proc, timeout):
    """The first stdout line of proc, or "" when none comes within timeout."""
    out = []
    t = threading.Thread(target=lambda: out.append(proc.stdout.readline().decode()))
    t.daemon = True
    t.start()
    t.join(timeout)
    return out[0] if out else ""


def python_with(module_check):
    """A Python that runs module_check (this one or Debian's), or None."""
    for python in dict.fromkeys([sys.executable, "/usr/bin/python3"]):
        if python and os.access(python, os.X_OK) and subprocess.run(
                [python, "-c", module_check], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            return python
    return None


class Helper:
    """A process run beside what is tested, in workdir; stdout is a pipe,
    stderr goes to workdir/NAME.stderr. A context manager: stopped at the end."""

    def __init__(self, argv, workdir, name, env=None, **popen):
        self.name = name
        self.err_path = os.path.join(workdir, f"{name}.stderr")
        self.err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=subprocess.PIPE,
                                     stderr=self.err, stdin=subprocess.DEVNULL, **popen)

    def stop(self):
        """SIGTERM (a kill after 10 s) unless it has ended; returns its log."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        return self.log()

    def log(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class MockServer(Helper):
    """`program --port 0 ARGS...` (geminilive-mock-server); uri is its Live
    endpoint. Its log (stderr, workdir/server.stderr) ends with the summary it
    prints at SIGTERM."""

    def __init__(self, program, workdir, *args):
        super().__init__([program, "--port", "0", *args], workdir, "server")
        line = first_line(self.proc, 10.0)
        if not line.startswith("ws://"):
            self.stop()
            raise Failure(f"the server did not print its URI: {line!r}\n" + self.log())
        self.uri = line.strip() + LIVE_PATH


def reply_pcm_bytes(text):
    """Length of synthesize_reply_pcm(text) (tools/mock-server/reply_synth.cpp)."""
    total_ms = 0
    for word in re.findall(r"[^ \t\n\r\f\v]+", text):
        letters = sum(1 for c in word if c.isascii() and c.isalnum())
        letters = min(max(letters, 1), 12)
        total_ms += 90 + 22 * letters
        total_ms += 300 if word[-1] in ".!?:" else 180 if word[-1] in ",;" else 70
    return total_ms * REPLY_RATE // 1000 * 2


def make_question_wav(path, env):
    """16 kHz S16LE mono: 2 s of a 220 Hz tone (speech to the server), then
    1 s of silence, made with audiotestsrc ! concat ! wavenc."""
    caps = "audio/x-raw,format=S16LE,rate=16000,channels=1"
    argv = ["gst-launch-1.0", "-q", "concat", "name=c", "!", caps, "!", "wavenc", "!", "filesink",
            f"location={path}",
            "audiotestsrc", "wave=sine", "freq=220", "volume=0.3", "samplesperbuffer=320", "num-buffers=100",
            "!", caps, "!", "c.",
            "audiotestsrc", "wave=silence", "samplesperbuffer=320", "num-buffers=50", "!", caps, "!", "c."]
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if r.returncode != 0 or not os.path.isfile(path):
        raise Failure("could not make question.wav: " + r.stdout.decode(errors="replace"))
