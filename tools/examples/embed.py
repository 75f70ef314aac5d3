#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""geminilivesink and geminilivesrc inside a Python program (PyGObject).

Asks the spoken question of an audio file while showing a few test frames,
prints what the service heard and what the model said (the
geminilive/transcript bus messages), answers the model's calls to the
function get_time, and writes the spoken answer to a WAV file: the same
program as embed.c.

  GEMINI_API_KEY=... ./embed.py question.wav          # Google's service
  ./embed.py --uri ws://127.0.0.1:PORT/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent \\
      --api-key local question.wav                     # the local server

The key comes from --api-key, else from GEMINI_API_KEY (the sink reads it);
the endpoint from --uri, else GEMINILIVE_URI, else Google's. Needs the
Debian packages python3-gi and gir1.2-gstreamer-1.0.
"""

import argparse
import json
import os
import sys
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402

# The functions the model may call: FunctionDeclarations. BLOCKING: the
# model waits for the time before it answers (gemini-3.8-live's default,
# NON_BLOCKING, would let it answer first and tell the time in a later turn).
TOOLS = [{"name": "get_time", "behavior": "BLOCKING", "description": "Returns the current local time as HH:MM:SS."}]

# The question's sound and three test frames go to the sink; the answer is
# recorded as it arrives (paced=false), faster than real time.
PIPELINE = """
    filesrc name=question ! decodebin ! audioconvert ! audioresample !
      audio/x-raw,rate=16000,channels=1 ! s.audio
    videotestsrc num-buffers=3 pattern=smpte !
      video/x-raw,width=640,height=360,framerate=1/1 ! jpegenc ! s.video
    geminilivesink name=s
    geminilivesrc paced=false ! wavenc ! filesink name=answer
"""


def call_function(name, args):
    """Runs a function the model called; returns its result (a dict)."""
    if name == "get_time":
        return {"time": time.strftime("%H:%M:%S")}
    return {"error": "no such function"}


class App:
    def __init__(self, pipeline, sink):
        self.pipeline = pipeline
        self.sink = sink
        self.loop = GLib.MainLoop()
        self.direction = None  # the transcript being printed
        self.status = 0

    def end_line(self):
        if self.direction:
            print(flush=True)
            self.direction = None

    def print_transcript(self, s):
        """A transcript fragment: "input" is what the service heard, "output"
        what the model said. Output fragments concatenate to the answer."""
        direction, text = s.get_string("direction"), s.get_string("text")
        if direction != self.direction:
            self.end_line()
            print("[you] " if direction == "input" else "[model] ", end="")
            self.direction = direction
        print(text, end="", flush=True)

    def answer_tool_call(self, s):
        """The model calls a function: run it and send its result back. This
        runs on the main thread (from the bus), so it may take its time."""
        call_id, name, args = s.get_string("id"), s.get_string("name"), s.get_string("args")
        response = json.dumps(call_function(name, json.loads(args or "{}")), separators=(",", ":"))
        self.end_line()
        print(f"[tool] {name} {args} -> {response}", flush=True)
        if not self.sink.emit("send-tool-response", call_id, name, response, None, False):
            print(f"Could not send the response to {name}", file=sys.stderr)

    def on_message(self, bus, message):
        t = message.type
        if t == Gst.MessageType.ELEMENT:
            s = message.get_structure()
            if s.has_name("geminilive/transcript"):
                self.print_transcript(s)
            elif s.has_name("geminilive/tool-call"):
                self.answer_tool_call(s)
            elif s.has_name("geminilive/tool-call-cancelled"):
                self.end_line()
                print(f"[tool] cancelled: {s.get_string('ids')}", flush=True)
            elif s.has_name("geminilive/turn-complete"):
                self.end_line()
        elif t == Gst.MessageType.WARNING:
            error, _ = message.parse_warning()
            print(f"Warning: {error.message}", file=sys.stderr)
        elif t == Gst.MessageType.ERROR:
            error, debug = message.parse_error()
            self.end_line()
            print(f"Error: {error.message}", file=sys.stderr)
            if debug:
                print(f"({debug})", file=sys.stderr)
            self.status = 1
            self.loop.quit()
        elif t == Gst.MessageType.EOS:
            # The input is over and the model's answer is complete.
            self.end_line()
            self.loop.quit()
        return True


def main():
    parser = argparse.ArgumentParser(description="Ask Gemini Live the question in an audio file.")
    parser.add_argument("question", help="audio file with the spoken question")
    parser.add_argument("--uri", default=os.environ.get("GEMINILIVE_URI"),
                        help="Live endpoint (default: $GEMINILIVE_URI, else Google's)")
    parser.add_argument("--api-key", help="API key (default: $GEMINI_API_KEY)")
    parser.add_argument("-o", "--output", default="answer.wav",
                        help="where to write the spoken answer (default: answer.wav)")
    args = parser.parse_args()

    Gst.init(None)
    try:
        pipeline = Gst.parse_launch(PIPELINE)
    except GLib.Error as e:
        print(f"Could not build the pipeline: {e.message}", file=sys.stderr)
        return 1

    # Settings from variables go in with set_property(), never into the
    # description: no quoting problems, and the key stays out of any log.
    sink = pipeline.get_by_name("s")
    pipeline.get_by_name("question").set_property("location", args.question)
    pipeline.get_by_name("answer").set_property("location", args.output)
    sink.set_property("tools", json.dumps(TOOLS))
    if args.uri:
        sink.set_property("uri", args.uri)
    if args.api_key:
        sink.set_property("api-key", args.api_key)

    app = App(pipeline, sink)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", app.on_message)

    if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
        # The reason (a missing key, ...) is in an ERROR message.
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
