#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A recorded screen session, and what geminilivechangegate sends of it.

  screen_session.py record DIR [--short] [--caret thin|block] [--blink-ms MS]
      Renders a desktop session with GStreamer (gst-launch-1.0) into
      DIR/frames/NNNNN.png, lossless, 1280x720 at 10 frames per second, and
      writes DIR/truth.json: when each visible change happened.
  screen_session.py measure DIR [--threshold X] [--settle S] [--keepalive S] [--max-fps F] [--rate R]
      Runs the recording through the real element, as the assistant and the
      cookbook capture a screen (videorate to R frames per second, default 2,
      then geminilivechangegate), and prints per segment the frames in and
      passed, the reduction against one frame a second, the delay from each
      visible change to the first frame passed after it, and the tokens saved.
  screen_session.py run [--short] [--caret thin|block] [--blink-ms MS] [--check] [--json FILE] [gate options]
      The same session rendered straight into the gate (no files), measured
      the same way; with --check, exit 1 unless at least 80 % fewer frames
      than 1 fps were sent, every change passed within 1 s, and no frame
      passed for the caret alone.
  screen_session.py test
      The pipelines suite's checks: the short session with each caret and
      the full one, at the element's defaults.

The session (docs/screen-capture.md), each segment's length in seconds
(full / --short):

  still     an editor with a page of code, the caret blinking    60 / 20
  typing    lines typed at 6 characters a second; each Enter       30 / 12
            opens a line and pushes the lines below down
  reading   still again, the caret blinking                       60 / 20
  scrolling wheel steps of 3 lines, 2.5 a second, in two bursts   20 / 8
  video     a 640x360 window playing a video (videotestsrc        15 / 5
            zone-plate, every pixel moving) opens, plays, closes
  idle      still, the caret blinking (looking, talking)         115 / 35

The editor is a textoverlay (DejaVu Sans Mono 13) fed by a subtitle
stream (SRT) that this script writes: a cue per state of the text, so the
changes happen exactly when the script says. Every change happens 50 ms
past a multiple of 100 ms, between two frames, so the first frame showing
it is unambiguous. The caret's blinks are listed but are not changes the
model needs: they come and go in place.

Needs gst-launch-1.0 with the geminilive plugin (GST_PLUGIN_PATH), and the
Debian packages gstreamer1.0-plugins-base (subparse, textoverlay,
videotestsrc, compositor) and -good (pngenc, pngdec, multifile).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True

WIDTH, HEIGHT, FPS = 1280, 720, 10
ROWS = 28  # text lines on the editor's page
TYPING_CPS = 6  # characters a second
SCROLL_LINES = 3
SCROLL_STEP_MS = 400
BLINK_MS = 500  # caret on, then off, this long each (--blink-ms)
CARETS = {"thin": "\u258f", "block": "\u2588"}  # an editor's bar, a terminal's block (--caret)
BLINK_RESTART_MS = 500  # after the last key, the caret starts blinking again
VIDEO_RECT = (600, 300, 640, 360)  # x, y, width, height
TOKENS_PER_FRAME = 258  # a frame at the default media resolution
TOKENS_PER_FRAME_LOW = 64  # MEDIA_RESOLUTION_LOW
CHANGE_OFFSET_MS = 50  # changes happen between frames
TARGET_REDUCTION = 0.80
TARGET_DELAY_S = 1.0
DEFAULT_KEEPALIVE = 60.0  # the element's

# Five minutes at an editor; --short is the same at a third of the length.
SEGMENTS_FULL = [("still", 60), ("typing", 30), ("reading", 60), ("scrolling", 20), ("video", 15), ("idle", 115)]
SEGMENTS_SHORT = [("still", 20), ("typing", 12), ("reading", 20), ("scrolling", 8), ("video", 5), ("idle", 35)]

TYPED = [
    "    // Send a frame only when the screen changed.",
    "    if (gate.passes(frame)) session.send(frame);",
    "    frames_sent++;",
]


