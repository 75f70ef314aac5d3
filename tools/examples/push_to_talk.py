#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Push-to-talk and a live change of instructions, in a Python program
(PyGObject).

The pipeline:

    appsrc (16 kHz S16LE mono) ! geminilivesink vad=false response-modality=text
    geminilivesrc stream=text ! appsink

With vad=false the service does not listen for speech: the program says when
the user talks, as a push-to-talk button would. Each turn emits
activity-start, pushes the audio into appsrc, and emits activity-end once the
sink has sent the last of it; the model then answers the audio in between.
The answer is the text geminilivesrc gives (the transcript of the spoken
answer on models that answer aloud, such as the default gemini-3.8-live),
read from the appsink.

It runs two turns. After the first answer it sets the sink's
system-instruction while PLAYING ("Answer in French." by default): the sink
sends a contextUpdate (or, on models without one, resumes on a new
connection with the new instruction), and the second turn is answered under
it. It prints:

    [ready] the session is set up
    [talk 1] activity-start, 1.0 s of audio
    [talk 1] activity-end
    [answer 1] <what the model said>
    [instruction] Answer in French.
    [talk 2] activity-start, 1.0 s of audio
    [talk 2] activity-end
    [answer 2] <what the model said, under the new instruction>

and exits with status 0 (1 on an error, with the reason on stderr).

  GEMINI_API_KEY=... ./push_to_talk.py --wav question.wav      # Google's service
  ./push_to_talk.py --uri ws://127.0.0.1:PORT/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent \\
      --api-key local                                          # the local server

