#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stand-in for xdg-desktop-portal's ScreenCast interface, for testing
the assistant's portal client headless (the real portal needs a desktop and
shows a dialog; this one answers as if the user had chosen at once).

Usage (on a session bus of its own, e.g. under dbus-run-session):
  fake_portal.py --socket PATH --node ID [--answer N] [--close-after S] -- PROGRAM ARGS...

It owns org.freedesktop.portal.Desktop, serves
org.freedesktop.portal.ScreenCast at /org/freedesktop/portal/desktop
(version 4; monitors and windows; cursor modes hidden, embedded, metadata),
then runs PROGRAM and exits with its status. CreateSession, SelectSources
and Start answer through the Request object's Response signal, as the
portal does: Start with response N (default 0: shared; 1: the user
cancelled) and one stream, node ID, 1280x720, a monitor.
OpenPipeWireRemote returns a new connection to the PipeWire socket PATH.
With --close-after S, the session's Closed signal comes S seconds after
Start, as when the user stops sharing from the desktop's indicator.
Each call is logged on stderr ("fake portal: ...").
"""

import argparse
import socket
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = "org.freedesktop.portal.Desktop"
PATH = "/org/freedesktop/portal/desktop"
XML = """<node>
 <interface name="org.freedesktop.portal.ScreenCast">
  <method name="CreateSession">
   <arg type="a{sv}" name="options" direction="in"/><arg type="o" name="handle" direction="out"/>
  </method>
  <method name="SelectSources">
   <arg type="o" name="session_handle" direction="in"/><arg type="a{sv}" name="options" direction="in"/>
   <arg type="o" name="handle" direction="out"/>
  </method>
  <method name="Start">
   <arg type="o" name="session_handle" direction="in"/><arg type="s" name="parent_window" direction="in"/>
   <arg type="a{sv}" name="options" direction="in"/><arg type="o" name="handle" direction="out"/>
  </method>
  <method name="OpenPipeWireRemote">
   <arg type="o" name="session_handle" direction="in"/><arg type="a{sv}" name="options" direction="in"/>
   <arg type="h" name="fd" direction="out"/>
  </method>
  <property name="AvailableSourceTypes" type="u" access="read"/>
  <property name="AvailableCursorModes" type="u" access="read"/>
  <property name="version" type="u" access="read"/>
 </interface>
 <interface name="org.freedesktop.portal.Session">
  <method name="Close"/>
 </interface>
</node>"""
PROPERTIES = {"AvailableSourceTypes": 3, "AvailableCursorModes": 7, "version": 4}


def log(text):
    print("fake portal: " + text, file=sys.stderr, flush=True)


class Portal:
    def __init__(self, args, connection):
        self.args = args
        self.connection = connection
        self.info = Gio.DBusNodeInfo.new_for_xml(XML)
        self.sessions = {}
        connection.register_object(PATH, self.info.interfaces[0], self.on_call, self.on_get_property, None)

    def request_path(self, sender, options):
        token = options.get("handle_token", "t")
        return f"{PATH}/request/{sender[1:].replace('.', '_')}/{token}"

    def respond(self, sender, path, code, results):
        def emit():
            self.connection.emit_signal(sender, path, "org.freedesktop.portal.Request", "Response",
                                        GLib.Variant("(ua{sv})", (code, results)))
            return GLib.SOURCE_REMOVE
        GLib.idle_add(emit)

    def close_session(self, sender, session):
        log(f"Closed {session} (the user stopped sharing)")
        self.connection.emit_signal(sender, session, "org.freedesktop.portal.Session", "Closed",
                                    GLib.Variant("(a{sv})", ({},)))
        return GLib.SOURCE_REMOVE

    def on_get_property(self, connection, sender, path, interface, name):
        return GLib.Variant("u", PROPERTIES[name])

    def on_call(self, connection, sender, path, interface, method, params, invocation):
        p = params.unpack()
        if interface == "org.freedesktop.portal.Session":
            log(f"Close {path}")
            self.sessions.pop(path, None)
            invocation.return_value(None)
            return
        if method == "CreateSession":
            options = p[0]
            session = f"{PATH}/session/{sender[1:].replace('.', '_')}/{options.get('session_handle_token', 's')}"
            self.sessions[session] = connection.register_object(session, self.info.interfaces[1], self.on_call,
                                                                None, None)
            log(f"CreateSession -> {session}")
            request = self.request_path(sender, options)
            invocation.return_value(GLib.Variant("(o)", (request,)))
            self.respond(sender, request, 0, {"session_handle": GLib.Variant("s", session)})
        elif method == "SelectSources":
            session, options = p
            shown = ", ".join(f"{k}={options[k]}" for k in sorted(options) if k != "handle_token")
            log(f"SelectSources {shown}")
            request = self.request_path(sender, options)
            invocation.return_value(GLib.Variant("(o)", (request,)))
            self.respond(sender, request, 0 if session in self.sessions else 2, {})
        elif method == "Start":
            session, _, options = p
            log(f"Start -> response {self.args.answer}")
            request = self.request_path(sender, options)
            invocation.return_value(GLib.Variant("(o)", (request,)))
            stream = (self.args.node, {"size": GLib.Variant("(ii)", (1280, 720)),
                                       "source_type": GLib.Variant("u", 1)})
            results = {"streams": GLib.Variant("a(ua{sv})", [stream])} if self.args.answer == 0 else {}
            self.respond(sender, request, self.args.answer, results)
            if self.args.close_after is not None and self.args.answer == 0:
                GLib.timeout_add(int(self.args.close_after * 1000), self.close_session, sender, session)
        elif method == "OpenPipeWireRemote":
            remote = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            remote.connect(self.args.socket)
            fds = Gio.UnixFDList.new()
            index = fds.append(remote.fileno())
            remote.close()  # the list holds its own copy
            log("OpenPipeWireRemote -> a new connection to the PipeWire socket")
            invocation.return_value_with_unix_fd_list(GLib.Variant("(h)", (index,)), fds)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True, help="the PipeWire daemon's socket")
    parser.add_argument("--node", type=int, required=True, help="the node id Start hands out")
    parser.add_argument("--answer", type=int, default=0, help="Start's response: 0 shared, 1 cancelled")
    parser.add_argument("--close-after", type=float, help="emit the session's Closed this long after Start")
    parser.add_argument("program", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    program = args.program[1:] if args.program[:1] == ["--"] else args.program

    loop = GLib.MainLoop()
    connection = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    Portal(args, connection)
    status = [1]

    def on_exit(child, result):
        child.wait_finish(result)
        status[0] = child.get_exit_status() if child.get_if_exited() else 1
        loop.quit()

    def on_acquired(conn, name):
        log(f"owns {name}; running {program[0]}")
        child = Gio.Subprocess.new(program, Gio.SubprocessFlags.NONE)
        child.wait_async(None, on_exit)

    Gio.bus_own_name_on_connection(connection, BUS_NAME, Gio.BusNameOwnerFlags.NONE, on_acquired, None)
    loop.run()
    # The program's session Close (from its destructor) was served above.
    return status[0]


if __name__ == "__main__":
    sys.exit(main())
