// SPDX-License-Identifier: LGPL-2.1-or-later
// What geminilivesink's setting rows (sink_setting_rows.cpp) do with their
// values: where in the session's configuration they go, and how the JSON
// and list values are read and checked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/expected.h"
#include "protocol/setup.h"
#include "session/session_config.h"

namespace geminilive::plugin {
struct SettingEnum;
}

namespace geminilive::plugin::setting_values {

// The choices of the enum properties. The VAD sensitivities' wire values
// lack their START_SENSITIVITY_ / END_SENSITIVITY_ prefix, which is the
// row's.
extern const SettingEnum kResponseModality;
extern const SettingEnum kMediaResolution;
extern const SettingEnum kThinkingLevel;
extern const SettingEnum kVadSensitivity;
extern const SettingEnum kActivityHandling;
extern const SettingEnum kTurnCoverage;

// The parts of the setup a row writes into, created on first use.
protocol::GenerationConfig& generation(session::SessionConfig& c);
protocol::SpeechConfig& speech(session::SessionConfig& c);
protocol::ThinkingConfig& thinking(session::SessionConfig& c);
protocol::RealtimeInputConfig& realtime(session::SessionConfig& c);
protocol::AutomaticActivityDetection& activity_detection(session::SessionConfig& c);

// "en-US, de-DE" → {"en-US", "de-DE"}.
std::vector<std::string> split_list(const std::string& list);

// The declarations `tools` names: inline JSON when it begins with [ or {,
// else the file holding it. The error is the sentence for the user.
protocol::Expected<std::vector<protocol::Tool>> resolve_tools(const std::string& value);

// `history`: a JSON array of Content objects.
protocol::Expected<std::vector<protocol::Content>> parse_history(const std::string& json);

// Checks for a value being set (empty is always fine): the error sentence.
std::optional<std::string> check_history(const std::string& value);
std::optional<std::string> check_setup_extra(const std::string& value);

}  // namespace geminilive::plugin::setting_values
