# SPDX-License-Identifier: LGPL-2.1-or-later
"""The pipeline-test markers and gst-launch-1.0 blocks of a Markdown file
(the format: run_doc_pipelines.py's docstring)."""

import re

from harness import Failure

MARKER_RE = re.compile(r"^\s*<!--\s*pipeline-test:(.*?)-->\s*$")
FENCE_RE = re.compile(r"^\s*```+\s*(\w*)")


def split_outside_quotes(text, separators):
    """Splits on any character of separators outside double quotes; keeps quotes."""
    parts, cur, quoted = [], "", False
    for c in text:
        if c == '"':
            quoted = not quoted
            cur += c
        elif c in separators and not quoted:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return [p for p in (p.strip() for p in parts) if p]


def unquote(value):
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def parse_marker(body):
    marker = {"skip": False, "x11": False, "pipewire": False, "seconds": None, "timeout": None,
              "expect": [], "id": None, "reason": None}
    for token in split_outside_quotes(body, " \t"):
        key, eq, value = token.partition("=")
        value = unquote(value)
        if not eq and key in ("skip", "x11", "pipewire"):
            marker[key] = True
        elif key == "id" and value:
            marker["id"] = value
        elif key == "reason":
            marker["reason"] = value
        elif key in ("seconds", "timeout"):
            try:
                marker[key] = float(value)
            except ValueError:
                raise Failure(f"marker: {key}={value} is not a number")
        elif key == "expect":
            marker["expect"] = split_outside_quotes(token[len("expect="):], ",")
        else:
            raise Failure(f"marker: unknown option {token!r}")
    if marker["skip"]:
        if not marker["reason"]:
            raise Failure('marker: skip needs reason="..."')
    elif not marker["id"]:
        raise Failure("marker: id=NAME is missing")
    return marker


def find_blocks(path):
    """Returns (line number, marker text or None, command) for each gst-launch-1.0
    block, and (line number, marker text, None) for each marker without one."""
    lines = open(path, encoding="utf-8").read().split("\n")
    results = []
    pending = None  # (line number, marker text) of the last marker seen
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER_RE.match(line)
        fence = FENCE_RE.match(line)
        if m:
            if pending:
                results.append((pending[0], pending[1], None))
            pending = (i + 1, m.group(1))
            i += 1
            continue
        if fence:
            lang = fence.group(1)
            start = i
            i += 1
            body = []
            while i < len(lines) and not FENCE_RE.match(lines[i]):
                body.append(lines[i])
                i += 1
            i += 1  # closing fence
            text = "\n".join(body).strip()
            if lang in ("sh", "bash", "shell") and text.startswith("gst-launch-1.0"):
                results.append((start + 1, pending[1] if pending else None, text))
                pending = None
            elif pending:
                results.append((pending[0], pending[1], None))
                pending = None
            continue
        if line.strip() and pending:
            results.append((pending[0], pending[1], None))
            pending = None
        i += 1
    if pending:
        results.append((pending[0], pending[1], None))
    return results
