#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the gst-launch-1.0 lines of docs/*.md, as written, against the local
Live server (geminilive-mock-server), so that the documentation cannot rot.

Every fenced ```sh block whose first line starts with gst-launch-1.0 needs an
HTML comment on the line just before it (blank lines may come between):

  <!-- pipeline-test: id=NAME [x11] [pipewire] [seconds=N] [timeout=N] expect=CHECK,... -->
  <!-- pipeline-test: skip reason="why it cannot run here" -->

A block without a marker, and a marker without a block, are failures.

Options
  id=NAME     the name printed for the pipeline
  x11         run on a display of its own: a fresh Xvfb (-screen 0 1280x720x24;
              Debian packages xvfb, and gstreamer1.0-x for ximagesrc)
  pipewire    run with a PipeWire daemon of its own and a test screen node on
              it (tests/pylib/pipewire.py: a 1280x720 moving ball, linked to
              each stream that appears, as a desktop's session manager does);
              path=NODE becomes the node's id. Debian packages pipewire and
              gstreamer1.0-pipewire; without them the line is skipped
  seconds=N   a live line: N seconds after "Setting pipeline to PLAYING",
              gst-launch-1.0 gets SIGINT, as from Ctrl-C (the line uses -e)
  timeout=N   the pipeline must end by itself within N s (default 60), counted
              from the start, or from the SIGINT with seconds=N

Always checked: exit status 0, no ERROR or WARNING message, and an ending
through EOS ("Got EOS from element").

Skipped, with the reason printed: a line with an element that is not
installed (`gst-inspect-1.0 NAME` fails, after the substitutions below; the
reason names the Debian package when known), and the RTSP line when the RTSP
camera cannot run (see placeholders).

Checks (expect=, comma-separated; quote values that hold commas)
  What the server received (its stderr summary and "turn N:" lines):
  frames OP N      video frames        (OP is =, >= or >)
  audio OP N       realtime audio bytes
  texts OP N       realtime text messages
  turns OP N       turns completed
  fps>=R           frames >= floor(R x seconds in PLAYING before the end or SIGINT)
  jpeg=WxH         the last frame the server saw was a WxH JPEG
  reply="TEXT"     the server's reply text (all turns, joined by spaces) is TEXT
  What the pipeline produced (FILE is relative to its working directory):
  FILE=reply-audio a WAV of 24 kHz S16LE mono, not silent, exactly as long as
                   the audio the server sent: its synthesizer's length for the
                   reply text (docs/mock-server.md, "The synthesizer")
  FILE=reply       the file holds exactly the reply text
  FILE=heard       the file holds exactly the input transcription the server
                   sent: "(X seconds of speech)", X from "I heard X seconds"
  FILE=streams:KIND+KIND+...
                   gst-discoverer-1.0 finds exactly these streams in the file,
                   in any order; KIND is video, audio or subtitles (Debian
                   package gstreamer1.0-plugins-base-apps)
  FILE=fps>=R       the first video track of the Matroska file holds at least
                   floor(R x seconds in PLAYING) frames (demuxed and counted),
                   and gst-discoverer-1.0 gives the file a duration of at least
                   that many frames less one, at R a second
  FILE=subtitles:TEXT+TEXT+...
                   the subtitle tracks of the Matroska file, in track order,
                   hold exactly these texts; TEXT is reply or heard, as above
  answer-played    the speaker (see substitutions) got non-gap audio as long as
                   the reply (within two periods): the answer played before the
                   pipeline stopped. Adds -v to count the buffers.

Substitutions (on whole tokens of the line; nothing else is changed)
  geminilivesink          + uri=ws://127.0.0.1:PORT/ws/...BidiGenerateContent api-key=local
  pulsesrc, autoaudiosrc, alsasrc
                          audiotestsrc is-live=true wave=sine freq=220 volume=0.3
                          (a tone far above the server's speech threshold, all
                          along: the turn ends at the EOS from -e)
  autoaudiosink, pulsesink, alsasink
                          fakesink sync=true silent=false (a real-time "speaker")
  autovideosink, xvimagesink, ximagesink
                          fakesink sync=true
  v4l2src, autovideosrc   videotestsrc is-live=true
  ximagesrc               unchanged, on the Xvfb display (marker x11)

Placeholders (what a reader replaces with their own; the harness provides one)
  xid=XID       a window: the harness opens one of WINDOW_SIZE (640x360) on the
                Xvfb display (videotestsrc ! ximagesink, a second gst-launch-1.0)
                and puts its id, found with xwininfo (Debian package
                x11-utils), in place of XID. Needs the marker x11.
  path=NODE     a PipeWire node (pipewiresrc): the test screen's id. Needs the
                marker pipewire.
  rtsp://camera.local/stream
                a camera: the harness runs tests/pipelines/rtsp_camera.py, an
                RTSP server of a live 640x360 10 fps test picture (JPEG over
                RTP), and puts its rtsp://127.0.0.1:PORT/stream in place of the
                URL. It needs a Python with PyGObject and GstRtspServer (Debian
                packages python3-gi and gir1.2-gst-rtsp-server-1.0); without
                one the line is skipped.

Input files, made once, copied into each pipeline's fresh temporary working
directory:
  question.wav  16 kHz S16LE mono: 2 s of a 220 Hz tone (speech to the server)
                then 1 s of silence, made with audiotestsrc ! concat ! wavenc
  question.txt  "What is on the screen?" and a line break
  video.mkv     3 s of Matroska: a 640x360 10 fps test picture in VP8, and a
                220 Hz tone in Opus all along (so the turn ends with the file,
                and the last frame, sent at EOS, belongs to it)

Environment: GST_PLUGIN_PATH_1_0 (the built plugin), GEMINILIVE_MOCK_SERVER
(the server program; or --server). GST_PLUGIN_PATH, GEMINI_API_KEY and
GOOGLE_API_KEY are removed from the pipelines' environment.

Output: one line per pipeline (ok, FAIL with the reason and the stderr tail,
skip with the reason), then "N passed, N failed" and ", N skipped" when any
was. The exit status is 1 when anything failed; skips alone do not fail.
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from pipewire import Missing as PipeWireMissing, PipeWire  # noqa: E402
from harness import Failure, Tally, MockServer, make_question_wav, tail  # noqa: E402
from doc_markers import find_blocks, parse_marker  # noqa: E402
from pipeline_checks import check  # noqa: E402
from pipeline_helpers import Camera, Display, Skip, Window, parse_server_log  # noqa: E402

QUESTION_TEXT = "What is on the screen?\n"
DEFAULT_TIMEOUT = 60.0

MIC = ["audiotestsrc", "is-live=true", "wave=sine", "freq=220", "volume=0.3"]
SUBSTITUTIONS = {
    "pulsesrc": MIC,
    "autoaudiosrc": MIC,
    "alsasrc": MIC,
    "autoaudiosink": ["fakesink", "sync=true", "silent=false"],
    "pulsesink": ["fakesink", "sync=true", "silent=false"],
    "alsasink": ["fakesink", "sync=true", "silent=false"],
    "autovideosink": ["fakesink", "sync=true"],
    "xvimagesink": ["fakesink", "sync=true"],
    "ximagesink": ["fakesink", "sync=true"],
    "v4l2src": ["videotestsrc", "is-live=true"],
    "autovideosrc": ["videotestsrc", "is-live=true"],
}
SPEAKERS = {"autoaudiosink", "pulsesink", "alsasink"}

# Placeholders a reader replaces (see the docstring)
XID_PLACEHOLDER = "xid=XID"
NODE_PLACEHOLDER = "path=NODE"
CAMERA_PLACEHOLDER = "rtsp://camera.local/stream"
# The Debian package of elements the docs use that tools/setup may lack
PACKAGES = {
    "webrtcdsp": "gstreamer1.0-plugins-bad",
    "webrtcechoprobe": "gstreamer1.0-plugins-bad",
    "ximagesrc": "gstreamer1.0-x",
    "x264enc": "gstreamer1.0-plugins-ugly",
    "avdec_h264": "gstreamer1.0-libav",
}
ELEMENT_RE = re.compile(r"^[A-Za-z][\w-]*$")


# ---------------------------------------------------------------- pipelines


def tokens_of(command):
    joined = re.sub(r"\\\n", " ", command)
    if "\n" in joined.strip():
        raise Failure("the block holds more than one command")
    argv = shlex.split(joined)
    for t in argv:
        if "$" in t or "`" in t:
            raise Failure(f"the line uses the shell ({t!r}); the harness runs it without one")
    return argv