def document():
    """A source file of 200 lines to look at and scroll through."""
    lines = ["// SPDX-License-Identifier: LGPL-2.1-or-later", "#include \"capture.h\"", ""]
    for n in range(1, 26):
        lines += [
            f"static int step_{n}(struct capture *c, int frame) {{",
            f"    int changed = compare(c->last, c->grid, {n * 7});",
            f"    if (changed == 0 || frame % {n + 2} == 0)",
            "        return 0;",
            f"    c->count[{n}] += changed;",
            f"    log_debug(\"step {n}: %d cells\", changed);",
            "    return changed;",
            "}",
        ]
    return lines[:200]


class Timeline:
    """The text on screen over time, the changes a model should see, and
    the caret's blinks; times in ms."""

    def __init__(self, segments, caret):
        self.caret = CARETS[caret]
        self.segments = []
        t = 0
        for name, seconds in segments:
            self.segments.append((name, t, t + seconds * 1000))
            t += seconds * 1000
        self.duration_ms = t
        self.events = []  # (ms, kind, what)
        self.blinks = []
        self.states = []  # (ms, top, lines, caret line, caret column or None, caret on)
        self.video = None  # (start ms, end ms)

    def segment(self, name):
        return next((s, e) for n, s, e in self.segments if n == name)


def build_timeline(segments, blink_ms=BLINK_MS, caret="thin"):
    if blink_ms % 100:
        sys.exit("--blink-ms: want a multiple of 100 (the session's frames are 100 ms apart)")
    tl = Timeline(segments, caret)
    doc = document()
    cursor = 24  # the caret is at the end of this line
    top = 0
    caret_on = True
    last_key = -10_000
    # Enter opens a line below the caret's, then the line is typed.
    typed = [c for line in TYPED for c in ["\n"] + list(line)]
    typing_start, typing_end = tl.segment("typing")
    scroll_start, scroll_end = tl.segment("scrolling")
    video_start, video_end = tl.segment("video")
    key_ms = 1000 / TYPING_CPS
    typed = typed[:int((typing_end - typing_start - 1000) / key_ms)]  # what fits in the segment
    keys = {typing_start + 500 + round(k * key_ms / 100) * 100 + CHANGE_OFFSET_MS: ch
            for k, ch in enumerate(typed)}
    assert max(keys) < typing_end, "the typing does not fit its segment"
    burst = (scroll_end - scroll_start) // 2
    steps = set()
    for b in range(2):
        start = scroll_start + b * burst + 500
        steps.update(start + k * SCROLL_STEP_MS + CHANGE_OFFSET_MS
                     for k in range(int((burst - 1500) // SCROLL_STEP_MS)))
    tl.video = (video_start + CHANGE_OFFSET_MS, video_end - 1000 + CHANGE_OFFSET_MS)

    for ms in range(CHANGE_OFFSET_MS, tl.duration_ms, 100):
        if ms in keys:
            ch = keys[ms]
            if ch == "\n":
                doc.insert(cursor + 1, "")
                cursor += 1
                tl.events.append((ms, "keystroke", "Enter"))
            else:
                doc[cursor] += ch
                tl.events.append((ms, "keystroke", ch))
            last_key = ms
            caret_on = True
            if cursor >= top + ROWS:
                top = cursor - ROWS + 1
        elif ms in steps and top + ROWS < len(doc):
            top = min(top + SCROLL_LINES, len(doc) - ROWS)
            tl.events.append((ms, "scroll", f"to line {top + 1}"))
        elif ms - last_key >= BLINK_RESTART_MS and (ms - last_key - BLINK_RESTART_MS) % blink_ms < 100 \
                and top <= cursor < top + ROWS:
            caret_on = not caret_on
            tl.blinks.append(ms)
        tl.states.append((ms, top, list(doc[top:top + ROWS]), cursor, caret_on))
    tl.events.append((tl.video[0], "video-open", "a video window opens and plays"))
    for ms in range(tl.video[0] + 100, tl.video[1], 100):
        tl.events.append((ms, "video-frame", "the video plays"))
    tl.events.append((tl.video[1], "video-close", "the video window closes"))
    tl.events.sort()
    return tl


def screen_text(state, caret):
    _, top, lines, cursor, caret_on = state
    shown = list(lines)
    if top <= cursor < top + ROWS and caret_on:
        shown[cursor - top] += caret
    # A line of one space keeps empty lines from collapsing.
    return "\n".join(line if line else " " for line in shown)


def srt_time(ms):
    return f"{ms // 3600000:02}:{ms // 60000 % 60:02}:{ms // 1000 % 60:02},{ms % 1000:03}"


def write_srt(tl, path):
    cues = []
    text = None
    for state in tl.states:
        t = screen_text(state, tl.caret)
        if t != text:
            cues.append([state[0], t])
            text = t
    cues[0][0] = 0
    with open(path, "w", encoding="utf-8") as f:
        for i, (ms, t) in enumerate(cues):
            end = cues[i + 1][0] if i + 1 < len(cues) else tl.duration_ms + 1000
            f.write(f"{i + 1}\n{srt_time(ms)} --> {srt_time(end)}\n{t}\n\n")
    return len(cues)


def gst_launch():
    exe = shutil.which("gst-launch-1.0")
    if not exe:
        sys.exit("gst-launch-1.0 is missing: Debian package gstreamer1.0-tools")
    return exe


def render_description(tl, srt):
    """gst-launch-1.0 arguments of the session's screen, up to the raw
    frames (the compositor named screen)."""
    frames = tl.duration_ms * FPS // 1000
    x, y, w, h = VIDEO_RECT
    video_frames = (tl.video[1] - tl.video[0]) * FPS // 1000
    return ["videotestsrc", "pattern=solid-color", "foreground-color=0xfff6f6f2", f"num-buffers={frames}", "!",
            f"video/x-raw,format=BGRx,width={WIDTH},height={HEIGHT},framerate={FPS}/1", "!",
            "textoverlay", "name=editor", "font-desc=DejaVu Sans Mono 13", "auto-resize=false",
            "halignment=left", "valignment=top", "line-alignment=left", "xpad=24", "ypad=16",
            "shaded-background=false", "draw-shadow=false", "draw-outline=false", "color=0xff202020",
            "wrap-mode=none", "!", "compositor", "name=screen", "background=white",
            f"sink_1::xpos={x}", f"sink_1::ypos={y}", "sink_1::zorder=2", "sink_0::zorder=1",
            "filesrc", f"location={srt}", "!", "subparse", "!", "editor.text_sink",
            # The video window: there only while its frames last.
            "videotestsrc", "pattern=zone-plate", "kx2=20", "ky2=20", "kt=3", f"num-buffers={video_frames}",
            f"timestamp-offset={tl.video[0] * 1000000}", "!",
            f"video/x-raw,width={w},height={h},framerate={FPS}/1", "!", "screen.",
            "screen.", "!", f"video/x-raw,width={WIDTH},height={HEIGHT}"]


def truth_of(tl, cues):
    return {
        "width": WIDTH, "height": HEIGHT, "fps": FPS, "duration_s": tl.duration_ms / 1000,
        "segments": [{"name": n, "start_s": s / 1000, "end_s": e / 1000} for n, s, e in tl.segments],
        "changes": [{"t_s": ms / 1000, "kind": kind, "what": what} for ms, kind, what in tl.events],
        "caret_blinks_s": [ms / 1000 for ms in tl.blinks],
        "cues": cues,
    }


def record(directory, short, blink_ms=BLINK_MS, caret="thin"):
    os.makedirs(os.path.join(directory, "frames"), exist_ok=True)
    tl = build_timeline(SEGMENTS_SHORT if short else SEGMENTS_FULL, blink_ms, caret)
    srt = os.path.join(directory, "editor.srt")
    cues = write_srt(tl, srt)
    argv = [gst_launch(), "-q"] + render_description(tl, srt) + [
        "!", "videoconvert", "!", "pngenc", "compression-level=1", "snapshot=false", "!",
        "multifilesink", "location=" + os.path.join(directory, "frames", "%05d.png")]
    subprocess.run(argv, check=True)
    frames = tl.duration_ms * FPS // 1000
    written = len([n for n in os.listdir(os.path.join(directory, "frames")) if n.endswith(".png")])
    if written != frames:
        sys.exit(f"the recording has {written} frames, want {frames}")
    truth = truth_of(tl, cues)
    with open(os.path.join(directory, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=1)
    return truth


PTS_RE = re.compile(r"pts: (\d+):(\d\d):(\d\d)\.(\d{9})")
STATS_RE = re.compile(r"geminilive/change-gate, frames-in=\(guint64\)(\d+), frames-passed=\(guint64\)(\d+), "
                      r"frames-unchanged=\(guint64\)(\d+), frames-over-rate=\(guint64\)(\d+)")


def run_gate(source, rate, gate_props):
    """Runs `source` (gst-launch-1.0 arguments up to raw frames) through the
    capture chain; the passed frames' times (s) and the element's counts."""
    argv = [gst_launch(), "-m", "-v"] + source + [
        "!", "videoconvert", "!", "videorate", "!", f"video/x-raw,framerate={rate}/1", "!",
        "geminilivechangegate", "name=gate"] + gate_props + [
        "!", "fakesink", "name=model", "silent=false", "sync=false"]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    text = out.stdout.decode(errors="replace")
    if out.returncode != 0:
        sys.exit("gst-launch-1.0 failed:\n" + text[-3000:])
    passed = []
    for line in text.splitlines():
        if "/GstFakeSink:model: last-message = chain" in line:
            m = PTS_RE.search(line)
            passed.append(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)) + int(m.group(4)) / 1e9)
    stats = STATS_RE.search(text)
    if not stats:
        sys.exit("no geminilive/change-gate message at EOS:\n" + text[-3000:])
    counts = dict(zip(("in", "passed", "unchanged", "over_rate"), (int(g) for g in stats.groups())))
    if counts["passed"] != len(passed):
        sys.exit(f"the element counted {counts['passed']} passed, the sink got {len(passed)}")
    return passed, counts


def recorded_source(directory):
    with open(os.path.join(directory, "truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    return truth, ["multifilesrc", "location=" + os.path.join(directory, "frames", "%05d.png"), "index=0",
                   f"caps=image/png,framerate={truth['fps']}/1", "!", "pngdec"]


def measure(truth, source, rate, gate_props):
    passed, counts = run_gate(source, rate, gate_props)
    delays = []
    for change in truth["changes"]:
        after = [p for p in passed if p >= change["t_s"]]
        delays.append((change, after[0] - change["t_s"] if after else None))
    rows = []
    for seg in truth["segments"]:
        inside = lambda t, s=seg: s["start_s"] <= t < s["end_s"]  # noqa: E731
        seg_delays = [d for c, d in delays if inside(c["t_s"])]
        seconds = seg["end_s"] - seg["start_s"]
        rows.append({
            "segment": seg["name"], "start_s": seg["start_s"], "end_s": seg["end_s"], "seconds": seconds,
            "frames_in": round(seconds * rate),
            "passed": sum(1 for p in passed if inside(p)), "baseline": round(seconds),
            "changes": len(seg_delays),
            "max_delay_s": max((d for d in seg_delays if d is not None), default=None),
            "missed": sum(1 for d in seg_delays if d is None),
            "blinks": sum(1 for b in truth["caret_blinks_s"] if inside(b)),
        })
    baseline = round(truth["duration_s"])
    kinds = {}
    for change, d in delays:
        k = kinds.setdefault(change["kind"], {"count": 0, "max_delay_s": 0.0, "sum": 0.0, "missed": 0})
        k["count"] += 1
        if d is None:
            k["missed"] += 1
        else:
            k["max_delay_s"] = max(k["max_delay_s"], d)
            k["sum"] += d
    for k in kinds.values():
        k["mean_delay_s"] = k.pop("sum") / max(1, k["count"] - k["missed"])
    slow = [{"t_s": c["t_s"], "kind": c["kind"], "what": c["what"], "delay_s": d}
            for c, d in delays if d is None or d > TARGET_DELAY_S + 1e-9]
    result = {
        "slow": slow, "change_times_s": [c["t_s"] for c in truth["changes"]],
        "gate": " ".join(gate_props) or "defaults", "rate": rate, "duration_s": truth["duration_s"],
        "counts": counts, "baseline_frames": baseline, "passed_times_s": passed,
        "reduction": 1 - counts["passed"] / baseline, "segments": rows, "kinds": kinds,
        "max_delay_s": max((d for _, d in delays if d is not None), default=0.0),
        "missed": sum(1 for _, d in delays if d is None),
        "tokens_saved": (baseline - counts["passed"]) * TOKENS_PER_FRAME,
        "tokens_saved_low": (baseline - counts["passed"]) * TOKENS_PER_FRAME_LOW,
    }
    return result


def fmt_delay(d):
    return "–" if d is None else f"{d:.2f} s"


def report(r):
    lines = [f"gate: {r['gate']}; the recording at {r['rate']} frames/s into the gate; "
             f"{r['duration_s']:g} s of screen", "",
             "| segment | seconds | frames into the gate | frames passed | 1 fps would send | changes | "
             "longest delay | caret blinks |",
             "|---|---|---|---|---|---|---|---|"]
    for s in r["segments"]:
        lines.append(f"| {s['segment']} | {s['seconds']:g} | {s['frames_in']} | {s['passed']} | {s['baseline']} | "
                     f"{s['changes']} | {fmt_delay(s['max_delay_s'])} | {s['blinks']} |")
    c = r["counts"]
    lines.append(f"| **total** | {r['duration_s']:g} | {c['in']} | **{c['passed']}** | {r['baseline_frames']} | "
                 f"{sum(s['changes'] for s in r['segments'])} | **{fmt_delay(r['max_delay_s'])}** | "
                 f"{sum(s['blinks'] for s in r['segments'])} |")
    lines += ["", "| change | count | mean delay | longest delay |", "|---|---|---|---|"]
    for kind, k in r["kinds"].items():
        lines.append(f"| {kind} | {k['count']} | {k['mean_delay_s']:.2f} s | {k['max_delay_s']:.2f} s"
                     + (f" ({k['missed']} never passed)" if k["missed"] else "") + " |")
    if r["slow"]:
        shown = ", ".join(f"{x['kind']} {x['what']!r} at {x['t_s']:g} s ({fmt_delay(x['delay_s'])})"
                          for x in r["slow"][:8])
        more = f" and {len(r['slow']) - 8} more" if len(r["slow"]) > 8 else ""
        lines += ["", f"slower than 1 s: {shown}{more}"]
    lines += ["",
              f"frames sent: {c['passed']} instead of {r['baseline_frames']} at 1 fps: "
              f"{100 * r['reduction']:.1f} % fewer; the element dropped {c['unchanged']} unchanged and "
              f"{c['over_rate']} over max-fps",
              f"tokens saved: {r['tokens_saved']} at {TOKENS_PER_FRAME} a frame (default media resolution), "
              f"{r['tokens_saved_low']} at {TOKENS_PER_FRAME_LOW} (low)",
              f"every change passed within {fmt_delay(r['max_delay_s'])}" +
              (f"; {r['missed']} never passed" if r["missed"] else "")]
    return "\n".join(lines)


def caret_frames(r, keepalive):
    """Frames passed though nothing but the caret changed since the frame
    before: neither the first nor a keepalive. The compositor shows the
    video window's first picture on the frame before its start (its frames
    are timed 50 ms past it): a change up to a frame after counts."""
    times = r["passed_times_s"]
    changes = r["change_times_s"]
    late = 1 / FPS + 1e-6
    return [t for i, t in enumerate(times) if i > 0 and t - times[i - 1] < keepalive - 1e-6
            and not any(times[i - 1] < c <= t + late for c in changes)]


def check(r, keepalive, reduction=TARGET_REDUCTION):
    """What misses the targets: `reduction` fewer frames than 1 fps, every
    change within 1 s, no frame for the caret."""
    problems = []
    if r["reduction"] < reduction:
        problems.append(f"only {100 * r['reduction']:.1f} % fewer frames than 1 fps (want >= {100 * reduction:g} %)")
    if r["missed"]:
        problems.append(f"{r['missed']} changes never passed")
    for kind, k in r["kinds"].items():
        if k["max_delay_s"] > TARGET_DELAY_S + 1e-9:
            problems.append(f"a {kind} took {k['max_delay_s']:.2f} s to pass (want <= {TARGET_DELAY_S:g} s)")
    extra = caret_frames(r, keepalive)
    if extra:
        problems.append(f"{len(extra)} frames passed for the caret alone, at " + ", ".join(f"{t:g} s" for t in extra))
    return problems


def run_session(short, props, rate=2, blink_ms=BLINK_MS, caret="thin"):
    tl = build_timeline(SEGMENTS_SHORT if short else SEGMENTS_FULL, blink_ms, caret)
    with tempfile.TemporaryDirectory(prefix="screen-session-") as scratch:
        srt = os.path.join(scratch, "editor.srt")
        truth = truth_of(tl, write_srt(tl, srt))
        return measure(truth, render_description(tl, srt), rate, props)


def self_test():
    """The test suite's run (tests/pipelines/meson.build), all at the
    element's defaults: the short session with a thin caret and with a
    block caret, then the full session."""
    problems = []
    # The short session has too little still time for 80 % (77 % at best
    # with every change within 1 s): 70 % there, 80 % on the full one.
    for name, short, caret, reduction in (("short, thin caret", True, "thin", 0.70),
                                          ("short, block caret", True, "block", 0.70),
                                          ("full, thin caret", False, "thin", TARGET_REDUCTION)):
        r = run_session(short, [], caret=caret)
        print(f"{name}:\n" + report(r) + "\n")
        problems += [f"{name}: " + p for p in check(r, DEFAULT_KEEPALIVE, reduction)]
    for p in problems:
        print("FAIL: " + p)
    if not problems:
        print("ok: at the defaults every change within 1 s, no frame for a thin or a block caret; at least 70 % "
              "fewer frames than 1 fps on the short session, 80 % on the full one")
    return 1 if problems else 0


def gate_props(args):
    props = []
    for name in ("threshold", "tolerance", "settle", "keepalive", "max_fps"):
        value = getattr(args, name)
        if value is not None:
            props.append(f"{name.replace('_', '-')}={value}")
    return props


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("dir")
    rec.add_argument("--short", action="store_true")
    sub.add_parser("test", help="the test suite's checks (the short session with each caret, the full one)")
    for p in (sub.add_parser("measure"), sub.add_parser("run")):
        if p.prog.endswith("measure"):
            p.add_argument("dir")
        else:
            p.add_argument("--short", action="store_true")
        p.add_argument("--rate", type=int, default=2, help="frames a second into the gate (default 2)")
        p.add_argument("--threshold", type=float)
        p.add_argument("--tolerance", type=int)
        p.add_argument("--settle", type=float)
        p.add_argument("--keepalive", type=float)
        p.add_argument("--max-fps", type=float)
        p.add_argument("--check", action="store_true",
                       help="exit 1 unless >= 80 %% fewer frames, every change within 1 s")
        p.add_argument("--json", help="also write the result here")
    for p in (rec, sub.choices["run"]):
        p.add_argument("--caret", choices=sorted(CARETS), default="thin",
                       help="the editor's thin bar (default) or a terminal's block")
        p.add_argument("--blink-ms", type=int, default=BLINK_MS,
                       help=f"the caret's on time and off time (default {BLINK_MS}, a multiple of 100)")
    args = parser.parse_args()

    if args.command == "record":
        truth = record(args.dir, args.short, args.blink_ms, args.caret)
        print(f"{args.dir}: {truth['duration_s']:g} s, {len(truth['changes'])} changes, "
              f"{len(truth['caret_blinks_s'])} caret blinks, {truth['cues']} subtitle cues")
        return 0
    if args.command == "test":
        return self_test()
    if args.command == "measure":
        truth, source = recorded_source(args.dir)
        result = measure(truth, source, args.rate, gate_props(args))
    else:
        result = run_session(args.short, gate_props(args), args.rate, args.blink_ms, args.caret)
    print(report(result))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    if args.check:
        problems = check(result, args.keepalive if args.keepalive is not None else DEFAULT_KEEPALIVE)
        for p in problems:
            print("FAIL: " + p)
        if problems:
            return 1
        print("ok: at least 80 % fewer frames than 1 fps; every change within 1 s; no frame for the caret")
    return 0


if __name__ == "__main__":
    sys.exit(main())
