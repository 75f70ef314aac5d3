// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_settings.h"

#include <algorithm>
#include <map>
#include <mutex>

#include "protocol/client_message.h"
#include "session/backend_rules.h"
#include "session/model_rules.h"

namespace geminilive::plugin {

namespace {

constexpr char kHiddenSecret[] = "***";

const std::vector<SettingRow>& rows() { return sink_setting_rows(); }

std::size_t index_of(std::string_view name) {
  static const std::map<std::string_view, std::size_t> index = [] {
    std::map<std::string_view, std::size_t> m;
    for (std::size_t i = 0; i < rows().size(); ++i) m.emplace(rows()[i].name, i);
    return m;
  }();
  auto it = index.find(name);
  g_assert(it != index.end() && "no such setting");
  return it->second;
}

GParamSpec* param_spec(const SettingRow& r, GParamFlags flags) {
  switch (r.type) {
    case SettingType::Boolean:
      return g_param_spec_boolean(r.name, r.nick, r.blurb, std::get<bool>(r.default_value), flags);
    case SettingType::Int:
      return g_param_spec_int(r.name, r.nick, r.blurb, gint(r.min), gint(r.max),
                              gint(std::get<gint64>(r.default_value)), flags);
    case SettingType::UInt:
      return g_param_spec_uint(r.name, r.nick, r.blurb, guint(r.min), guint(r.max),
                               guint(std::get<guint64>(r.default_value)), flags);
    case SettingType::UInt64:
      return g_param_spec_uint64(r.name, r.nick, r.blurb, guint64(r.min),
                                 r.max >= double(G_MAXUINT64)  ? G_MAXUINT64
                                 : r.max >= double(G_MAXINT64) ? guint64(G_MAXINT64)
                                                               : guint64(r.max),
                                 std::get<guint64>(r.default_value), flags);
    case SettingType::Double:
      return g_param_spec_double(r.name, r.nick, r.blurb, r.min, r.max, std::get<double>(r.default_value), flags);
    case SettingType::String: {
      const std::string& def = std::get<std::string>(r.default_value);
      return g_param_spec_string(r.name, r.nick, r.blurb, def.empty() ? nullptr : def.c_str(), flags);
    }
    case SettingType::Enum:
      return g_param_spec_enum(r.name, r.nick, r.blurb, SinkSettings::enum_type(*r.choices),
                               gint(std::get<gint64>(r.default_value)), flags);
  }
  return nullptr;
}

// The property whose value put the setup field at `wire_path` there: the
// row whose wire path is it or holds it, preferring one the user set; else
// setup-extra, the only other way in.
std::string property_for(const SinkSettings& settings, const std::string& wire_path) {
  const SettingRow* found = nullptr;
  for (const auto& r : rows()) {
    if (!r.wire || !*r.wire) continue;
    const std::string wire = r.wire;
    const bool covers = wire_path == wire || wire_path.compare(0, wire.size() + 1, wire + ".") == 0 ||
                        wire.compare(0, wire_path.size() + 1, wire_path + ".") == 0;
    if (!covers) continue;
    if (settings.get(r.name) != r.default_value) return r.name;
    if (!found) found = &r;
  }
  if (!settings.get_string("setup-extra").empty()) return "setup-extra";
  return found ? found->name : "setup-extra";
}

// What an AUDIO-only model does with a request for text: it answers aloud,
// and its transcript is the text (geminilivesrc stream=text carries it).
void adapt_to_model(session::SessionConfig& config, const session::ModelRules* rules) {
  auto& generation = config.setup.generation_config;
  const bool wants_text =
      generation && std::count(generation->response_modalities.begin(), generation->response_modalities.end(), "TEXT");
  if (wants_text && rules && !rules->text_output) {
    generation->response_modalities = {"AUDIO"};
    config.setup.output_audio_transcription.emplace();
  } else if (wants_text) {
    config.setup.output_audio_transcription.reset();  // only spoken answers have a transcript
  }
  // Unknown models: a context change resumes on a new connection, which
  // every model takes.
  config.context_update = rules && rules->context_update;
}

}  // namespace

SinkSettings::SinkSettings() {
  values_.reserve(rows().size());
  for (const auto& r : rows()) values_.push_back(r.default_value);
}

const SettingValue& SinkSettings::get(std::string_view name) const { return values_[index_of(name)]; }

std::optional<std::string> SinkSettings::set(std::string_view name, SettingValue value) {
  const std::size_t i = index_of(name);
  const SettingRow& r = rows()[i];
  g_assert(value.index() == r.default_value.index());
  if (auto* s = std::get_if<std::string>(&value)) {
    if (s->empty() && (r.flags & kSettingEmptyIsDefault)) value = r.default_value;
    if (r.check)
      if (auto error = r.check(*s)) return error;
  }
  values_[i] = std::move(value);
  return std::nullopt;
}

const SettingRow* SinkSettings::row(guint prop_id) {
  return prop_id >= 1 && prop_id <= rows().size() ? &rows()[prop_id - 1] : nullptr;
}

GType SinkSettings::enum_type(const SettingEnum& choices) {
  static std::mutex mutex;
  static std::map<const SettingEnum*, GType> types;
  std::lock_guard<std::mutex> lock(mutex);
  if (auto it = types.find(&choices); it != types.end()) return it->second;
  GType type = g_type_from_name(choices.type_name);
  if (!type) {
    // Registered once per process and never freed, as GLib requires.
    auto* values = g_new0(GEnumValue, choices.choices.size() + 1);
    for (std::size_t i = 0; i < choices.choices.size(); ++i)
      values[i] = {choices.choices[i].value, choices.choices[i].description, choices.choices[i].nick};
    type = g_enum_register_static(choices.type_name, values);
  }
  types.emplace(&choices, type);
  return type;
}

void SinkSettings::install_properties(GObjectClass* klass, GParamFlags ready_flag, GParamFlags playing_flag) {
  for (std::size_t i = 0; i < rows().size(); ++i) {
    const SettingRow& r = rows()[i];
    const auto flags = static_cast<GParamFlags>(G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
                                                ((r.flags & kSettingPlaying) ? playing_flag : ready_flag));
    g_object_class_install_property(klass, guint(i + 1), param_spec(r, flags));
  }
}

std::optional<std::string> SinkSettings::set_property(guint prop_id, const GValue* value) {
  const SettingRow* r = row(prop_id);
  switch (r->type) {
    case SettingType::Boolean:
      return set(r->name, bool(g_value_get_boolean(value)));
    case SettingType::Int:
      return set(r->name, gint64(g_value_get_int(value)));
    case SettingType::Enum:
      return set(r->name, gint64(g_value_get_enum(value)));
    case SettingType::UInt:
      return set(r->name, guint64(g_value_get_uint(value)));
    case SettingType::UInt64:
      return set(r->name, g_value_get_uint64(value));
    case SettingType::Double:
      return set(r->name, g_value_get_double(value));
    case SettingType::String: {
      const char* s = g_value_get_string(value);
      return set(r->name, std::string(s ? s : ""));
    }
  }
  return std::nullopt;
}

void SinkSettings::get_property(guint prop_id, GValue* value) const {
  const SettingRow* r = row(prop_id);
  const SettingValue& v = values_[prop_id - 1];
  switch (r->type) {
    case SettingType::Boolean:
      g_value_set_boolean(value, std::get<bool>(v));
      break;
    case SettingType::Int:
      g_value_set_int(value, gint(std::get<gint64>(v)));
      break;
    case SettingType::Enum:
      g_value_set_enum(value, gint(std::get<gint64>(v)));
      break;
    case SettingType::UInt:
      g_value_set_uint(value, guint(std::get<guint64>(v)));
      break;
    case SettingType::UInt64:
      g_value_set_uint64(value, std::get<guint64>(v));
      break;
    case SettingType::Double:
      g_value_set_double(value, std::get<double>(v));
      break;
    case SettingType::String: {
      const std::string& s = std::get<std::string>(v);
      // Not set reads back as NULL; a secret as "***".
      g_value_set_string(value, s.empty() ? nullptr : (r->flags & kSettingSecret) ? kHiddenSecret : s.c_str());
      break;
    }
  }
}

protocol::Expected<session::SessionConfig> SinkSettings::session_config(std::string api_key) const {
  session::SessionConfig config;
  config.api_key = std::move(api_key);
  for (std::size_t i = 0; i < rows().size(); ++i) {
    if (!rows()[i].apply) continue;
    if (auto error = rows()[i].apply(values_[i], config)) return protocol::Error{*error};
  }
  // Checked as sent: transparent resumption is asked for by the session's
  // setup (SessionSetup), not by config.setup.
  protocol::Setup as_sent = config.setup;
  if (config.resumption && config.transparent_resumption) {
    if (!as_sent.session_resumption) as_sent.session_resumption.emplace();
    as_sent.session_resumption->transparent = true;
  }
  if (auto refusal = session::refused_by_backend(config.backend, as_sent)) {
    const std::string property = property_for(*this, refusal->wire_path);
    const char* backend = config.backend == protocol::Backend::VertexAi ? "vertex-ai" : "gemini-api";
    return protocol::Error{std::string("backend=") + backend + " does not take " + property + " (" +
                           refusal->wire_path + "): " + refusal->why + ". Change " + property +
                           " or backend (docs/elements.md lists what each backend takes)."};
  }
  const std::string& model = get_string("model");
  const session::ModelRules* rules = session::find_model_rules(model);
  adapt_to_model(config, rules);
  if (!rules) return config;
  // What goes on the wire, setup-extra merged in, is what the model sees.
  protocol::Setup sent = config.setup;
  if (!sent.extra.is_null()) {
    auto merged = protocol::decode_client_message(protocol::encode_client_message(config.setup));
    if (merged && std::holds_alternative<protocol::Setup>(merged.value()))
      sent = std::get<protocol::Setup>(std::move(merged).value());
  }
  if (auto refusal = session::refused_field(*rules, sent)) {
    const std::string property = property_for(*this, refusal->wire_path);
    return protocol::Error{"The model " + session::model_id(model) + " does not take " + property + " (" +
                           refusal->wire_path + "): " + refusal->why + ". Change " + property +
                           " or choose another model (docs/elements.md lists what each model takes)."};
  }
  return config;
}

}  // namespace geminilive::plugin
