#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs geminilive-assistant (tools/assistant) as a user would, on a machine
without a display or audio devices, and checks what it did.

Usage: run_assistant_tests.py CASE    (meson runs one test per case)

Cases
  headless     no key, no DISPLAY, no audio device, no GST_PLUGIN_PATH: the
               README's first command. It must start the in-process local
               server and a virtual screen, ask the recorded question, end by
               itself with status 0, and leave the reply WAV (24 kHz S16LE
               mono, not silent, exactly as long as the server's synthesized
               reply) and a transcript holding what was heard and said. The
               virtual screen is still: the change gate sends 1 frame.
  change-gate  the same with --no-change-gate (a frame every second: the
               server gets 2 or more), and with --keepalive 1 (the still
               screen is sent again each second: 2 or more; with
               --change-threshold 0.02 said on the console); a bad
               --keepalive or --change-threshold is refused with status 2.
  key          GEMINI_API_KEY=test-key and --uri to geminilive-mock-server
               started with --api-key test-key --tool-call save_note: the
               upgrade path is Google's endpoint's path, the key is accepted
               (and a wrong one refused, exit status 1), the setup names the
               default model and declares save_note, the note is saved and
               the answer mentions it.
  print-config --print-config with a key: the endpoint is Google's wss://
               URI without the key, and the setup has the default model, the
               default system instruction, save_note (BLOCKING) and both transcription
               configs; options (--model, --voice, --system-instruction) show
               up in it. Without a key it names the local server.
  save-note    the local server calls save_note (--local-tool-call): the note
               is appended to --notes under a heading, twice over two runs.
  record       --record rec.mkv: a Matroska file with the MJPEG frames sent
               (1024x576; as many as the server received), the microphone (16 kHz) and the answer (24 kHz) as
               PCM tracks, and two UTF-8 subtitle tracks whose text is what
               was heard and what was said.
  interactive  --no-mic: a line typed on stdin is sent as text and answered;
               Ctrl-C (SIGINT) then ends the session cleanly (status 0).
  reconnect    geminilive-mock-server --drop-after 1: the element reconnects
               and resumes; "[state] reconnecting (…), attempt 1 in N ms" and
               "[state] resumed after 1 attempt(s)" are printed, and a typed
               line is still answered.
  push-to-talk --push-to-talk, headless: the setup disables automatic activity
               detection (--print-config), the recorded question goes between
               activityStart and activityEnd (the in-process server's count of
               what it received, -v), and the answer says back the whole
               question's length.
  push-to-talk-typed
               --push-to-talk --no-mic: a typed line is a turn of its own
               (answered), Enter starts and Enter stops talking (answered too);
               the server got 2 activityStart and 2 activityEnd.
  latency      geminilive-mock-server --first-reply-delay 400: one
               "[latency] X s to first byte, Y s to first sound" line with
               0.4 <= X <= Y, on the console and in the transcript.
  media-resolution
               --media-resolution low puts MEDIA_RESOLUTION_LOW in the setup;
               a wrong level is refused with status 2.
  pipewire     --pipewire-node ID: a PipeWire daemon of its own with a test
               screen node (a moving ball, tests/pylib/pipewire.py) is
               captured through the change gate: the server sees 2 or more
               1024x576 frames.
  portal       WAYLAND_DISPLAY set, on a session bus of its own
               (dbus-run-session): with fake_portal.py as the ScreenCast
               portal (the user "chose" at once), the assistant calls
               CreateSession, SelectSources (monitor or window, one, cursor
               embedded), Start and OpenPipeWireRemote, captures the node
               through the fd it got (no XDG_RUNTIME_DIR), and closes the
               session at the end; "cancelled" ends with status 1 and says
               so; the desktop closing the session (the user stopped
               sharing) is said, the screen ends, the run still ends with
               status 0; without a portal on the bus, status 2 and what to
               install.
  search       --search --code-execution against geminilive-mock-server: the
               "[search] queries: ...", "[source] title <uri>", "[code] ..."
               and "[result] ..." lines on the console and in the transcript.

  vertex       --vertex: see vertex_cases.py.

