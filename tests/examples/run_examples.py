#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the embedding examples (tools/examples/: embed, built from embed.c,
and embed.py) against the local Live server, as a user runs them, and checks
what the user sees.

Each example runs in a fresh temporary directory, as

  EXAMPLE --uri ws://127.0.0.1:PORT/ws/...BidiGenerateContent --api-key local question.wav

against `geminilive-mock-server --tool-call get_time`, which starts every turn
with a call of the example's get_time function and waits for the answer
(docs/mock-server.md, "Tool calls"). question.wav is 16 kHz mono: 2 s of a
220 Hz tone (speech to the server), then 1 s of silence.

Checked, for each example:
  - exit status 0, and nothing on stderr (no warning, no error);
  - it printed what the service heard: "[you] (X seconds of speech)";
  - it answered the call: "[tool] get_time {} -> {"time":"HH:MM:SS"}", and the
    server received that toolResponse (its log: "toolResponse for
    function-call-1"; its summary: "1 tool responses");
  - it printed what the model said, and the answer mentions the tool's
    output: "[model] I heard ... The function get_time returned
    {"time":"HH:MM:SS"}." with the JSON it sent;
  - answer.wav holds 24 kHz mono S16 audio.

push_to_talk.py (two push-to-talk turns with a new system instruction in
between) runs as

  push_to_talk.py --uri ws://127.0.0.1:PORT/ws/...BidiGenerateContent --api-key local

against `geminilive-mock-server` (no tool call), and is checked for:
  - exit status 0, nothing on stderr;
  - "[talk 1] activity-start, 1.0 s of audio", "[talk 1] activity-end", and
    the same for turn 2, in order;
  - "[answer 1] I heard X seconds of audio at 16000 Hz." with X within
    0.1 of 1.0: the server, with automatic activity detection off, answers
    only the audio between activityStart and activityEnd, and only after
    activityEnd;
  - "[answer 2] Following new instructions: "Answer in French."." then
    the same kind of sentence: the new instruction reached the server while
    PLAYING and the second answer follows it;
  - the server's log: the setup with "manual activity" (automatic
    activity detection disabled), activityStart, activityEnd, the
    contextUpdate, activityStart, activityEnd in that order, "contextUpdate: systemInstruction "Answer
    in French."", two turns that heard the audio, and a summary of 2 turns
    completed, 1 context update and 64000 audio bytes (2 x 1.0 s at 16 kHz).

embed.py and push_to_talk.py run with a Python that has PyGObject and GStreamer's
introspection data (this one, or Debian's /usr/bin/python3; Debian packages
python3-gi and gir1.2-gstreamer-1.0): without one it fails, naming them.

Usage: run_examples.py --server SERVER --c-example EMBED --py-example EMBED.PY --ptt-example PUSH_TO_TALK.PY
Environment: GST_PLUGIN_PATH_1_0 (the built plugin). GST_PLUGIN_PATH,
GEMINI_API_KEY, GOOGLE_API_KEY and GEMINILIVE_URI are removed from the
examples' environment.

Output: one line per example (ok or FAIL with the reason and the output),
then "N passed, N failed". The exit status is 1 when anything failed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from harness import Failure, MockServer, Tally, make_question_wav, python_with, tail  # noqa: E402

TIMEOUT = 60
GI_CHECK = "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst"
TAIL = 15  # lines of output shown on a failure


