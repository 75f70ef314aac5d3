# SPDX-License-Identifier: LGPL-2.1-or-later
"""The assistant's conversation cases (of run_assistant_tests.py, which
documents them): typing in interactive mode, reconnecting, push-to-talk,
the latency of an answer.
Each case gets the runner's module as `h` for its helpers."""

import os
import re
import signal
import subprocess
import threading
import time
import wave

from harness import Failure


class Interactive:
    """The program in interactive mode: stdout read line by line, stdin open."""

    def __init__(self, args, env, workdir):
        self.start = time.monotonic()
        self.proc = subprocess.Popen([os.environ["GEMINILIVE_ASSISTANT"]] + args, cwd=workdir, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines, self.err = [], []
        self.err_reader = threading.Thread(target=lambda: self.err.append(self.proc.stderr.read().decode()),
                                           daemon=True)
        self.err_reader.start()

    def output(self):
        return "".join(self.lines)

    def wait_for(self, pattern, bound=30):
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        self.proc.kill()
        raise Failure(f"no {pattern!r} line within {bound} s:\n{self.output()}--- stderr\n{''.join(self.err)}")

    def type(self, line):
        self.proc.stdin.write((line if isinstance(line, bytes) else line.encode()) + b"\n")
        self.proc.stdin.flush()

    def interrupt(self, bound=20):
        """Ctrl-C, then the rest of the output; the exit status."""
        self.proc.send_signal(signal.SIGINT)
        rest = []
        reader = threading.Thread(target=lambda: rest.append(self.proc.stdout.read()), daemon=True)
        reader.start()
        try:
            self.proc.wait(timeout=bound)
            reader.join(5)
            self.err_reader.join(5)  # stderr to its end
            out = rest[0] if rest else b""
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise Failure(f"still running {bound} s after Ctrl-C:\n{self.output()}")
        self.lines.append(out.decode())
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def case_interactive(h, workdir):
    with Interactive(["--no-mic", "--transcript", "t.md"], h.clean_env(), workdir) as run:
        run.wait_for(r"^\[state\] ready")
        # A line in Latin-1 is refused with a word; typing goes on.
        run.type("caf\xe9".encode("latin-1"))
        run.wait_for(r"^\[warning\] a typed line is not UTF-8")
        run.type("What is on the screen?")
        run.wait_for(r"^\[usage\]")
        status = run.interrupt()
    output = run.output()
    h.expect(status == 0, f"status {status}:\n{output}")
    reply = re.search(r"^gemini: (.*)$", output, re.M)
    h.expect(reply and reply.group(1).endswith("You wrote: What is on the screen?"), f"no reply:\n{output}")
    h.expect("[state] ending: " in output and "[state] session ended" in output, f"did not end through EOS:\n{output}")
    with open(os.path.join(workdir, "t.md"), encoding="utf-8") as f:
        transcript = f.read()
    h.expect("**you (typed):** What is on the screen?" in transcript and reply.group(1) in transcript,
           f"transcript:\n{transcript}")
    return f"{time.monotonic() - run.start:.1f} s; answered: {reply.group(1)}"


def case_reconnect(h, workdir):
    # The server drops every connection 1 s after its setup: the element
    # reconnects and resumes; the program says so and the session goes on.
    with h.mock_server(workdir, "--drop-after", "1") as server, \
            Interactive(["--no-mic", "--uri", server.uri], h.clean_env(key="test-key"), workdir) as run:
        run.wait_for(r"^\[state\] ready")
        line = run.wait_for(r"^\[state\] reconnecting")
        h.expect(re.fullmatch(r"\[state\] reconnecting \(.+\), attempt 1 in \d+ ms\n", line), f"line {line!r}")
        run.wait_for(r"^\[state\] resumed after 1 attempt\(s\)")
        run.type("Still there?")
        run.wait_for(r"^gemini: .*You wrote: Still there\?")
        status = run.interrupt()
    log = server.log()
    h.expect(status == 0, f"status {status}:\n{run.output()}")
    h.expect(re.search(r"connection 2: setup .*, resumed", log), "the second connection did not resume:\n" + log)
    return f"{time.monotonic() - run.start:.1f} s; reconnected and resumed, then answered"


def question_seconds(h, result):
    """The length of the recorded question the run announced, from its WAV."""
    m = re.search(r"^\[audio\] no microphone: asking the recorded question (.+), then ending", result.out, re.M)
    h.expect(m, "no recorded question line\n" + result.describe())
    with wave.open(m.group(1)) as w:
        return w.getnframes() / w.getframerate()


def local_received(h, result):
    """The in-process server's count of what it received (-v, at the end)."""
    m = re.search(r"^\[local server\] received (\d+) setup, (\d+) frames, (\d+) audio chunks "
                  r"\((\d+) between activityStart and activityEnd\), (\d+) activityStart, (\d+) activityEnd, "
                  r"(\d+) audioStreamEnd, (\d+) texts", result.err, re.M)
    h.expect(m, "no '[local server] received ...' line\n" + result.describe())
    keys = ("setups", "frames", "audio", "audio_in_activity", "starts", "ends", "stream_ends", "texts")
    return dict(zip(keys, map(int, m.groups())))


def case_push_to_talk(h, workdir):
    _, _, setup = h.print_config(["--push-to-talk"], h.clean_env(), workdir)
    aad = setup.get("realtimeInputConfig", {}).get("automaticActivityDetection", {})
    h.expect(aad.get("disabled") is True, f"realtimeInputConfig: {setup.get('realtimeInputConfig')}")
    r = h.run_assistant(["--print-config", "--push-to-talk"], h.clean_env(), workdir, timeout=30)
    h.expect(re.search(r"^speech detection: push-to-talk", r.out, re.M), "print-config does not say push-to-talk\n" + r.out)
    _, _, plain = h.print_config([], h.clean_env(), workdir)
    h.expect("realtimeInputConfig" not in plain, f"without --push-to-talk: {plain.get('realtimeInputConfig')}")

    r = h.run_assistant(["-v", "--push-to-talk"], h.clean_env(), workdir)
    h.expect(r.status == 0, r.describe())
    for line in ("[audio] push-to-talk: the recorded question goes between activity-start and activity-end",
                 "[talking] activity-start: the recorded question follows",
                 "[talking] activity-end: the recorded question is over"):
        h.expect(line + "\n" in r.out, f"no {line!r} line\n" + r.describe())
    got = local_received(h, r)
    h.expect(got["starts"] == 1 and got["ends"] == 1, f"the server got {got}\n" + r.describe())
    h.expect(got["audio"] > 0 and got["audio_in_activity"] == got["audio"],
           f"not all the question's audio went between activityStart and activityEnd: {got}")
    reply = h.local_reply(r)
    m = h.REPLY_RE.search(reply)
    want = question_seconds(h, r)
    h.expect(m and abs(float(m.group(1)) - want) <= 0.15,
           f"the answer heard {m and m.group(1)} s; the question lasts {want:.2f} s: {reply!r}")
    h.check_reply_wav(os.path.join(workdir, "geminilive-reply.wav"), reply)
    h.check_transcript(r.file("geminilive-transcript.md"), reply)
    h.check_console(r, reply)
    return f"{r.elapsed:.1f} s; server got {got}; answer: {reply}"


def case_push_to_talk_typed(h, workdir):
    with Interactive(["-v", "--no-mic", "--push-to-talk", "--transcript", "t.md"], h.clean_env(), workdir) as run:
        run.wait_for(r"^\[state\] push-to-talk: press Enter to start talking and Enter again to stop")
        run.wait_for(r"^\[state\] ready")
        run.type("What is on the screen?")
        run.wait_for(r"^gemini: .*You wrote: What is on the screen\?")
        run.wait_for(r"^\[usage\]")
        run.type("")
        run.wait_for(r"^\[talking\] \.\.\. press Enter to stop$")
        run.type("")
        run.wait_for(r"^\[talking\] stopped; waiting for the answer$")
        run.wait_for(r"^gemini: ")
        run.wait_for(r"^\[usage\]")
        status = run.interrupt()
    output = run.output()
    err = "".join(run.err)
    h.expect(status == 0, f"status {status}:\n{output}")
    m = re.search(r"^\[local server\] received .*, (\d+) activityStart, (\d+) activityEnd, \d+ audioStreamEnd, "
                  r"(\d+) texts", err, re.M)
    h.expect(m and m.groups() == ("2", "2", "1"), f"want 2 activityStart, 2 activityEnd, 1 text:\n{err}")
    with open(os.path.join(workdir, "t.md"), encoding="utf-8") as f:
        transcript = f.read()
    h.expect("**you (typed):** What is on the screen?" in transcript, f"transcript:\n{transcript}")
    return f"{time.monotonic() - run.start:.1f} s; typed turn and Enter/Enter turn answered"


def case_latency(h, workdir):
    # A server that thinks 0.4 s before each answer: the one exchange's
    # "[latency]" line says at least that, on the console and in the
    # transcript, once.
    with h.mock_server(workdir, "--first-reply-delay", "400") as server:
        r = h.run_assistant(["--uri", server.uri], h.clean_env(key="test-key"), workdir)
    h.expect(r.status == 0, r.describe() + "--- server\n" + server.log())
    lines = re.findall(r"^\[latency\] (\d+\.\d\d) s to first byte, (\d+\.\d\d) s to first sound$", r.out, re.M)
    h.expect(len(lines) == 1, f"want one [latency] line, got {lines}\n" + r.describe())
    to_byte, to_sound = map(float, lines[0])
    h.expect(0.4 <= to_byte <= to_sound < 10, f"{to_byte} s to first byte, {to_sound} s to first sound")
    line = f"[latency] {lines[0][0]} s to first byte, {lines[0][1]} s to first sound"
    transcript = r.file("geminilive-transcript.md")
    h.expect(f"*{line}*" in transcript, f"the transcript lacks {line!r}:\n{transcript}")
    return f"{r.elapsed:.1f} s; {line}"


def cases(h):
    return {"interactive": lambda workdir: case_interactive(h, workdir),
            "reconnect": lambda workdir: case_reconnect(h, workdir),
            "push-to-talk": lambda workdir: case_push_to_talk(h, workdir),
            "push-to-talk-typed": lambda workdir: case_push_to_talk_typed(h, workdir),
            "latency": lambda workdir: case_latency(h, workdir)}