The audio is --wav (16 kHz mono 16-bit), else --seconds of a 440 Hz tone:
the local server says back how much it heard ("I heard 1.0 seconds of audio
at 16000 Hz."); Gemini hears a tone. The key comes from --api-key, else from
GEMINI_API_KEY (the sink reads it); the endpoint from --uri, else
GEMINILIVE_URI, else Google's. Needs the Debian packages python3-gi and
gir1.2-gstreamer-1.0 (appsrc and appsink are driven through their signals).
"""

import argparse
import math
import os
import struct
import sys
import threading
import wave

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

RATE = 16000
CAPS = f"audio/x-raw,format=S16LE,layout=interleaved,rate={RATE},channels=1"
CHUNK = RATE // 50  # samples: 20 ms buffers
LEAD = 100 * Gst.MSECOND  # the first buffer's time, after now

PIPELINE = f"""
    appsrc name=mic is-live=true format=time caps={CAPS} ! s.audio
    geminilivesink name=s vad=false response-modality=text
    geminilivesrc stream=text ! appsink name=answers sync=false emit-signals=true
"""

# A custom event after a turn's last buffer: when it leaves appsrc, the sink
# has taken (and, syncing on the clock, sent) every buffer before it.
TALK_SENT = "push-to-talk/sent"


def tone(seconds):
    """S16LE mono: a 440 Hz sine at a third of full scale."""
    n = int(seconds * RATE)
    return b"".join(struct.pack("<h", int(10000 * math.sin(2 * math.pi * 440 * i / RATE))) for i in range(n))


def read_wav(path):
    with wave.open(path) as w:
        if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (RATE, 1, 2):
            raise ValueError(f"{path} is {w.getframerate()} Hz, {w.getnchannels()} channel(s), "
                             f"{8 * w.getsampwidth()} bits; want 16000 Hz mono 16-bit "
                             f"(sox {path} -r 16000 -c 1 -b 16 out.wav)")
        return w.readframes(w.getnframes())


class App:
    def __init__(self, pipeline, audio, instruction):
        self.pipeline = pipeline
        self.sink = pipeline.get_by_name("s")
        self.mic = pipeline.get_by_name("mic")
        self.audio = audio
        self.instruction = instruction
        self.loop = GLib.MainLoop()
        self.status = 0
        self.turn = 0
        self.answers = []
        # Text from the appsink's streaming thread, and when the turn ended.
        self.lock = threading.Lock()
        self.text = []
        self.turn_ended_at = None  # running time of the turn-complete

        self.pipeline.get_by_name("answers").connect("new-sample", self.on_text)
        self.pipeline.get_by_name("answers").get_static_pad("sink").add_probe(
            Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_answer_event)
        self.mic.get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, self.on_mic_event)

    def running_time(self):
        clock = self.pipeline.get_clock()
        return clock.get_time() - self.pipeline.get_base_time() if clock else 0

    def post(self, name):
        """Hands over from a streaming thread to the main loop."""
        self.pipeline.post_message(Gst.Message.new_application(self.pipeline, Gst.Structure.new_empty(name)))

    # ---- push-to-talk

    def talk(self):
        self.turn += 1
        if not self.sink.emit("activity-start"):
            return self.fail("activity-start was refused")  # the WARNING says why
        print(f"[talk {self.turn}] activity-start, {len(self.audio) / 2 / RATE:.1f} s of audio", flush=True)
        # Stamped from now on: the sink sends each buffer at its time.
        start = self.running_time() + LEAD
        step = CHUNK * 2  # bytes
        for at in range(0, len(self.audio), step):
            data = self.audio[at:at + step]
            buffer = Gst.Buffer.new_wrapped(data)
            buffer.pts = start + at // 2 * Gst.SECOND // RATE
            buffer.duration = len(data) // 2 * Gst.SECOND // RATE
            self.mic.emit("push-buffer", buffer)
        self.mic.send_event(Gst.Event.new_custom(Gst.EventType.CUSTOM_DOWNSTREAM, Gst.Structure.new_empty(TALK_SENT)))

    def on_mic_event(self, pad, info):
        event = info.get_event()
        if event.type == Gst.EventType.CUSTOM_DOWNSTREAM and event.has_name(TALK_SENT):
            self.post(TALK_SENT)
        return Gst.PadProbeReturn.OK

    def end_talk(self):
        if not self.sink.emit("activity-end"):
            return self.fail("activity-end was refused")
        print(f"[talk {self.turn}] activity-end", flush=True)

    # ---- answers

    def on_text(self, appsink):
        sample = appsink.emit("pull-sample")
        buffer = sample.get_buffer()
        ok, info = buffer.map(Gst.MapFlags.READ)
        if ok:
            with self.lock:
                self.text.append(bytes(info.data).decode("utf-8", "replace"))
            buffer.unmap(info)
        return Gst.FlowReturn.OK

    def on_answer_event(self, pad, info):
        # geminilivesrc pushes a GAP when no text has come for 500 ms, up to
        # now: one ending after the turn-complete means the answer's text has
        # all passed.
        event = info.get_event()
        if event.type == Gst.EventType.GAP:
            start, duration = event.parse_gap()
            with self.lock:
                done = self.turn_ended_at is not None and start + duration >= self.turn_ended_at
                if done:
                    self.turn_ended_at = None
            if done:
                self.post("push-to-talk/answered")
        return Gst.PadProbeReturn.OK

    def on_answer(self):
        with self.lock:
            answer = "".join(self.text).strip()
            self.text = []
        self.answers.append(answer)
        print(f"[answer {self.turn}] {answer}", flush=True)
        if self.turn == 1:
            # A new instruction while PLAYING: it goes out in order with the input.
            self.sink.set_property("system-instruction", self.instruction)
            print(f"[instruction] {self.instruction}", flush=True)
            self.talk()
        else:
            self.loop.quit()

    # ---- the bus

    def fail(self, text):
        print(f"Error: {text}", file=sys.stderr)
        self.status = 1
        self.loop.quit()

    def on_message(self, bus, message):
        t = message.type
        s = message.get_structure()
        if t == Gst.MessageType.ELEMENT and s:
            if s.has_name("geminilive/setup-complete") and self.turn == 0:
                print("[ready] the session is set up", flush=True)
                self.talk()
            elif s.has_name("geminilive/turn-complete"):
                with self.lock:
                    self.turn_ended_at = self.running_time()
            elif s.has_name("geminilive/context-updated"):
                print("[instruction] in effect", flush=True)
        elif t == Gst.MessageType.APPLICATION and s:
            if s.has_name(TALK_SENT):
                self.end_talk()
            elif s.has_name("push-to-talk/answered"):
                self.on_answer()
        elif t == Gst.MessageType.WARNING:
            error, _ = message.parse_warning()
            print(f"Warning: {error.message}", file=sys.stderr)
        elif t == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            self.fail(error.message + (f" ({debug})" if debug else ""))
        elif t == Gst.MessageType.EOS:
            self.fail("the session ended before the second answer")
        return True


def main():
    parser = argparse.ArgumentParser(description="Two push-to-talk turns, with new instructions in between.")
    parser.add_argument("--uri", default=os.environ.get("GEMINILIVE_URI"),
                        help="Live endpoint (default: $GEMINILIVE_URI, else Google's)")
    parser.add_argument("--api-key", help="API key (default: $GEMINI_API_KEY)")
    parser.add_argument("--wav", help="what the user says: a 16 kHz mono 16-bit WAV (default: a tone)")
    parser.add_argument("--seconds", type=float, default=1.0, help="length of the tone (default 1.0)")
    parser.add_argument("--instruction", default="Answer in French.",
                        help='the system instruction set after the first answer (default "Answer in French.")')
    parser.add_argument("--timeout", type=float, default=60, help="give up after this many seconds (default 60)")
    args = parser.parse_args()

    try:
        audio = read_wav(args.wav) if args.wav else tone(args.seconds)
    except (OSError, ValueError, wave.Error, EOFError) as e:
        print(f"Cannot use the audio: {e}", file=sys.stderr)
        return 1
    if not audio:
        print("No audio to send", file=sys.stderr)
        return 1

    Gst.init(None)
    try:
        pipeline = Gst.parse_launch(PIPELINE)
    except GLib.Error as e:
        print(f"Could not build the pipeline: {e.message}", file=sys.stderr)
        return 1
    sink = pipeline.get_by_name("s")
    if args.uri:
        sink.set_property("uri", args.uri)
    if args.api_key:
        sink.set_property("api-key", args.api_key)

    app = App(pipeline, audio, args.instruction)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", app.on_message)
    GLib.timeout_add_seconds(int(args.timeout), lambda: app.fail(f"no second answer within {args.timeout:.0f} s"))

    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        msg = bus.pop_filtered(Gst.MessageType.ERROR)
        print(f"Could not start: {msg.parse_error()[0].message if msg else 'see the log'}", file=sys.stderr)
        app.status = 1
    else:
        app.loop.run()

    pipeline.set_state(Gst.State.NULL)
    bus.remove_signal_watch()
    return app.status


if __name__ == "__main__":
    sys.exit(main())
