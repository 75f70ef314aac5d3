#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How many browsers one geminilive-relay keeps in real time (docs/relay.md).

Starts geminilive-relay (its bundled local server, which answers at 4x real
time like the service), opens N clients that speak the tutorial's protocol
exactly, and has each ask one spoken question in real time: 40 ms chunks of
16 kHz PCM (1.5 s of a tone, then quiet) and a 1024x576 JPEG a second, as
our page sends them, from the moment its session is ready. For each it
measures:

- the answer's delay: from the sending of the chunk that completes 0.6 s of
  quiet after the speech (the local server's end-of-speech rule) to the
  first {"audio"} of the answer;
- the answer's arrival rate: seconds of 24 kHz audio received per second of
  wall time, from its first chunk to its last (>= 1: the page's player never
  runs dry);
- how late this script itself sent its chunks (so an overloaded client is
  not blamed on the relay).

  /usr/bin/python3 tests/browser/relay_scale.py --relay build/tools/relay/geminilive-relay --sessions 50

Needs python3-gi and gir1.2-soup-3.0 (tools/setup installs them). Prints one
line per figure and "real time: yes|no".
"""

import argparse
import base64
import json
import math
import os
import re
import resource
import signal
import statistics
import struct
import subprocess
import sys
import time

try:
    import gi

    gi.require_version("Soup", "3.0")
    from gi.repository import GLib, Soup  # noqa: E402
except (ImportError, ValueError) as e:
    sys.exit(f"relay_scale.py needs Debian's python3 with python3-gi and gir1.2-soup-3.0 ({e}): "
             "run it as /usr/bin/python3 tests/browser/relay_scale.py")

CHUNK_S = 0.04
SPEECH_S = 1.5
END_OF_SPEECH_S = 0.6  # the local server's quiet that ends a turn


def chunk_message(tone):
    n = int(16000 * CHUNK_S)
    samples = [int(9000 * math.sin(2 * math.pi * 200 * i / 16000)) if tone else 0 for i in range(n)]
    pcm = struct.pack("<%dh" % n, *samples)
    return json.dumps({"realtime_input": {"media_chunks": [
        {"mime_type": "audio/pcm", "data": base64.b64encode(pcm).decode()}]}})


SPEECH, QUIET = chunk_message(True), chunk_message(False)


def frame_message():
    """A 1024x576 JPEG of a test pattern, as the page sends one a second."""
    jpeg = subprocess.run(
        ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=1", "pattern=smpte", "!",
         "video/x-raw,width=1024,height=576", "!", "jpegenc", "!", "fdsink", "fd=1"],
        stdout=subprocess.PIPE, check=True).stdout
    return json.dumps({"realtime_input": {"media_chunks": [
        {"mime_type": "image/jpeg", "data": base64.b64encode(jpeg).decode()}]}}), len(jpeg)


class Client:
    def __init__(self, session, url, seconds, frame):
        self.seconds = seconds
        self.frame = frame  # sent once a second, or None
        self.frames_sent = 0
        self.conn = None
        self.ready_at = None
        self.sent = 0
        self.max_late = 0.0
        self.first_audio = self.last_audio = None
        self.audio_bytes = 0
        self.error = None
        msg = Soup.Message.new("GET", url)
        session.websocket_connect_async(msg, None, None, GLib.PRIORITY_DEFAULT, None, self.on_connected)

    def on_connected(self, session, result):
        try:
            self.conn = session.websocket_connect_finish(result)
        except GLib.Error as e:
            self.error = e.message
            return
        self.conn.set_max_incoming_payload_size(0)
        self.conn.connect("message", self.on_message)
        self.conn.connect("closed", lambda c: setattr(self, "error", self.error or "closed"))
        self.conn.send_text(json.dumps({"setup": {"generation_config": {"response_modalities": ["AUDIO"]}}}))

    def on_message(self, conn, kind, data):
        m = json.loads(data.get_data())
        now = time.monotonic()
        if "audio" in m:
            self.first_audio = self.first_audio or now
            self.last_audio = now
            self.audio_bytes += len(base64.b64decode(m["audio"]))
        elif m.get("type") == "state" and m.get("state") == "ready" and self.ready_at is None:
            self.ready_at = now
        elif m.get("type") == "error":
            self.error = m.get("message")

    def tick(self, now):
        """Sends the chunks due by now; False once done."""
        if self.ready_at is None or self.error:
            return self.error is None
        due = min(int((now - self.ready_at) / CHUNK_S) + 1, int(self.seconds / CHUNK_S))
        while self.sent < due:
            self.max_late = max(self.max_late, now - (self.ready_at + self.sent * CHUNK_S))
            self.conn.send_text(SPEECH if self.sent * CHUNK_S < SPEECH_S else QUIET)
            if self.frame and self.sent % 25 == 0:
                self.conn.send_text(self.frame)
                self.frames_sent += 1
            self.sent += 1
        return self.sent < int(self.seconds / CHUNK_S)

    def delay(self):
        if not self.first_audio:
            return None
        # Sent at the start of its 40 ms: the chunk that completes the quiet.
        speech_chunks = math.ceil(SPEECH_S / CHUNK_S)
        completing = speech_chunks + math.ceil(END_OF_SPEECH_S / CHUNK_S) - 1
        return self.first_audio - (self.ready_at + completing * CHUNK_S)

    def rate(self):
        if not self.first_audio or self.last_audio == self.first_audio:
            return None
        return (self.audio_bytes / 48000) / (self.last_audio - self.first_audio)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--relay", required=True)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10, help="audio each client sends")
    parser.add_argument("--no-frames", action="store_true", help="audio only (default: a 1024x576 JPEG a second too)")
    args = parser.parse_args()
    frame = None
    if not args.no_frames:
        frame, size = frame_message()
        print(f"each client also sends a {size // 1024} KiB 1024x576 JPEG a second")

    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "GOOGLE_API_KEY")}
    relay = subprocess.Popen([args.relay, "--port", "0", "--max-sessions", str(args.sessions)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    url = relay.stdout.readline().decode().strip().replace("http://", "ws://")
    session = Soup.Session()
    session.set_timeout(0)
    clients = [Client(session, url, args.seconds, frame) for _ in range(args.sessions)]
    context = GLib.MainContext.default()
    deadline = time.monotonic() + args.seconds + 30
    started = time.monotonic()
    while time.monotonic() < deadline:
        now = time.monotonic()
        busy = [c.tick(now) for c in clients]
        answered = all(c.error or (c.last_audio and now - c.last_audio > 2) for c in clients)
        if not any(busy) and answered:
            break
        while context.iteration(False):
            pass
        time.sleep(0.005)
    for c in clients:
        if c.conn:
            c.conn.close(1000, None)
    relay.send_signal(signal.SIGINT)
    _, err = relay.communicate(timeout=30)
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime
    print(f"relay (with its local server): {cpu:.1f} s of CPU in {wall:.1f} s ({cpu / wall:.2f} cores), "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB")
    stops = []
    for line in err.decode().splitlines():
        if "the local server received" in line:
            print(line)
        m = re.search(r"\(stopped in (\d+) ms\)", line)
        if m:
            stops.append(int(m.group(1)))
    if stops:
        print(f"a session's pipeline stopped (to NULL) in: median {statistics.median(stops)} ms, max {max(stops)} ms")

    errors = [c.error for c in clients if c.error and c.error != "closed"]
    delays = [c.delay() for c in clients if c.delay() is not None]
    rates = [c.rate() for c in clients if c.rate() is not None]
    late = max(c.max_late for c in clients)
    print(f"sessions: {args.sessions}, answered: {len(delays)}, errors: {len(errors)} {errors[:3]}, "
          f"frames sent: {sum(c.frames_sent for c in clients)}")
    if delays:
        print(f"answer delay after end of speech: median {statistics.median(delays) * 1000:.0f} ms, "
              f"p95 {percentile(delays, 95) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms")
    if rates:
        print(f"answer arrival rate (x real time): min {min(rates):.2f}, median {statistics.median(rates):.2f}")
    print(f"this script's own lateness sending chunks: max {late * 1000:.0f} ms")
    ok = (len(delays) == args.sessions and not errors and rates and min(rates) >= 1.0
          and percentile(delays, 95) < 1.0)
    print(f"real time: {'yes' if ok else 'no'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
