# SPDX-License-Identifier: LGPL-2.1-or-later
"""The expect= checks of a pipeline-test marker: what the server received and
what the pipeline produced (the list: run_doc_pipelines.py's docstring)."""

import math
import os
import re
import shutil
import subprocess
import wave

from doc_markers import unquote
from harness import REPLY_RATE, reply_pcm_bytes, tail

SPEAKER_PERIOD_S = 0.020  # geminilivesrc period-time default
COUNTERS = {"frames", "audio", "texts", "turns"}


def compare(value, op, expected):
    return {"=": value == expected, ">=": value >= expected, ">": value > expected}[op]


CHAIN_RE = re.compile(r"/Gst\w+:([^:/ ]+): last-message = chain .*?\((\d+) bytes, .*?"
                      r"duration: ([0-9:.]+|none), .*?flags: [0-9a-f]+ ([^,]*),")


def parse_clock(text):
    h, m, s = text.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def played_seconds(lines, speakers):
    """Seconds of non-gap audio that reached the substituted speakers."""
    total = 0.0
    for line in lines:
        m = CHAIN_RE.search(line)
        if not m or m.group(1) not in speakers or "gap" in m.group(4).split():
            continue
        if m.group(3) != "none":
            total += parse_clock(m.group(3))
        else:
            total += int(m.group(2)) / (REPLY_RATE * 2)
    return total


def check(marker, workdir, run, server, timing, env):
    problems = []
    notes = []
    replies = server["replies"]
    reply = " ".join(replies)
    reply_bytes = sum(reply_pcm_bytes(r) for r in replies)
    for item in marker["expect"]:
        m = re.fullmatch(r"(\w+)\s*(>=|>|=)\s*(\d+)", item)
        if m and m.group(1) in COUNTERS:
            name, op, n = m.group(1), m.group(2), int(m.group(3))
            if not compare(server[name], op, n):
                problems.append(f"{item}: the server counted {name}={server[name]}")
            continue
        m = re.fullmatch(r"fps\s*>=\s*([0-9.]+)", item)
        if m:
            need = math.floor(float(m.group(1)) * timing)
            if server["frames"] < need:
                problems.append(f"{item}: {server['frames']} frames in {timing:.1f} s of PLAYING, need {need}")
            continue
        key, eq, value = item.partition("=")
        value = unquote(value.strip())
        key = key.strip()
        if not eq and key == "answer-played":
            if not reply_bytes:
                problems.append("answer-played: the server sent no reply")
                continue
            want = reply_bytes / (REPLY_RATE * 2)
            got = played_seconds(run.lines, run.speakers)
            if got < want - 0.001 or got > want + 2 * SPEAKER_PERIOD_S + 0.001:
                problems.append(f"answer-played: the speaker got {got:.3f} s of answer, the reply is {want:.3f} s")
            else:
                notes.append(f"{got:.2f} s of answer played")
            continue
        if not eq:
            problems.append(f"{item}: unknown check")
            continue
        if key == "jpeg":
            sizes = re.findall(r"(?:the last a|frames?, a) (\d+x\d+) (\S+?)\.", reply)
            if not sizes or sizes[-1] != (value, "JPEG"):
                problems.append(f"{item}: the server's reply says {sizes[-1] if sizes else 'no frame'}")
            continue
        if key == "reply":
            if reply != value:
                problems.append(f"{item}: the server replied {reply!r}")
            continue
        path = os.path.join(workdir, key)
        if not os.path.isfile(path):
            problems.append(f"{key}: the pipeline made no such file")
            continue
        if value == "reply-audio":
            try:
                with wave.open(path) as w:
                    fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
                    data = w.readframes(w.getnframes())
            except (wave.Error, EOFError) as e:
                problems.append(f"{key}: not a WAV file ({e})")
                continue
            if fmt != (REPLY_RATE, 1, 2):
                problems.append(f"{key}: {fmt[0]} Hz, {fmt[1]} channels, {8 * fmt[2]} bits; want 24000 Hz mono S16")
            elif len(data) != reply_bytes or not reply_bytes:
                problems.append(f"{key}: {len(data)} bytes of audio; the server sent {reply_bytes} "
                                f"(reply {reply!r})")
            else:
                samples = memoryview(data).cast("h")
                rms = math.sqrt(sum(s * s for s in samples) / len(samples))
                if rms < 500:
                    problems.append(f"{key}: the audio is silent (RMS {rms:.0f})")
                else:
                    notes.append(f"{key} {len(data)} bytes")
            continue
        if value in ("reply", "heard"):
            with open(path, encoding="utf-8", errors="replace") as f:
                content = f.read()
            want = expected_text(value, reply)
            if not want or content != want:
                problems.append(f"{key}: holds {content!r}, want {want!r}")
            continue
        kind, colon, items = value.partition(":")
        if colon and kind == "streams":
            want = sorted(items.split("+"))
            got, error = discovered_streams(path, env)
            if error:
                problems.append(f"{key}: {error}")
            elif got != want:
                problems.append(f"{key}: gst-discoverer-1.0 finds {'+'.join(got) or 'no stream'}, want {items}")
            else:
                notes.append(f"{key} {'+'.join(got)}")
            continue
        m = re.fullmatch(r"fps\s*>=\s*([0-9.]+)", value)
        if m:
            need = math.floor(float(m.group(1)) * timing)
            frames, duration, error = recorded_video(path, workdir, env)
            if error:
                problems.append(f"{key}: {error}")
            elif frames < need or duration < (need - 1) / float(m.group(1)):
                problems.append(f"{key}: {frames} video frames over {duration:.2f} s in {timing:.1f} s of PLAYING, "
                                f"need {need} frames")
            else:
                notes.append(f"{key} {frames} video frames, {duration:.2f} s")
            continue
        if colon and kind == "subtitles":
            texts = items.split("+")
            got, error = subtitle_tracks(path, len(texts), workdir, env)
            if error:
                problems.append(f"{key}: {error}")
                continue
            bad = [n for n, (text, content) in enumerate(zip(texts, got)) if content != expected_text(text, reply)]
            for n in bad:
                problems.append(f"{key}: subtitle track {n} holds {got[n]!r}, "
                                f"want {expected_text(texts[n], reply)!r} ({texts[n]})")
            if not bad:
                notes.append(f"{key} subtitles {'+'.join(texts)}")
            continue
        problems.append(f"{item}: unknown check")
    return problems, notes


