# SPDX-License-Identifier: LGPL-2.1-or-later
"""What a documented line runs beside: an Xvfb display, a test window on it,
an RTSP camera; and what the local server says it received."""

import os
import re
import select
import shutil
import subprocess
import time

from harness import Failure, Helper, first_line, python_with, tail

XVFB_SCREEN = ["-screen", "0", "1280x720x24"]
WINDOW_SIZE = "640x360"
WINDOW = ["videotestsrc", "is-live=true", "pattern=ball", "!",
          "video/x-raw,width=640,height=360,framerate=10/1", "!", "ximagesink"]


class Skip(Exception):
    """The line cannot run here (an element or a helper is missing): why."""


class Display(Helper):
    """An Xvfb display of its own; DISPLAY for the pipeline and the window."""

    def __init__(self, workdir):
        if not shutil.which("Xvfb"):
            raise Failure("Xvfb is missing: install the Debian package xvfb (tools/setup installs it)")
        r, w = os.pipe()
        try:
            super().__init__(["Xvfb", "-displayfd", str(w), "-nolisten", "tcp"] + XVFB_SCREEN, workdir,
                             "xvfb", pass_fds=(w,))
        finally:
            os.close(w)
        number = b""
        with os.fdopen(r, "rb", buffering=0) as f:
            deadline = time.monotonic() + 10
            while not number.endswith(b"\n") and time.monotonic() < deadline:
                if select.select([f], [], [], 0.1)[0]:
                    byte = f.read(1)
                    if not byte:
                        break
                    number += byte
        if not number.strip().isdigit():
            self.stop()
            raise Failure("Xvfb did not start: " + tail(self.log(), 4).strip())
        self.display = ":" + number.decode().strip()


class Window(Helper):
    """A WINDOW_SIZE window on the display: videotestsrc ! ximagesink."""

    def __init__(self, workdir, env):
        if not shutil.which("xwininfo"):
            raise Failure("xwininfo is missing: install the Debian package x11-utils (tools/setup installs it)")
        super().__init__(["gst-launch-1.0", "-q"] + WINDOW, workdir, "window", env=env)
        self.xid = None
        deadline = time.monotonic() + 10
        while self.xid is None and self.proc.poll() is None and time.monotonic() < deadline:
            tree = subprocess.run(["xwininfo", "-root", "-tree"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL).stdout.decode(errors="replace")
            for line in tree.splitlines():
                m = re.match(r"\s*(0x[0-9a-f]+) .*\(\"[^\"]*\" \"GStreamer\"\)\s+(\d+x\d+)\+", line)
                if m and m.group(2) == WINDOW_SIZE:
                    self.xid = m.group(1)
            if self.xid is None:
                time.sleep(0.1)
        if self.xid is None:
            self.stop()
            raise Failure("the test window did not appear on the display: " + tail(self.log(), 4).strip())


class Camera(Helper):
    """An RTSP camera: rtsp_camera.py beside this file."""

    CHECK = "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"

    def __init__(self, workdir, env):
        python = python_with(self.CHECK)
        if python is None:
            raise Skip("the RTSP camera needs PyGObject and GstRtspServer: install the Debian packages "
                       "python3-gi and gir1.2-gst-rtsp-server-1.0 (tools/setup installs them)")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rtsp_camera.py")
        super().__init__([python, script], workdir, "camera", env=env)
        line = first_line(self.proc, 10.0)
        if not line.startswith("rtsp://"):
            self.stop()
            raise Failure(f"the RTSP camera did not print its URL: {line!r}\n" + self.log())
        self.url = line.strip()


SUMMARY_RE = re.compile(
    r"geminilive-mock-server: (\d+) connections, (\d+) setups \((\d+) resumed\), (\d+) turns started, "
    r"(\d+) completed, (\d+) interrupted, (\d+) tool responses, (\d+) audio bytes \(sha256 [^)]*\), "
    r"(\d+) video frames, (\d+) texts")
TURN_RE = re.compile(r"geminilive-mock-server: connection \d+: turn \d+: (.*)$")


def parse_server_log(log):
    summary = None
    for line in log.splitlines():
        m = SUMMARY_RE.search(line)
        if m:
            v = [int(x) for x in m.groups()]
            summary = {"connections": v[0], "setups": v[1], "turns_started": v[3], "turns": v[4],
                       "interrupted": v[5], "audio": v[7], "frames": v[8], "texts": v[9]}
    if summary is None:
        raise Failure("the server printed no summary at SIGTERM")
    summary["replies"] = [m.group(1) for m in map(TURN_RE.search, log.splitlines()) if m]
    return summary
