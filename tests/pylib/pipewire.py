# SPDX-License-Identifier: LGPL-2.1-or-later
"""A PipeWire daemon of its own with a test "screen" on it, for the tests of
pipewiresrc capture (what a Wayland desktop's ScreenCast portal hands over:
a PipeWire node to read).

PipeWire(workdir, env) starts
  - `pipewire` with a minimal configuration (native protocol, client nodes,
    a dummy driver; no D-Bus, no devices), its socket in workdir/pw-runtime
    (XDG_RUNTIME_DIR for every client: see .env);
  - a video node "geminilive-test-screen": gst-launch-1.0 videotestsrc
    pattern=ball (1280x720, 10 fps, BGRx) into pipewiresink mode=provide,
    as a compositor's screen-cast stream; .node_id is its id;
  - a linker thread doing what a session manager (WirePlumber) does on a
    desktop: each input port that appears is linked to the node's output
    (pw-link), so `pipewiresrc path=ID` gets the frames.

Debian packages: pipewire (the daemon; pipewire-bin: pw-cli, pw-link) and
gstreamer1.0-pipewire (pipewiresrc, pipewiresink). Missing ones raise
Missing with what to install.
"""

import os
import re
import shutil
import subprocess
import threading
import time

from harness import Failure, Helper, tail

NODE_NAME = "geminilive-test-screen"
SIZE = (1280, 720)
CONFIG = """context.properties = {
    core.daemon = true
    core.name = pipewire-0
    support.dbus = false
}
context.spa-libs = {
    support.* = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = spa-node-factory
        args = {
            factory.name = support.node.driver
            node.name = Dummy-Driver
            node.group = pipewire.dummy
            priority.driver = 20000
        }
    }
]
"""


class Missing(Exception):
    """What is not installed, and the Debian package that has it."""


def missing_parts(env):
    for program, package in (("pipewire", "pipewire"), ("pw-link", "pipewire-bin"), ("pw-cli", "pipewire-bin")):
        if not shutil.which(program):
            return f"{program} is missing: install the Debian package {package} (tools/setup installs it)"
    for element in ("pipewiresrc", "pipewiresink"):
        if subprocess.run(["gst-inspect-1.0", element], env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode:
            return (f"{element} is missing: install the Debian package gstreamer1.0-pipewire "
                    "(tools/setup installs it)")
    return None


class PipeWire:
    def __init__(self, workdir, env):
        why = missing_parts(env)
        if why:
            raise Missing(why)
        runtime = os.path.join(workdir, "pw-runtime")
        os.makedirs(runtime, mode=0o700, exist_ok=True)
        config = os.path.join(workdir, "pipewire.conf")
        with open(config, "w", encoding="utf-8") as f:
            f.write(CONFIG)
        self.env = dict(env, XDG_RUNTIME_DIR=runtime, PIPEWIRE_RUNTIME_DIR=runtime)
        self.env.pop("PIPEWIRE_REMOTE", None)
        self.name = "pipewire"
        self.helpers = []
        self._logs = []
        self.linked = set()
        self.links = 0
        self._stop = threading.Event()
        self._linker = None
        try:
            self._start(workdir, runtime, config)
        except BaseException:
            self.stop()
            raise

    def _start(self, workdir, runtime, config):
        daemon = Helper(["pipewire", "-c", config], workdir, "pipewire", env=self.env)
        self.helpers.append(daemon)
        self._logs.append(daemon)
        socket = os.path.join(runtime, "pipewire-0")
        deadline = time.monotonic() + 10
        while not os.path.exists(socket) and daemon.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not os.path.exists(socket):
            raise Failure("the PipeWire daemon did not start: " + tail(daemon.log(), 6).strip())
        caps = f"video/x-raw,format=BGRx,width={SIZE[0]},height={SIZE[1]},framerate=10/1"
        node = Helper(["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", "pattern=ball", "!", caps, "!",
                       "pipewiresink", "mode=provide", "client-name=geminilive-test-screen",
                       f"stream-properties=props,media.class=Video/Source,node.name={NODE_NAME}"],
                      workdir, "pipewire-node", env=self.env)
        self.helpers.append(node)
        self._logs.append(node)
        self.node_id = None
        deadline = time.monotonic() + 10
        while self.node_id is None and node.proc.poll() is None and time.monotonic() < deadline:
            self.node_id = self._find_node()
            if self.node_id is None:
                time.sleep(0.1)
        if self.node_id is None:
            raise Failure("the test video node did not appear on PipeWire: " + tail(node.log(), 6).strip())
        self._linker = threading.Thread(target=self._link_loop, daemon=True)
        self._linker.start()

    def _find_node(self):
        out = subprocess.run(["pw-cli", "ls", "Node"], env=self.env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=10).stdout.decode(errors="replace")
        for block in re.split(r"\n\s*id ", "\n" + out):
            if f'node.name = "{NODE_NAME}"' in block:
                return int(re.match(r"\s*(\d+)", block).group(1))
        return None

    def _link_loop(self):
        while not self._stop.wait(0.1):
            r = subprocess.run(["pw-link", "-i"], env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            ports = {line.strip() for line in r.stdout.decode(errors="replace").splitlines() if line.strip()}
            self.linked &= ports  # a port that went may come back, with the same name, from the next client
            for port in ports:
                if port in self.linked:
                    continue
                # Which output port of the node: the first (and only) one.
                if subprocess.run(["pw-link", f"{NODE_NAME}:out_0", port], env=self.env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL).returncode == 0:
                    self.links += 1
                self.linked.add(port)

    def stop(self):
        self._stop.set()
        if self._linker:
            self._linker.join(5)
        for helper in reversed(self.helpers):
            helper.stop()
        self.helpers = []

    def log(self):
        """The daemon's and the node's stderr, and how many links were made."""
        text = "".join(f"[{h.name}] {line}\n" for h in self._logs for line in h.log().splitlines())
        return text + (f"[linker] {self.links} link(s) made\n" if self.links or text else "")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
