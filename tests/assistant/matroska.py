# SPDX-License-Identifier: LGPL-2.1-or-later
"""A minimal Matroska (EBML) reader for the --record test: the track entries
(type, codec, name, rate, channels, size) and each track's block payloads."""

import struct

from harness import Failure

# Matroska (EBML) ids: the masters walked into, and the leaves read.
MASTERS = {0x18538067, 0x1654AE6B, 0xAE, 0x1F43B675, 0xA0, 0xE0, 0xE1}
TRACK_ENTRY, CLUSTER_BLOCKS = 0xAE, {0xA3, 0xA1}
LEAVES = {0xD7: "number", 0x83: "type", 0x86: "codec", 0x536E: "name", 0xB5: "rate", 0x9F: "channels",
          0xB0: "width", 0xBA: "height"}


def read_vint(data, pos, keep_marker):
    first = data[pos]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    value = first if keep_marker else first & (0xFF >> length)
    for b in data[pos + 1:pos + length]:
        value = (value << 8) | b
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def matroska_tracks(path):
    """{track number: {type, codec, name, rate, ..., blocks: [payload, ...]}}"""
    data = open(path, "rb").read()
    tracks, current = {}, None
    pos = 0
    while pos < len(data):
        eid, pos, _ = read_vint(data, pos, True)
        size, pos, unknown = read_vint(data, pos, False)
        if eid in MASTERS:
            if eid == TRACK_ENTRY:
                current = {"blocks": []}
                end = pos + size
                # children follow; the entry is filed when its number is read
                current["_end"] = end
            continue  # walk into it
        if unknown:
            raise Failure(f"{path}: unknown size on element {eid:#x}")
        payload = data[pos:pos + size]
        pos += size
        if eid in LEAVES and current is not None and pos <= current["_end"]:
            key = LEAVES[eid]
            if key in ("codec", "name"):
                current[key] = payload.decode("utf-8", "replace").rstrip("\0")
            elif key == "rate":
                current[key] = struct.unpack(">d" if size == 8 else ">f", payload)[0]
            else:
                current[key] = int.from_bytes(payload, "big")
            if key == "number":
                tracks[current[key]] = current
        elif eid in CLUSTER_BLOCKS:
            number, at, _ = read_vint(payload, 0, False)
            tracks[number]["blocks"].append(payload[at + 3:])  # timecode (2) and flags (1)
    return tracks
