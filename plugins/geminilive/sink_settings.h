// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilivesink's properties as one table (sink_setting_rows.cpp): each row
// is a property (name, type, range, default, whether it may change while
// PLAYING) and where its value goes in the session's configuration. The
// element installs the table's properties and keeps their values in a
// SinkSettings; the SessionConfig is built from them and checked against the
// model's rules before anything connects. GObject, not GStreamer: tested
// without a pipeline.
#pragma once

#include <glib-object.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/expected.h"
#include "session/session_config.h"

namespace geminilive::plugin {

// Booleans, signed integers (Int, Enum), unsigned ones (UInt, UInt64),
// doubles and strings.
using SettingValue = std::variant<bool, gint64, guint64, double, std::string>;

// Short reads of a row's value, for the rows' apply functions.
namespace row_value {
inline const std::string& str(const SettingValue& v) { return std::get<std::string>(v); }
inline bool flag(const SettingValue& v) { return std::get<bool>(v); }
inline gint64 num(const SettingValue& v) { return std::get<gint64>(v); }
inline guint64 unum(const SettingValue& v) { return std::get<guint64>(v); }
inline double real(const SettingValue& v) { return std::get<double>(v); }
}  // namespace row_value

enum class SettingType { Boolean, Int, UInt, UInt64, Double, String, Enum };

struct SettingChoice {
  gint value;
  const char* nick;         // the property value: "high"
  const char* description;  // for gst-inspect
  const char* wire;         // what goes on the wire ("MEDIA_RESOLUTION_HIGH"), null: nothing
};

struct SettingEnum {
  const char* type_name;  // "GstGeminiLiveMediaResolution"
  std::vector<SettingChoice> choices;
};

enum SettingFlags : unsigned {
  kSettingPlaying = 1 << 0,         // may change while PLAYING (else NULL or READY only)
  kSettingSecret = 1 << 1,          // reads back as "***" (NULL when empty); never logged
  kSettingEmptyIsDefault = 1 << 2,  // setting "" or NULL restores the default
};

// Writes the value into the configuration. The error is a sentence for the
// user (a file that cannot be read, ...).
using SettingApply = std::optional<std::string> (*)(const SettingValue& value, session::SessionConfig& config);
// Checks a value when it is set; the error is the sentence for the warning,
// and the old value stays.
using SettingCheck = std::optional<std::string> (*)(const std::string& value);

struct SettingRow {
  const char* name;
  const char* nick;
  const char* blurb;  // one line for gst-inspect; the doc comment above the row says the rest
  SettingType type;
  double min;
  double max;
  SettingValue default_value;
  unsigned flags;
  const char* wire;            // where it goes in the setup ("generationConfig.temperature"), null: not in the setup
  SettingApply apply;          // null: the element's own (channel, sync, ...), or applied elsewhere (api-key)
  const SettingEnum* choices;  // Enum rows
  SettingCheck check;          // String rows, optional
};

// The rows, in the order gst-inspect lists the properties.
const std::vector<SettingRow>& sink_setting_rows();
// The way-in rows among them (backend, project, location, access-token,
// ca-file), listed after api-key.
const std::vector<SettingRow>& sink_access_rows();
// The flow rows (sink_flow_rows.cpp): pacing, limits, the end of input and
// how the connection is kept; listed last.
const std::vector<SettingRow>& sink_flow_rows();

// The choice's wire value for an Enum setting's value, null for none.
const char* setting_choice_wire(const SettingEnum& choices, gint64 value);

class SinkSettings {
 public:
  SinkSettings();  // every row's default

  const SettingValue& get(std::string_view name) const;
  bool get_bool(std::string_view name) const { return std::get<bool>(get(name)); }
  gint64 get_int(std::string_view name) const { return std::get<gint64>(get(name)); }
  guint64 get_uint(std::string_view name) const { return std::get<guint64>(get(name)); }
  double get_double(std::string_view name) const { return std::get<double>(get(name)); }
  const std::string& get_string(std::string_view name) const { return std::get<std::string>(get(name)); }
  // Sets a value of the row's type. The error (the value is not taken) when
  // the row's check refuses it.
  std::optional<std::string> set(std::string_view name, SettingValue value);

  // GObject plumbing: property ids are row index + 1. `playing_flag` is the
  // flag that marks a property mutable in PLAYING (GST_PARAM_MUTABLE_PLAYING;
  // others get `ready_flag`).
  static void install_properties(GObjectClass* klass, GParamFlags ready_flag, GParamFlags playing_flag);
  static const SettingRow* row(guint prop_id);
  static GType enum_type(const SettingEnum& choices);
  std::optional<std::string> set_property(guint prop_id, const GValue* value);
  void get_property(guint prop_id, GValue* value) const;

  // The configuration these settings describe for `api_key`, adapted to the
  // model (an AUDIO-only model answers text requests with its transcript)
  // and checked against its rules; or the error sentence, naming the
  // property and the model.
  protocol::Expected<session::SessionConfig> session_config(std::string api_key) const;

 private:
  std::vector<SettingValue> values_;  // one per row
};

}  // namespace geminilive::plugin