def check(out, err, status, server_log, workdir):
    problems = []
    if status != 0:
        problems.append(f"exit status {status}")
    if err.strip():
        problems.append("it printed on stderr: " + err.strip().splitlines()[0])
    lines = out.splitlines()

    if not any(re.fullmatch(r"\[you\] \([0-9.]+ seconds of speech\)", l) for l in lines):
        problems.append('no "[you] (X seconds of speech)" line: the input transcript was not printed')

    calls = [m for m in (re.fullmatch(r"\[tool\] get_time (\S+) -> (\{.*\})", l) for l in lines) if m]
    response = None
    if len(calls) != 1:
        problems.append(f"{len(calls)} '[tool] get_time ... -> ...' lines; want 1")
    else:
        response = calls[0].group(2)
        if not re.fullmatch(r'\{"time":"\d\d:\d\d:\d\d"\}', response):
            problems.append(f"get_time answered {response}")
    if "toolResponse for function-call-1" not in server_log:
        problems.append("the server received no toolResponse for function-call-1")
    if not re.search(r"\b1 tool responses\b", server_log):
        problems.append("the server's summary does not count 1 tool response")

    model = [l for l in lines if l.startswith("[model] ")]
    if len(model) != 1:
        problems.append(f"{len(model)} '[model]' lines; want 1")
    elif not re.fullmatch(r"\[model\] I heard [0-9.]+ seconds of audio at 16000 Hz and saw 3 frames, "
                          r"the last a 640x360 JPEG\. The function get_time returned (\{.*\})\.", model[0]):
        problems.append(f"the answer is not the one the server gives: {model[0]!r}")
    elif response and not model[0].endswith(f"The function get_time returned {response}."):
        problems.append(f"the answer does not mention the tool's output {response}: {model[0]!r}")

    path = os.path.join(workdir, "answer.wav")
    try:
        with wave.open(path) as w:
            fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes())
        if fmt[:3] != (24000, 1, 2) or fmt[3] == 0:
            problems.append(f"answer.wav: {fmt[0]} Hz, {fmt[1]} channels, {8 * fmt[2]} bits, {fmt[3]} samples")
    except (OSError, wave.Error, EOFError) as e:
        problems.append(f"answer.wav: {e}")
    return problems, (model[0] if len(model) == 1 else "")


def run_against_server(argv, args, env, server_args, check_fn, files=()):
    """Runs an example against its own local server in a scratch directory
    (holding `files`); returns (seconds, answer) or raises Failure with the
    example's and the server's output."""
    workdir = tempfile.mkdtemp(prefix="example-test-")
    server = None
    try:
        for f in files:
            shutil.copy(f, os.path.join(workdir, os.path.basename(f)))
        server = MockServer(args.server, workdir, *server_args)
        full = argv + ["--uri", server.uri, "--api-key", "local"] + [os.path.basename(f) for f in files]
        started = time.monotonic()
        try:
            r = subprocess.run(full, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=TIMEOUT)
        except subprocess.TimeoutExpired as e:
            server.stop()
            raise Failure(f"still running after {TIMEOUT} s\n    stdout:\n"
                          f"{tail((e.stdout or b'').decode(errors='replace'), TAIL)}\n"
                          f"    server stderr:\n{tail(server.log(), TAIL)}")
        elapsed = time.monotonic() - started
        log = server.stop()
        out, err = r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")
        problems, answer = check_fn(out, err, r.returncode, log, workdir)
        if problems:
            raise Failure("; ".join(problems) + f"\n    command: {' '.join(full)}\n    stdout:\n{tail(out, TAIL)}"
                          f"\n    stderr:\n{tail(err, TAIL)}\n    server stderr:\n{tail(log, TAIL)}")
        return elapsed, answer
    finally:
        if server is not None:
            server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def run_example(name, argv, args, env, wav):
    question = os.path.join(tempfile.mkdtemp(prefix="example-wav-"), "question.wav")
    shutil.copy(wav, question)
    try:
        elapsed, answer = run_against_server(argv, args, env, ["--tool-call", "get_time"], check, [question])
    finally:
        shutil.rmtree(os.path.dirname(question), ignore_errors=True)
    return f"{elapsed:.1f} s: {answer[len('[model] '):]}"


HEARD_RE = r"I heard (\d+\.\d) seconds of audio at 16000 Hz\."
INSTRUCTION = "Answer in French."


