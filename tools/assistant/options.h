// SPDX-License-Identifier: LGPL-2.1-or-later
// The command line of geminilive-assistant (docs/assistant.md lists it).
#pragma once

#include <glib.h>

#include <string>

namespace geminilive::assistant {

// What a screen assistant is asked to be when --system-instruction is not given.
extern const char kDefaultSystemInstruction[];

struct Options {
  // The session (empty: the element's default).
  std::string model;
  std::string voice;
  std::string system_instruction = kDefaultSystemInstruction;
  std::string uri;
  // --vertex PROJECT[/LOCATION]: Vertex AI (empty project: the Developer API).
  std::string vertex_project;
  std::string vertex_location;   // empty: the element's default, global
  bool local = false;            // the in-process local server even with a key
  bool push_to_talk = false;     // vad=false: Enter starts and stops talking
  std::string media_resolution;  // low|medium|high; empty: the service's default
  bool search = false;           // the googleSearch tool
  bool code_execution = false;   // the codeExecution tool

  // What is captured.
  guint64 window_xid = 0;      // 0: the whole screen
  std::string window_name;     // ximagesrc xname
  bool change_gate = true;     // geminilivechangegate: frames only when the screen changed
  double gate_keepalive = -1;  // --keepalive seconds; < 0: the element's default
  double gate_threshold = -1;  // --change-threshold fraction; < 0: the element's default
  std::string pipewire_node;   // --pipewire-node: this PipeWire node, not the portal's choice
  bool no_mic = false;
  std::string question_wav;  // ask this instead of the microphone, then end

  // What is written.
  std::string notes_path = "notes.md";
  std::string reply_wav = "geminilive-reply.wav";  // when there is no speaker, or one exchange
  std::string transcript_path;                     // empty: only in one-exchange mode
  std::string record_path;                         // Matroska recording

  bool print_config = false;
  bool verbose = false;

  // Testing only (hidden): the local server calls this function in every turn.
  std::string local_tool_call;
};

// Parses argv (GStreamer's own options included). Returns false with a
// message for bad usage; --help prints and exits, as GOption does.
bool parse_options(int* argc, char*** argv, Options* options, std::string* error);

}  // namespace geminilive::assistant