Environment (set by tests/assistant/meson.build): GEMINILIVE_ASSISTANT (the
program), GEMINILIVE_MOCK_SERVER, GST_PLUGIN_PATH_1_0 and GST_REGISTRY_1_0.
"""

import json
import math
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
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import LIVE_PATH, Failure, MockServer, reply_pcm_bytes  # noqa: E402
from matroska import matroska_tracks  # noqa: E402
import turn_cases  # noqa: E402
import wayland_cases  # noqa: E402
import vertex_cases  # noqa: E402

GOOGLE_URI = "wss://generativelanguage.googleapis.com" + LIVE_PATH
DEFAULT_MODEL = "models/gemini-3.8-live"
REPLY_RE = re.compile(r"I heard (\d+\.\d) seconds of audio at 16000 Hz and saw (\d+) frames?, "
                      r"(?:the last a|a) 1024x576 JPEG\.")
SAVE_NOTE_REPLY = 'The function save_note returned {"result":"saved"}.'
RUN_BOUND = 60  # seconds: one exchange with the local server takes a few


def expect(condition, message):
    if not condition:
        raise Failure(message)


def clean_env(key=None, keep_plugin_path=True):
    """The environment of a machine without display, audio devices or key."""
    env = dict(os.environ)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "GEMINI_API_KEY", "GOOGLE_API_KEY", "GST_PLUGIN_PATH"):
        env.pop(var, None)
    if not keep_plugin_path:
        env.pop("GST_PLUGIN_PATH_1_0", None)
    # No sound server, and no ALSA cards either even on a desktop running
    # the tests: the device providers are ranked out of the device monitor.
    env["PULSE_SERVER"] = "unix:/nonexistent/pulse"
    env["GST_PLUGIN_FEATURE_RANK"] = "pulsedeviceprovider:NONE,alsadeviceprovider:NONE"
    env["G_DEBUG"] = "fatal-criticals"
    if key:
        env["GEMINI_API_KEY"] = key
    return env


class Result:
    def __init__(self, proc, out, err, elapsed, workdir):
        self.status = proc.returncode
        self.out = out
        self.err = err
        self.elapsed = elapsed
        self.workdir = workdir

    def describe(self):
        return f"status {self.status} after {self.elapsed:.1f} s\n--- stdout\n{self.out}--- stderr\n{self.err}"

    def file(self, name):
        path = os.path.join(self.workdir, name)
        expect(os.path.isfile(path), f"{name} was not written\n" + self.describe())
        with open(path, encoding="utf-8") as f:
            return f.read()


def run_assistant(args, env, workdir, timeout=RUN_BOUND, wrapper=()):
    """The program with args (after `wrapper`, a command that runs it)."""
    start = time.monotonic()
    proc = subprocess.Popen(list(wrapper) + [os.environ["GEMINILIVE_ASSISTANT"]] + args, cwd=workdir, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise Failure(f"did not end by itself within {timeout} s\n--- stdout\n{out.decode()}--- stderr\n{err.decode()}")
    return Result(proc, out.decode(), err.decode(), time.monotonic() - start, workdir)


def mock_server(workdir, *args):
    """geminilive-mock-server (GEMINILIVE_MOCK_SERVER) as a separate program,
    with its log; stopped at the end of a with block."""
    return MockServer(os.environ["GEMINILIVE_MOCK_SERVER"], workdir, *args)


# ------------------------------------------------------------------ checks


def local_reply(result, tool=False):
    """The reply text, from the in-process server's log (-v). The server logs
    a turn when it starts; a tool's result is appended to the reply later."""
    replies = re.findall(r"^\[local server\] connection \d+: turn \d+: (.*)$", result.err, re.M)
    expect(len(replies) == 1, f"want one turn in the local server's log, got {replies}\n" + result.describe())
    return replies[0] + (" " + SAVE_NOTE_REPLY if tool else "")


def check_reply_wav(path, reply):
    with wave.open(path) as w:
        fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
        data = w.readframes(w.getnframes())
    expect(fmt == (24000, 1, 2), f"reply WAV is {fmt}, want 24000 Hz mono S16")
    want = reply_pcm_bytes(reply)
    expect(len(data) == want, f"reply WAV holds {len(data)} bytes; the server synthesized {want} for {reply!r}")
    samples = memoryview(data).cast("h")
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    expect(rms > 500, f"reply WAV is silent (RMS {rms:.0f})")
    return len(data) / 48000


