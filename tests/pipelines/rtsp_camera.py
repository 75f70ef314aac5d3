#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A local RTSP camera for run_doc_pipelines.py: serves a live 640x360, 10 fps
test picture (videotestsrc, JPEG over RTP) at rtsp://127.0.0.1:PORT/stream,
prints that URL as its first stdout line, and serves until SIGTERM or SIGINT.

Needs PyGObject and GStreamer's RTSP server library with its introspection
data: the Debian packages python3-gi and gir1.2-gst-rtsp-server-1.0.
"""

import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

# I420: RTP/JPEG (RFC 2435) carries only 4:2:0 and 4:2:2 JPEGs.
CAMERA = ("( videotestsrc is-live=true pattern=ball ! "
          "video/x-raw,format=I420,width=640,height=360,framerate=10/1 ! "
          "jpegenc ! rtpjpegpay name=pay0 pt=26 )")


def main():
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")  # any free port
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(CAMERA)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/stream", factory)
    if server.attach(None) == 0:
        print("rtsp_camera: cannot listen on 127.0.0.1", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    print(f"rtsp://127.0.0.1:{server.get_bound_port()}/stream", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