def check_push_to_talk(out, err, status, log):
    problems = []
    if status != 0:
        problems.append(f"exit status {status}")
    if err.strip():
        problems.append("it printed on stderr: " + err.strip().splitlines()[0])
    lines = out.splitlines()
    want = ["[ready] the session is set up", "[talk 1] activity-start, 1.0 s of audio", "[talk 1] activity-end",
            "[answer 1]", f"[instruction] {INSTRUCTION}", "[talk 2] activity-start, 1.0 s of audio",
            "[talk 2] activity-end", "[answer 2]"]
    at = 0
    for line in lines:
        if at < len(want) and line.startswith(want[at]):
            at += 1
    if at < len(want):
        problems.append(f"no {want[at]!r} line (in this order: {want})")
    answers = {n: l[len(f"[answer {n}] "):] for n in (1, 2) for l in lines if l.startswith(f"[answer {n}] ")}
    first, second = answers.get(1, ""), answers.get(2, "")
    m = re.fullmatch(HEARD_RE, first)
    if not m or abs(float(m.group(1)) - 1.0) > 0.1:
        problems.append(f"the first answer does not say back about 1.0 s of speech: {first!r}")
    prefix = f'Following new instructions: "{INSTRUCTION}". '
    if not second.startswith(prefix):
        problems.append(f"the second answer does not begin with {prefix.strip()!r}: {second!r}")
    elif not re.fullmatch(HEARD_RE, second[len(prefix):]):
        problems.append(f"the second answer does not say back the second turn's speech: {second!r}")

    if not re.search(r"connection 1: setup \S+ \(AUDIO\).*, manual activity", log):
        problems.append("the server's setup line does not say manual activity (automatic activity detection off)")
    marks = re.findall(r"\b(activityStart|activityEnd|contextUpdate)\b", log)
    if marks != ["activityStart", "activityEnd", "contextUpdate", "activityStart", "activityEnd"]:
        problems.append(f"the server saw {marks}; want activityStart, activityEnd, contextUpdate, then the second turn's")
    if f'contextUpdate: systemInstruction "{INSTRUCTION}"' not in log:
        problems.append("the server logged no contextUpdate with the new instruction")
    turns = re.findall(r"turn (\d+): (.*)$", log, re.M)
    if [t[0] for t in turns] != ["1", "2"] or not all(re.search(HEARD_RE, t[1]) for t in turns):
        problems.append(f"the server's turns are {turns}; want two that heard the audio")
    for summary in (r"\b2 turns started, 2 completed\b", r"\b1 context updates\b", r"\b64000 audio bytes\b"):
        if not re.search(summary, log):
            problems.append(f"the server's summary lacks {summary!r}")
    return problems, second


def run_push_to_talk(argv, args, env):
    elapsed, answer = run_against_server(argv, args, env, [],
                                         lambda out, err, status, log, _: check_push_to_talk(out, err, status, log))
    return f"{elapsed:.1f} s: {answer}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", required=True, help="geminilive-mock-server")
    parser.add_argument("--c-example", required=True, help="the built embed.c")
    parser.add_argument("--py-example", required=True, help="embed.py")
    parser.add_argument("--ptt-example", required=True, help="push_to_talk.py")
    parser.add_argument("--keep", action="store_true", help="keep the working directories")
    args = parser.parse_args()

    env = dict(os.environ)
    for var in ("GST_PLUGIN_PATH", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GEMINILIVE_URI"):
        env.pop(var, None)

    tally = Tally()
    scratch = tempfile.mkdtemp(prefix="example-test-inputs-")
    try:
        wav = os.path.join(scratch, "question.wav")
        make_question_wav(wav, env)
        python = python_with(GI_CHECK)
        examples = [("embed.c", [os.path.abspath(args.c_example)]),
                    ("embed.py", [python, os.path.abspath(args.py_example)] if python else None)]
        for name, argv in examples:
            try:
                if argv is None:
                    raise Failure("no Python with PyGObject and GStreamer's introspection data: install the "
                                  "Debian packages python3-gi and gir1.2-gstreamer-1.0 (tools/setup installs them)")
                tally.ok(f"{name} ({run_example(name, argv, args, env, wav)})")
            except Failure as e:
                tally.fail(f"{name}: {e}")
        try:
            if python is None:
                raise Failure("no Python with PyGObject and GStreamer's introspection data: install the "
                              "Debian packages python3-gi and gir1.2-gstreamer-1.0 (tools/setup installs them)")
            ptt = [python, os.path.abspath(args.ptt_example)]
            tally.ok(f"push_to_talk.py ({run_push_to_talk(ptt, args, env)})")
        except Failure as e:
            tally.fail(f"push_to_talk.py: {e}")
    except Failure as e:
        tally.fail(e)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return tally.close()


if __name__ == "__main__":
    sys.exit(main())