def check_transcript(text, reply):
    m = REPLY_RE.search(reply)
    expect(m, f"unexpected reply {reply!r}")
    heard = f"**you:** ({m.group(1)} seconds of speech)"
    expect(heard in text, f"the transcript lacks {heard!r}:\n{text}")
    expect(f"**gemini:** {reply}\n" in text, f"the transcript lacks the reply {reply!r}:\n{text}")


def check_console(result, reply):
    expect(f"gemini: {reply}\n" in result.out, "the console did not show the reply\n" + result.describe())
    expect(re.search(r"^\[usage\] prompt \d+, response \d+, total \d+ tokens", result.out, re.M),
           "no [usage] line\n" + result.describe())
    for state in ("[state] connecting to ", "[state] ready", "[state] session ended"):
        expect(state in result.out, f"no {state!r} line\n" + result.describe())


# ------------------------------------------------------------------ cases


def case_headless(workdir):
    # No GST_PLUGIN_PATH_1_0 and a registry of its own: the program must find
    # the build tree's plugin by itself, as after `tools/setup`.
    env = clean_env(keep_plugin_path=False)
    env["GST_REGISTRY_1_0"] = os.path.join(workdir, "registry.bin")
    r = run_assistant(["-v"], env, workdir)
    expect(r.status == 0, r.describe())
    expect("talking to the bundled local server" in r.out, "did not say it uses the local server\n" + r.describe())
    expect(re.search(r"^\[screen\] no display: capturing a virtual screen \(Xvfb on :\d+", r.out, re.M)
           or "[screen] no display, and no virtual one" in r.out, "no virtual screen\n" + r.describe())
    expect("[audio] no microphone: asking the recorded question" in r.out, "no recorded question\n" + r.describe())
    expect("[screen] frames only when the screen changes" in r.out, "the change gate is not on\n" + r.describe())
    reply = local_reply(r)
    # A still screen behind the change gate: the first frame only.
    expect(REPLY_RE.search(reply).group(2) == "1", f"the still screen was sent more than once: {reply}")
    seconds = check_reply_wav(os.path.join(workdir, "geminilive-reply.wav"), reply)
    check_transcript(r.file("geminilive-transcript.md"), reply)
    check_console(r, reply)
    return f"{r.elapsed:.1f} s, {seconds:.2f} s of answer: {reply}"


def case_change_gate(workdir):
    results = []
    for args, line in ((["--no-change-gate"], "[screen] --no-change-gate: a frame every second"),
                       (["--keepalive", "1", "--change-threshold", "0.02"],
                        "(at most 1 a second, when more than 2 % of it changed; again after 1 s when still)")):
        r = run_assistant(["-v"] + args, clean_env(), workdir)
        expect(r.status == 0 and line in r.out, f"{args}: no {line!r}\n" + r.describe())
        # All the frames the in-process server received (-v), in the whole
        # run: the question starts 0.5 s after the first frame and lasts 3 s.
        frames = int(re.search(r"^\[local server\] received \d+ setup, (\d+) frames", r.err, re.M).group(1))
        expect(frames >= 2, f"{args}: the server got {frames} frame(s) of a still screen in {r.elapsed:.1f} s")
        results.append(f"{' '.join(args)}: {frames} frames")
    for bad_args in (["--keepalive", "-3"], ["--change-threshold", "2"]):
        bad = run_assistant(bad_args, clean_env(), workdir, timeout=30)
        expect(bad.status == 2 and bad_args[0] in bad.err, f"{bad_args} was taken\n" + bad.describe())
    return "; ".join(results)


