// SPDX-License-Identifier: LGPL-2.1-or-later
// Close reasons of the local Live server, worded as the service words them
// (live-protocol.md §5.2; live-protocol-2026.md §2.1, §3). A WebSocket close
// reason holds 123 bytes; LiveConnection::close() cuts longer ones.
#pragma once

#include <string>

namespace geminilive::mock {

inline constexpr char kInvalidArgument[] = "Request contains an invalid argument.";
inline constexpr char kBadKey[] = "API key not valid. Please pass a valid API key.";
inline constexpr char kSessionNotFound[] = "BidiGenerateContent session not found";
inline constexpr char kAborted[] = "The operation was aborted.";

// 1007 for activityStart/activityEnd while automatic activity detection is on.
inline constexpr char kActivityWithVad[] =
    "Explicit activity control is not supported when automatic activity detection is enabled.";

// "Request contains an invalid argument: <detail>", the form of every 1007
// that names what was wrong.
inline std::string invalid_argument(const std::string& detail) {
  return "Request contains an invalid argument: " + detail;
}

}  // namespace geminilive::mock
