#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Draws geminilive-bench's results (its JSON) as one PNG: CPU and peak RSS
of the element against the official SDK, and the latency distributions.

Usage: plot.py bench.json out.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        results = json.load(f)
    scenarios = results["scenarios"]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    fig.suptitle("geminilive-bench: " + results["machine"] + (" (smoke run)" if results.get("smoke") else ""))

    t = scenarios.get("throughput")
    cpu, rss = axes[0], axes[1]
    if t:
        names = ["geminilivesink", "official SDK (Node)"]
        ours = [t["element.cpu_s"], t["sdk.cpu_s"]]
        server = [t["element.server_cpu_s"], t["sdk.server_cpu_s"]]
        x = [0, 1]
        cpu.bar([i - 0.2 for i in x], ours, width=0.4, color=["tab:blue", "tab:orange"], label="client process")
        cpu.bar([i + 0.2 for i in x], server, width=0.4, color="lightgray", label="local server (lean) meanwhile")
        cpu.set_xticks(x)
        cpu.set_xticklabels(names)
        cpu.set_ylabel("CPU seconds")
        cpu.set_title("throughput: CPU (SDK/element = %.1f)" % t["sdk_over_element_cpu"])
        cpu.legend()
        rss.bar(names, [t["element.peak_rss_mb"], t["sdk.peak_rss_mb"]], color=["tab:blue", "tab:orange"])
        rss.axhline(60, color="red", linestyle="--", label="target 60 MB")
        rss.set_ylabel("peak RSS, MB")
        rss.set_title("throughput: peak RSS")
        rss.legend()
        cpu.text(0.01, -0.16, t.get("media", ""), transform=cpu.transAxes, fontsize=7)

    lat = axes[2]
    series = []
    for scenario, key, label in [
        ("latency", "pad_to_wire_ms", "pad -> wire"),
        ("latency", "wire_to_pad_ms", "wire -> pad"),
        ("interrupt", "interrupted_to_silence_ms", "interrupted -> silence"),
        ("startup", "playing_to_setup_complete_ms", "PLAYING -> setupComplete"),
    ]:
        samples = scenarios.get(scenario, {}).get("samples", {}).get(key)
        if samples:
            series.append((label, samples))
    if series:
        lat.boxplot([s for _, s in series], vert=False, whis=(1, 99), showfliers=True)
        lat.set_yticks(range(1, len(series) + 1))
        lat.set_yticklabels([label for label, _ in series])
        lat.set_xscale("log")
        lat.set_xlabel("ms (box: p25-p75, whiskers: p1-p99)")
        lat.set_title("latency")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=100)


if __name__ == "__main__":
    main()