def case_key(workdir):
    with mock_server(workdir, "--api-key", "test-key", "--tool-call", "save_note") as server:
        r = run_assistant(["--uri", server.uri], clean_env(key="test-key"), workdir)
    log = server.log()
    expect(r.status == 0, r.describe() + "--- server\n" + log)
    paths = re.findall(r"connection \d+: upgrade on (\S+)", log)
    google_path = GOOGLE_URI[GOOGLE_URI.index("/ws/"):]
    expect(paths == [google_path], f"upgrade paths {paths}, want [{google_path}]")
    expect("missing or wrong API key" not in log, "the server refused the key:\n" + log)
    expect(f"setup {DEFAULT_MODEL} (AUDIO), tool save_note" in log,
           "the setup did not name the default model and declare save_note:\n" + log)
    expect("test-key" not in r.out + r.err, "the key appeared in the assistant's output")
    expect(" 1 tool responses," in log, "the server did not get one tool response:\n" + log)
    replies = re.findall(r"turn \d+: (.*)$", log, re.M)
    expect(len(replies) == 1 and "toolResponse for function-call-1" in log, f"replies {replies}\n{log}")
    reply = replies[0] + " " + SAVE_NOTE_REPLY
    check_reply_wav(os.path.join(workdir, "geminilive-reply.wav"), reply)
    check_transcript(r.file("geminilive-transcript.md"), reply)
    expect("- turn 1\n" in r.file("notes.md"), "notes.md lacks the note")

    # A wrong key: the server closes with 1008, the assistant says so and fails.
    with mock_server(workdir, "--api-key", "test-key") as server:
        bad = run_assistant(["--uri", server.uri], clean_env(key="wrong-key"), workdir)
    expect(bad.status == 1, "a refused key did not fail:\n" + bad.describe())
    expect("API key not valid" in bad.err, "the refusal was not reported:\n" + bad.describe())
    return f"{r.elapsed:.1f} s; path {paths[0]}, key accepted, wrong key refused in {bad.elapsed:.1f} s"


def print_config(args, env, workdir):
    r = run_assistant(["--print-config"] + args, env, workdir, timeout=30)
    expect(r.status == 0, r.describe())
    m = re.search(r"^endpoint: (.*)$", r.out, re.M)
    expect(m, "no endpoint line\n" + r.describe())
    body = r.out[r.out.index("setup message:\n") + len("setup message:\n"):]
    return r, m.group(1), json.loads(body)["setup"]


def case_print_config(workdir):
    r, endpoint, setup = print_config([], clean_env(key="test-key"), workdir)
    expect(endpoint == GOOGLE_URI, f"endpoint {endpoint!r}, want {GOOGLE_URI!r}")
    expect("test-key" not in r.out and "key=" not in endpoint, "the key is in the output")
    expect("x-goog-api-key" in r.out, "does not say how the key is sent\n" + r.out)
    expect(setup["model"] == DEFAULT_MODEL, f"model {setup['model']}")
    expect(setup["generationConfig"]["responseModalities"] == ["AUDIO"], "not AUDIO")
    instruction = setup["systemInstruction"]["parts"][0]["text"]
    expect(instruction.startswith("You are a screen assistant") and "save_note" in instruction,
           f"system instruction {instruction!r}")
    declarations = [d for t in setup["tools"] for d in t.get("functionDeclarations", [])]
    expect([d["name"] for d in declarations] == ["save_note"], f"declarations {declarations}")
    expect(declarations[0]["parameters"]["properties"]["note"]["type"] == "STRING", "note is not a STRING")
    # BLOCKING on gemini-3.8-live: the model confirms the saved note in the same answer.
    expect(declarations[0].get("behavior") == "BLOCKING", f"save_note behavior {declarations[0].get('behavior')}")
    expect("inputAudioTranscription" in setup and "outputAudioTranscription" in setup, "no transcription configs")

    _, _, custom = print_config(["--model", "gemini-2.5-flash-native-audio-preview-09-2025", "--voice", "Kore",
                                 "--system-instruction", "Be terse."], clean_env(key="test-key"), workdir)
    expect(custom["model"] == "models/gemini-2.5-flash-native-audio-preview-09-2025", f"model {custom['model']}")
    voice = custom["generationConfig"]["speechConfig"]["voiceConfig"]["prebuiltVoiceConfig"]["voiceName"]
    expect(voice == "Kore", f"voice {voice}")
    expect(custom["systemInstruction"]["parts"][0]["text"] == "Be terse.", "system instruction not replaced")

    # A key in a --uri's query is not printed either.
    r, endpoint, _ = print_config(["--uri", "wss://example.invalid/ws/live?key=uri-secret"],
                                  clean_env(key="test-key"), workdir)
    expect(endpoint == "wss://example.invalid/ws/live", f"endpoint {endpoint!r}")
    expect("uri-secret" not in r.out, "the key in the URI is in the output\n" + r.out)

    local, endpoint, _ = print_config([], clean_env(), workdir)
    expect("bundled local server" in endpoint and LIVE_PATH in endpoint, f"local endpoint {endpoint!r}")
    return f"{r.elapsed:.1f} s; {endpoint}"