def substitute(argv, uri, want_verbose):
    out, notes, speakers = [argv[0]], [], []
    i = 1
    while i < len(argv):
        t = argv[i]
        if t == "geminilivesink":
            out += [t, f"uri={uri}", "api-key=local"]
        elif t in SUBSTITUTIONS:
            repl = list(SUBSTITUTIONS[t])
            if t in SPEAKERS:
                name = f"pipeline-test-speaker{len(speakers)}"
                # a name= given to the element in the line wins
                j = i + 1
                while j < len(argv) and argv[j] != "!" and "=" in argv[j] and "." not in argv[j].split("=")[0]:
                    if argv[j].startswith("name="):
                        name = argv[j][5:]
                    j += 1
                repl.insert(1, f"name={name}")
                speakers.append(name)
            out += repl
            notes.append(f"{t}->{repl[0]}")
        else:
            out.append(t)
        i += 1
    if want_verbose and "-v" not in out:
        out.insert(1, "-v")
    return out, notes, speakers


class Run:
    """One gst-launch-1.0 process; stdout lines are read as they come."""

    def __init__(self, argv, cwd, env, stderr_path):
        self.lines = []
        self.playing_at = None
        self.lock = threading.Lock()
        self.stderr_file = open(stderr_path, "wb")
        self.stderr_path = stderr_path
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self.stderr_file,
                                     start_new_session=True)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.lock:
                if self.playing_at is None and line.startswith("Setting pipeline to PLAYING"):
                    self.playing_at = time.monotonic()
                self.lines.append(line)

    def wait(self, timeout):
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def kill(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def finish(self):
        self.reader.join(5)
        self.stderr_file.close()
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            self.stderr = f.read()


def run_pipeline(marker, command, args, env, inputs):
    argv = tokens_of(command)
    workdir = tempfile.mkdtemp(prefix="pipeline-test-")
    try:
        return _run_pipeline(marker, argv, args, env, inputs, workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


_installed = {}


def missing_elements(argv, env):
    """The element names of a gst-launch-1.0 line that GStreamer does not know."""
    missing = []
    for t in argv[1:]:
        if t.startswith("-") or not ELEMENT_RE.match(t):
            continue  # options, properties (k=v), caps (a/b), pad references (s.audio)
        if t not in _installed:
            _installed[t] = subprocess.run(["gst-inspect-1.0", t], env=env, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL).returncode == 0
        if not _installed[t] and t not in missing:
            missing.append(t)
    return missing


def _run_pipeline(marker, argv, args, env, inputs, workdir):
    if marker["x11"] or "ximagesrc" in argv or XID_PLACEHOLDER in argv:
        if not marker["x11"]:
            raise Failure("the line uses ximagesrc or a window: add x11 to its marker")
        if not shutil.which("Xvfb"):
            raise Failure("Xvfb is missing: install the Debian package xvfb (tools/setup installs it)")
        if "ximagesrc" in argv and subprocess.run(["gst-inspect-1.0", "ximagesrc"], env=env,
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode:
            raise Failure("ximagesrc is missing: install the Debian package gstreamer1.0-x "
                          "(tools/setup installs it)")
    if (marker["pipewire"] or NODE_PLACEHOLDER in argv) and not (marker["pipewire"] and NODE_PLACEHOLDER in argv):
        raise Failure("a PipeWire line needs both the marker pipewire and path=NODE")
    want_verbose = "answer-played" in marker["expect"]
    missing = missing_elements(substitute(argv, "ws://", want_verbose)[0], env)
    if missing:
        raise Skip(", ".join(f"{e} is not installed" + (f" (Debian package {PACKAGES[e]})" if e in PACKAGES else "")
                             for e in missing))
    for name in os.listdir(inputs):
        shutil.copy(os.path.join(inputs, name), os.path.join(workdir, name))

    helpers = []  # stopped in reverse order at the end
    server = None
    run = None
    try:
        run_env = env
        placeholders = {}
        if marker["x11"]:
            display = Display(workdir)
            helpers.append(display)
            run_env = dict(env, DISPLAY=display.display)
            run_env.pop("XAUTHORITY", None)
        if XID_PLACEHOLDER in argv:
            window = Window(workdir, run_env)
            helpers.append(window)
            placeholders[XID_PLACEHOLDER] = f"xid={window.xid}"
        if marker["pipewire"]:
            try:
                pipewire = PipeWire(workdir, run_env)
            except PipeWireMissing as e:
                raise Skip(str(e))
            helpers.append(pipewire)
            run_env = dict(run_env, **{k: pipewire.env[k] for k in ("XDG_RUNTIME_DIR", "PIPEWIRE_RUNTIME_DIR")})
            placeholders[NODE_PLACEHOLDER] = f"path={pipewire.node_id}"
        if any(CAMERA_PLACEHOLDER in t for t in argv):
            camera = Camera(workdir, env)
            helpers.append(camera)
            placeholders[CAMERA_PLACEHOLDER] = camera.url
        server = MockServer(args.server, workdir)
        helpers.append(server)
        final, subs, speakers = substitute(argv, server.uri, want_verbose)
        for i, t in enumerate(final):
            for placeholder, value in placeholders.items():
                if placeholder in t:
                    final[i] = t.replace(placeholder, value)
                    subs.append(f"{placeholder}->{value}")
        if want_verbose and not speakers:
            raise Failure("answer-played needs a speaker (autoaudiosink) in the line")
        timeout = marker["timeout"] or DEFAULT_TIMEOUT
        run = Run(final, workdir, run_env, os.path.join(workdir, "gst-launch.stderr"))
        run.speakers = speakers
        run.command = shlex.join(final)
        ended_at = None
        if marker["seconds"] is not None:
            deadline = time.monotonic() + timeout
            while run.playing_at is None and run.proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            if run.playing_at is None:
                if run.proc.poll() is None:
                    run.kill()
                    raise Failure(f"not PLAYING within {timeout:.0f} s")
                raise Failure(f"ended (status {run.proc.returncode}) before PLAYING")
            while run.proc.poll() is None and time.monotonic() < run.playing_at + marker["seconds"]:
                time.sleep(0.05)
            if run.proc.poll() is not None:
                raise Failure(f"ended by itself (status {run.proc.returncode}) before the SIGINT "
                              f"at {marker['seconds']:g} s")
            ended_at = time.monotonic()
            os.kill(run.proc.pid, signal.SIGINT)
            if not run.wait(timeout):
                run.kill()
                raise Failure(f"still running {timeout:.0f} s after SIGINT")
        else:
            if not run.wait(timeout):
                run.kill()
                raise Failure(f"did not end by itself within {timeout:.0f} s")
            ended_at = time.monotonic()
        elapsed = time.monotonic() - run.started
        run.finish()
        server.stop()
        summary = parse_server_log(server.log())
        problems = []
        output = "\n".join(run.lines) + "\n" + run.stderr
        if run.proc.returncode != 0:
            problems.append(f"exit status {run.proc.returncode}")
        out_lines = output.splitlines()
        for n, line in enumerate(out_lines):
            if line.startswith(("ERROR:", "WARNING:")):
                # gst-launch-1.0 prints the debug string on the next lines
                more = [l.strip() for l in out_lines[n + 1:n + 3] if l.strip() and "last-message" not in l]
                problems.append(" ".join([line.strip()] + more))
        if not any(l.startswith("Got EOS from element") for l in run.lines):
            problems.append("the pipeline did not end through EOS")
        playing = (ended_at - run.playing_at) if run.playing_at else 0.0
        checks, notes = check(marker, workdir, run, summary, playing, env)
        problems += checks
        if problems:
            raise Failure("; ".join(problems))
        what = f"{summary['frames']} frames, {summary['audio']} audio bytes, {summary['texts']} texts, " \
               f"{summary['turns']} turns"
        detail = ", ".join([what] + notes)
        sub = f" [{'; '.join(subs)}]" if subs else ""
        return f"{elapsed:.1f} s{sub}: {detail}"
    except Failure as e:
        if run is not None:
            if run.proc.poll() is None:
                run.kill()
            if not hasattr(run, "stderr"):
                run.finish()
        for helper in reversed(helpers):
            helper.stop()
        msg = str(e)
        if run is not None:
            visible = [l for l in run.lines if "last-message" not in l and "caps = " not in l]
            msg += f"\n    command: {run.command}"
            msg += "\n    gst-launch stderr tail:\n" + tail(run.stderr)
            msg += "\n    gst-launch stdout tail:\n" + tail("\n".join(visible), 8)
        for helper in helpers:
            if helper is server or (not isinstance(helper, Display) and helper.log().strip()):
                msg += f"\n    {helper.name} stderr tail:\n" + tail(helper.log(), 6)
        raise Failure(msg)
    finally:
        if run is not None and run.proc.poll() is None:
            run.kill()
        for helper in reversed(helpers):
            helper.stop()


def make_inputs(scratch, env):
    """question.wav, question.txt and video.mkv (see the docstring) in scratch."""
    make_question_wav(os.path.join(scratch, "question.wav"), env)
    with open(os.path.join(scratch, "question.txt"), "w", encoding="utf-8") as f:
        f.write(QUESTION_TEXT)
    video = os.path.join(scratch, "video.mkv")
    argv = ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "pattern=smpte", "!",
            "video/x-raw,width=640,height=360,framerate=10/1", "!", "vp8enc", "deadline=1", "!",
            "matroskamux", "name=m", "!", "filesink", f"location={video}",
            "audiotestsrc", "wave=sine", "freq=220", "volume=0.3", "samplesperbuffer=480", "num-buffers=300", "!",
            "audio/x-raw,rate=48000,channels=1", "!", "opusenc", "!", "m."]
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if r.returncode != 0 or not os.path.isfile(video):
        raise Failure("could not make video.mkv: " + r.stdout.decode(errors="replace"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", default=os.path.join(here, "..", "..", "docs"),
                        help="directory of the *.md files (default: the source tree's docs/)")
    parser.add_argument("--server", default=os.environ.get("GEMINILIVE_MOCK_SERVER"),
                        help="geminilive-mock-server (default: $GEMINILIVE_MOCK_SERVER)")
    parser.add_argument("--only", help="run only the pipeline with this id")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()
    if not args.server or not os.access(args.server, os.X_OK):
        tally = Tally()
        tally.fail(f"the mock server is not executable: {args.server!r} (set GEMINILIVE_MOCK_SERVER)")
        return tally.close()

    env = dict(os.environ)
    for var in ("GST_PLUGIN_PATH", "GEMINI_API_KEY", "GOOGLE_API_KEY"):
        env.pop(var, None)

    tally = Tally()
    # The README's launch line is the first one a newcomer copies: run it too.
    readme = os.path.join(args.docs, "..", "README.md")
    files = sorted(glob.glob(os.path.join(args.docs, "*.md"))) + ([readme] if os.path.exists(readme) else [])
    if not files:
        tally.fail(f"no *.md in {args.docs}")
        return tally.close()
    scratch = tempfile.mkdtemp(prefix="pipeline-test-inputs-")
    try:
        make_inputs(scratch, env)
        for path in files:
            rel = os.path.relpath(path, os.path.join(args.docs, ".."))
            for line, marker_text, command in find_blocks(path):
                where = f"{rel}:{line}"
                try:
                    if marker_text is None:
                        raise Failure("gst-launch-1.0 block without a marker: add "
                                      "<!-- pipeline-test: id=... expect=... --> or "
                                      '<!-- pipeline-test: skip reason="..." --> just before it')
                    marker = parse_marker(marker_text)
                    if command is None:
                        raise Failure("pipeline-test marker without a gst-launch-1.0 ```sh block after it")
                    if args.only and marker["id"] != args.only:
                        continue
                    if marker["skip"]:
                        tally.skip(f"{where}: {marker['reason']}")
                        continue
                    result = run_pipeline(marker, command, args, env, scratch)
                    tally.ok(f"{where} {marker['id']} ({result})")
                except Skip as e:
                    tally.skip(f"{where} {marker['id']}: {e}")
                except Failure as e:
                    name = ""
                    try:
                        name = " " + parse_marker(marker_text)["id"] if marker_text else ""
                    except Failure:
                        pass
                    tally.fail(f"{where}{name}: {e}")
    except Failure as e:
        tally.fail(e)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tally.close()


if __name__ == "__main__":
    sys.exit(main())
