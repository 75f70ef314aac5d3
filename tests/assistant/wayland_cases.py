# SPDX-License-Identifier: LGPL-2.1-or-later
"""The assistant's Wayland path, headless (cases of run_assistant_tests.py,
which documents them): a PipeWire node captured through the change gate
(pipewire), and the ScreenCast portal client against fake_portal.py
(portal). Each case gets the runner's module as `h` for its helpers."""

import os
import re
import shutil

from harness import python_with
from pipewire import Missing as PipeWireMissing, PipeWire


def start_pipewire(h, workdir):
    try:
        return PipeWire(workdir, h.clean_env())
    except PipeWireMissing as e:
        raise h.Failure(str(e))


def frames_seen(h, r):
    return int(h.REPLY_RE.search(h.local_reply(r)).group(2))


def case_pipewire(h, workdir):
    with start_pipewire(h, workdir) as pw:
        env = dict(h.clean_env(), XDG_RUNTIME_DIR=pw.env["XDG_RUNTIME_DIR"])
        r = h.run_assistant(["-v", "--pipewire-node", str(pw.node_id)], env, workdir)
        log = pw.log()
    h.expect(r.status == 0, r.describe() + "--- pipewire\n" + log)
    h.expect(f"[screen] PipeWire node {pw.node_id}\n" in r.out, "no PipeWire line\n" + r.describe())
    frames = frames_seen(h, r)
    # A moving ball: the gate passes about one frame a second.
    h.expect(frames >= 2, f"the server saw {frames} frame(s) of a moving picture\n" + r.describe())
    return f"{r.elapsed:.1f} s; node {pw.node_id}: {frames} frames of 1024x576"


def case_portal(h, workdir):
    if not shutil.which("dbus-run-session"):
        raise h.Failure("dbus-run-session is missing: install the Debian package dbus-bin (tools/setup installs it)")
    python = python_with("import gi; gi.require_version('Gio', '2.0'); from gi.repository import Gio")
    if python is None:
        raise h.Failure("fake_portal.py needs PyGObject: install the Debian package python3-gi (tools/setup does)")
    fake = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fake_portal.py")
    env = dict(h.clean_env(), WAYLAND_DISPLAY="wayland-geminilive-test")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    with start_pipewire(h, workdir) as pw:
        socket = os.path.join(pw.env["XDG_RUNTIME_DIR"], "pipewire-0")
        portal = ["dbus-run-session", "--", python, fake, "--socket", socket, "--node", str(pw.node_id)]
        r = h.run_assistant(["-v"], env, workdir, wrapper=portal + ["--"])
        cancelled = h.run_assistant(["-v"], env, workdir, wrapper=portal + ["--answer", "1", "--"])
        stopped = h.run_assistant(["-v"], env, workdir, wrapper=portal + ["--close-after", "1", "--"])
    h.expect(r.status == 0, r.describe())
    for line in ("[screen] Wayland session: asking the desktop to share a screen or a window",
                 f"[screen] the desktop shares a screen of 1280x720 (PipeWire node {pw.node_id})"):
        h.expect(line in r.out, f"no {line!r}\n" + r.describe())
    calls = re.findall(r"^fake portal: (\w+)(.*)$", r.err, re.M)
    names = [c[0] for c in calls if c[0] != "owns"]
    h.expect(names == ["CreateSession", "SelectSources", "Start", "OpenPipeWireRemote", "Close"],
             f"portal calls {names}\n" + r.describe())
    select = dict(calls)["SelectSources"].strip()
    h.expect(select == "cursor_mode=2, multiple=False, types=3", f"SelectSources {select!r}")
    frames = frames_seen(h, r)
    h.expect(frames >= 2, f"the server saw {frames} frame(s) of the shared node\n" + r.describe())

    h.expect(cancelled.status == 1 and "screen sharing was cancelled in the desktop's dialog" in cancelled.err,
             "a cancelled dialog was not reported\n" + cancelled.describe())
    # The user stops sharing a second in: said, the screen ends, the talk goes on.
    h.expect(stopped.status == 0 and "[screen] the desktop stopped sharing the screen" in stopped.out,
             "stopping the sharing was not handled\n" + stopped.describe())
    stopped_calls = re.findall(r"^fake portal: (\w+)", stopped.err, re.M)
    h.expect("Closed" in stopped_calls and "Close" not in stopped_calls,
             f"portal calls after the desktop closed: {stopped_calls}")
    absent = h.run_assistant(["-v"], env, workdir, wrapper=["dbus-run-session", "--"])
    h.expect(absent.status == 2 and "the desktop has no ScreenCast portal" in absent.err
             and "xdg-desktop-portal" in absent.err, "a missing portal was not reported\n" + absent.describe())
    return (f"{r.elapsed:.1f} s; calls {', '.join(names)}; {frames} frames; cancel: status 1; "
            f"stopped sharing: handled in {stopped.elapsed:.1f} s; no portal: status 2")


def cases(h):
    return {"pipewire": lambda workdir: case_pipewire(h, workdir),
            "portal": lambda workdir: case_portal(h, workdir)}