def case_save_note(workdir):
    results = []
    for _ in range(2):
        r = run_assistant(["-v", "--local-tool-call", "save_note", "--notes", "my-notes.md"], clean_env(), workdir)
        expect(r.status == 0, r.describe())
        reply = local_reply(r, tool=True)
        check_reply_wav(os.path.join(workdir, "geminilive-reply.wav"), reply)
        expect("[note] saved to my-notes.md: turn 1" in r.out, "the console did not report the note\n" + r.describe())
        check_transcript(r.file("geminilive-transcript.md"), reply)
        results.append(r)
    notes = results[-1].file("my-notes.md")
    expect(len(re.findall(r"^## Notes of \d{4}-\d\d-\d\d \d\d:\d\d$", notes, re.M)) == 2, f"headings:\n{notes}")
    expect(notes.count("\n- turn 1\n") == 2, f"notes:\n{notes}")
    return f"{results[0].elapsed:.1f} s + {results[1].elapsed:.1f} s; my-notes.md has both notes"


def case_record(workdir):
    r = run_assistant(["-v", "--record", "rec.mkv"], clean_env(), workdir)
    expect(r.status == 0, r.describe())
    reply = local_reply(r)
    tracks = matroska_tracks(os.path.join(workdir, "rec.mkv"))
    by_kind = {}
    for t in tracks.values():
        by_kind.setdefault(t.get("type"), []).append(t)
    videos, audios, subtitles = by_kind.get(1, []), by_kind.get(2, []), by_kind.get(0x11, [])
    expect(len(videos) == 1 and len(audios) == 2 and len(subtitles) == 2,
           f"tracks: {[(t.get('type'), t.get('codec'), t.get('name')) for t in tracks.values()]}")
    video = videos[0]
    expect((video.get("width"), video.get("height")) == (1024, 576), f"video {video.get('width')}x{video.get('height')}")
    sent = int(re.search(r"^\[local server\] received \d+ setup, (\d+) frames", r.err, re.M).group(1))
    # The screen as captured (2 frames a second, split off before the change
    # gate), not only the frames the gate let through: a still screen still
    # records, and no track waits for the gate.
    frames = len(video["blocks"])
    expect(all(b[:3] == b"\xff\xd8\xff" for b in video["blocks"]), "video: not all JPEG")
    expect(frames > sent, f"video: {frames} frames, no more than the {sent} the gate sent")
    audio = {t.get("name"): t for t in audios}
    expect(set(audio) == {"microphone", "gemini"}, f"audio track names {list(audio)}")
    expect(all(t["codec"] == "A_PCM/INT/LIT" and t.get("channels", 1) == 1 for t in audios), "audio is not mono PCM")
    expect(audio["microphone"]["rate"] == 16000 and audio["gemini"]["rate"] == 24000,
           f"rates {audio['microphone']['rate']}, {audio['gemini']['rate']}")
    mic_bytes = sum(len(b) for b in audio["microphone"]["blocks"])
    answer_pcm = b"".join(audio["gemini"]["blocks"])
    expect(mic_bytes > 16000, f"microphone track holds {mic_bytes} bytes")
    # Paced: the answer with silence around it, at least the whole answer.
    expect(len(answer_pcm) >= reply_pcm_bytes(reply), f"answer track holds {len(answer_pcm)} bytes")
    texts = {t.get("name"): b"".join(t["blocks"]).decode("utf-8") for t in subtitles}
    expect(all(t["codec"] == "S_TEXT/UTF8" for t in subtitles), "subtitles are not S_TEXT/UTF8")
    m = REPLY_RE.search(reply)
    expect(texts.get("you") == f"({m.group(1)} seconds of speech)", f"heard track {texts.get('you')!r}")
    expect(texts.get("gemini") == reply, f"said track {texts.get('gemini')!r}, want {reply!r}")
    # The screen is captured while the input lasts (this run's input ends
    # with the recorded question): 2 frames a second over the microphone
    # track, a frame of slack at each end.
    input_s = mic_bytes / 32000
    expect(frames >= 2 * input_s - 2,
           f"video: {frames} frames over {input_s:.1f} s of input (the gate sent {sent}): not 2 a second")
    return (f"{r.elapsed:.1f} s; {frames} frames ({sent} sent) over {input_s:.1f} s of input, {mic_bytes} microphone bytes, "
            f"{len(answer_pcm)} answer bytes, 2 subtitle tracks")