def expected_text(kind, reply):
    """What a file of the reply (kind "reply") or of the input transcription
    (kind "heard") holds, for the server's reply text."""
    if kind == "reply":
        return reply
    if kind == "heard":
        return "".join(f"({s} seconds of speech)" for s in re.findall(r"I heard ([0-9.]+) seconds", reply))
    return None


def discovered_streams(path, env):
    """The kinds of stream (video, audio, subtitles) gst-discoverer-1.0 finds, sorted."""
    if not shutil.which("gst-discoverer-1.0"):
        return [], ("gst-discoverer-1.0 is missing: install the Debian package gstreamer1.0-plugins-base-apps "
                    "(tools/setup installs it)")
    r = subprocess.run(["gst-discoverer-1.0", path], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    text = r.stdout.decode(errors="replace")
    if r.returncode != 0 or "Properties:" not in text:
        return [], "gst-discoverer-1.0 cannot read it: " + tail(text, 4).strip()
    return sorted(re.findall(r"^\s+(video|audio|subtitles) #\d+:", text, re.M)), None


def recorded_video(path, workdir, env):
    """The frames of the first video track of a Matroska file (demuxed and
    counted, as a parse pipeline would), and the file's duration in seconds
    as gst-discoverer-1.0 reports it."""
    if not shutil.which("gst-discoverer-1.0"):
        return 0, 0.0, ("gst-discoverer-1.0 is missing: install the Debian package gstreamer1.0-plugins-base-apps "
                        "(tools/setup installs it)")
    r = subprocess.run(["gst-discoverer-1.0", path], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    text = r.stdout.decode(errors="replace")
    m = re.search(r"^\s*Duration: (\d+:\d+:[0-9.]+)", text, re.M)
    if r.returncode != 0 or not m:
        return 0, 0.0, "gst-discoverer-1.0 gives no duration: " + tail(text, 4).strip()
    argv = ["gst-launch-1.0", "-v", "filesrc", f"location={path}", "!", "matroskademux", "name=d", "d.video_0", "!",
            "fakesink", "name=frames", "silent=false"]
    r = subprocess.run(argv, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0:
        return 0, 0.0, "cannot demux its video track: " + tail(out, 4).strip()
    frames = len(re.findall(r"/GstFakeSink:frames: last-message = chain ", out))
    h, mi, sec = m.group(1).split(":")
    return frames, int(h) * 3600 + int(mi) * 60 + float(sec), None


def subtitle_tracks(path, count, workdir, env):
    """The text of the first `count` subtitle tracks of a Matroska file."""
    outs = [os.path.join(workdir, f"subtitle-{n}.txt") for n in range(count)]
    argv = ["gst-launch-1.0", "-q", "filesrc", f"location={path}", "!", "matroskademux", "name=d"]
    for n, out in enumerate(outs):
        argv += [f"d.subtitle_{n}", "!", "queue", "!", "filesink", f"location={out}"]
    r = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    if r.returncode != 0:
        return [], f"cannot demux {count} subtitle tracks: " + tail(r.stdout.decode(errors="replace"), 4).strip()
    texts = []
    for out in outs:
        with open(out, encoding="utf-8", errors="replace") as f:
            texts.append(f.read())
    return texts, None