def case_media_resolution(workdir):
    r, _, setup = print_config(["--media-resolution", "low"], clean_env(), workdir)
    resolution = setup.get("generationConfig", {}).get("mediaResolution")
    expect(resolution == "MEDIA_RESOLUTION_LOW", f"generationConfig.mediaResolution {resolution!r}")
    expect("media resolution: low\n" in r.out, "print-config does not show the media resolution\n" + r.out)
    _, _, plain = print_config([], clean_env(), workdir)
    expect("mediaResolution" not in plain.get("generationConfig", {}), "mediaResolution set by default")
    bad = run_assistant(["--media-resolution", "huge"], clean_env(), workdir, timeout=30)
    expect(bad.status == 2 and "--media-resolution huge: want low, medium or high" in bad.err, bad.describe())
    return "MEDIA_RESOLUTION_LOW in the setup; a wrong level refused"


def case_search(workdir):
    with mock_server(workdir) as server:
        r = run_assistant(["--uri", server.uri, "--search", "--code-execution"], clean_env(key="test-key"), workdir)
    expect(r.status == 0, r.describe() + "--- server\n" + server.log())
    want = ["[search] queries: what is on the screen",
            "[source] Example result <https://example.com/search?q=what%20is%20on%20the%20screen>",
            "[code] (PYTHON) print(2 + 2)",
            "[result] OUTCOME_OK: 4"]
    transcript = r.file("geminilive-transcript.md")
    for line in want:
        expect(line + "\n" in r.out, f"no {line!r} line\n" + r.describe())
        expect(f"*{line}*" in transcript, f"the transcript lacks {line!r}:\n{transcript}")
    return f"{r.elapsed:.1f} s; search, source, code and result shown"


CASES = {
    "headless": case_headless,
    "change-gate": case_change_gate,
    "key": case_key,
    "print-config": case_print_config,
    "save-note": case_save_note,
    "record": case_record,
    "media-resolution": case_media_resolution,
    "search": case_search,
    "vertex": lambda workdir: vertex_cases.case_vertex(workdir, sys.modules[__name__]),
}
# Typing, reconnecting, push-to-talk (turn_cases.py).
CASES.update(turn_cases.cases(sys.modules[__name__]))
# The Wayland path: a PipeWire node, the ScreenCast portal (wayland_cases.py).
CASES.update(wayland_cases.cases(sys.modules[__name__]))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in CASES:
        print(f"usage: {sys.argv[0]} {'|'.join(CASES)}")
        return 2
    for var in ("GEMINILIVE_ASSISTANT", "GEMINILIVE_MOCK_SERVER"):
        if not os.access(os.environ.get(var, ""), os.X_OK):
            print(f"FAIL {var} is not an executable: {os.environ.get(var)!r}")
            return 1
    workdir = tempfile.mkdtemp(prefix=f"assistant-{sys.argv[1]}-")
    try:
        detail = CASES[sys.argv[1]](workdir)
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"ok   {sys.argv[1]}: {detail}")
        return 0
    except Failure as e:
        print(f"FAIL {sys.argv[1]}: {e}\n(kept {workdir})")
        return 1


if __name__ == "__main__":
    sys.exit(main())
