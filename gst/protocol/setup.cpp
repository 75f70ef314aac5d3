// SPDX-License-Identifier: LGPL-2.1-or-later
// The setup message's JSON form. Members are written in the order the JS SDK
// writes them (liveConnectConfigToMldev), so captures read alike.
#include "protocol/setup.h"

#include <algorithm>

#include "protocol/json_fields.h"

namespace geminilive::protocol {

std::string model_resource_name(const std::string& model) {
  if (model.rfind("models/", 0) == 0 || model.rfind("tunedModels/", 0) == 0) return model;
  return "models/" + model;
}

Setup setup_for_backend(Setup setup, Backend backend) {
  if (backend == Backend::VertexAi) {
    GenerationConfig& g = setup.generation_config ? *setup.generation_config : setup.generation_config.emplace();
    if (g.response_modalities.empty()) g.response_modalities = {"AUDIO"};
  }
  return setup;
}

namespace json {
namespace {

JsonNode* speech_config_to_json(const SpeechConfig& c) {
  ObjectBuilder b;
  if (c.voice_name) {
    ObjectBuilder prebuilt;
    prebuilt.set("voiceName", *c.voice_name);
    ObjectBuilder voice;
    voice.set("prebuiltVoiceConfig", prebuilt.release());
    b.set("voiceConfig", voice.release());
  }
  b.set("languageCode", c.language_code);
  return b.release();
}

JsonNode* thinking_config_to_json(const ThinkingConfig& c) {
  ObjectBuilder b;
  b.set_int("thinkingBudget", c.thinking_budget);
  b.set("includeThoughts", c.include_thoughts);
  b.set("thinkingLevel", c.thinking_level);
  return b.release();
}

JsonNode* generation_config_to_json(const GenerationConfig& c) {
  ObjectBuilder b;
  if (!c.response_modalities.empty()) b.set("responseModalities", string_array_node(c.response_modalities));
  b.set_double("temperature", c.temperature);
  b.set_double("topP", c.top_p);
  b.set_int("topK", c.top_k);
  b.set_int("maxOutputTokens", c.max_output_tokens);
  b.set_int("candidateCount", c.candidate_count);
  b.set_double("presencePenalty", c.presence_penalty);
  b.set_double("frequencyPenalty", c.frequency_penalty);
  b.set("mediaResolution", c.media_resolution);
  b.set_int("seed", c.seed);
  if (c.speech_config) b.set("speechConfig", speech_config_to_json(*c.speech_config));
  if (c.thinking_config) b.set("thinkingConfig", thinking_config_to_json(*c.thinking_config));
  b.set("enableAffectiveDialog", c.enable_affective_dialog);
  b.set("translationConfig", c.translation_config);
  return b.release();
}

JsonNode* function_declaration_to_json(const FunctionDeclaration& f) {
  ObjectBuilder b;
  b.set("name", f.name);
  b.set("description", f.description);
  b.set("parameters", f.parameters);
  b.set("parametersJsonSchema", f.parameters_json_schema);
  b.set("response", f.response);
  b.set("responseJsonSchema", f.response_json_schema);
  b.set("behavior", f.behavior);
  return b.release();
}

const JsonValue* tool_as_written(const Tool& t, const char* name) {
  for (const auto& [kind, value] : t.as_written)
    if (kind == name) return &value;
  return nullptr;
}

JsonNode* tool_to_json(const Tool& t) {
  // The SDK's toolToMldev / toolToVertex order (the same in both).
  ObjectBuilder b;
  auto as_written = [&](const char* name) {
    if (const JsonValue* v = tool_as_written(t, name)) b.set(name, v->copy_node());
  };
  as_written("retrieval");
  as_written("googleMaps");
  as_written("mcpServers");
  if (t.code_execution) b.set_empty_object("codeExecution");
  as_written("enterpriseWebSearch");
  as_written("exaAiSearch");
  if (!t.function_declarations.empty()) {
    JsonArray* decls = json_array_new();
    for (const auto& f : t.function_declarations) json_array_add_element(decls, function_declaration_to_json(f));
    b.set("functionDeclarations", take_array_node(decls));
  }
  if (t.google_search) {
    if (t.google_search_options.is_object())
      b.set("googleSearch", t.google_search_options.copy_node());
    else
      b.set_empty_object("googleSearch");
  }
  as_written("parallelAiSearch");
  if (t.url_context) b.set_empty_object("urlContext");
  as_written("fileSearch");
  return b.release();
}

JsonNode* realtime_input_config_to_json(const RealtimeInputConfig& c) {
  ObjectBuilder b;
  if (const auto& a = c.automatic_activity_detection) {
    ObjectBuilder aad;
    aad.set("disabled", a->disabled);
    aad.set("startOfSpeechSensitivity", a->start_of_speech_sensitivity);
    aad.set("endOfSpeechSensitivity", a->end_of_speech_sensitivity);
    aad.set_int("prefixPaddingMs", a->prefix_padding_ms);
    aad.set_int("silenceDurationMs", a->silence_duration_ms);
    b.set("automaticActivityDetection", aad.release());
  }
  b.set("activityHandling", c.activity_handling);
  b.set("turnCoverage", c.turn_coverage);
  return b.release();
}

JsonNode* transcription_config_to_json(const AudioTranscriptionConfig& c) {
  ObjectBuilder b;
  if (!c.language_codes.empty()) b.set("languageCodes", string_array_node(c.language_codes));
  return b.release();
}

std::optional<SpeechConfig> speech_config_from_json(const ObjectView& o) {
  SpeechConfig c;
  if (auto voice = o.get_object("voiceConfig"))
    if (auto prebuilt = voice->get_object("prebuiltVoiceConfig")) c.voice_name = prebuilt->get_string("voiceName");
  c.language_code = o.get_string("languageCode");
  return c;
}

GenerationConfig generation_config_from_json(const ObjectView& o) {
  GenerationConfig c;
  o.for_each("responseModalities", [&](JsonNode* n, const std::string& p) {
    if (auto s = as_string(n, p, o.errors())) c.response_modalities.push_back(*s);
  });
  c.temperature = o.get_double("temperature");
  c.top_p = o.get_double("topP");
  c.top_k = o.get_int32("topK");
  c.max_output_tokens = o.get_int32("maxOutputTokens");
  c.candidate_count = o.get_int32("candidateCount");
  c.presence_penalty = o.get_double("presencePenalty");
  c.frequency_penalty = o.get_double("frequencyPenalty");
  c.seed = o.get_int32("seed");
  c.media_resolution = o.get_string("mediaResolution");
  if (auto s = o.get_object("speechConfig")) c.speech_config = speech_config_from_json(*s);
  if (auto t = o.get_object("thinkingConfig")) {
    ThinkingConfig tc;
    tc.thinking_budget = t->get_int32("thinkingBudget");
    tc.include_thoughts = t->get_bool("includeThoughts");
    tc.thinking_level = t->get_string("thinkingLevel");
    c.thinking_config = tc;
  }
  c.enable_affective_dialog = o.get_bool("enableAffectiveDialog");
  c.translation_config = o.get_value("translationConfig");
  return c;
}

// Decoding is lenient, as a server reading a client's setup is. A user's
// declarations (parse_tools_json) are read `strict`ly: what we would not
// send, or would send other than written, is an error.
constexpr const char* kDeclarationFields[] = {"name",     "description",        "parameters", "parametersJsonSchema",
                                              "response", "responseJsonSchema", "behavior"};
constexpr const char* kSchemaFields[] = {"parameters", "parametersJsonSchema", "response", "responseJsonSchema"};
constexpr const char* kToolFields[] = {"functionDeclarations", "googleSearch", "codeExecution", "urlContext"};
constexpr const char* kSetupFields[] = {"model",
                                        "generationConfig",
                                        "systemInstruction",
                                        "tools",
                                        "sessionResumption",
                                        "inputAudioTranscription",
                                        "outputAudioTranscription",
                                        "realtimeInputConfig",
                                        "contextWindowCompression",
                                        "proactivity",
                                        "historyConfig"};

// "function_declarations" -> "functionDeclarations".
std::string camel_case(const char* name) {
  std::string out;
  for (const char* p = name; *p; ++p) {
    if (*p == '_' && p[1] >= 'a' && p[1] <= 'z')
      out.push_back(static_cast<char>(*++p - 'a' + 'A'));
    else
      out.push_back(*p);
  }
  return out;
}

template <std::size_t N>
bool is_one_of(const std::string& camel, const char* const (&names)[N]) {
  for (const char* n : names)
    if (camel == n) return true;
  return false;
}

// The first member of `o` whose camelCase name `known` does not take, if any.
template <typename Known>
std::optional<std::string> first_unknown_member(const ObjectView& o, Known&& known) {
  g_autoptr(GList) members = json_object_get_members(o.object());
  for (GList* l = members; l; l = l->next) {
    const char* member = static_cast<const char*>(l->data);
    if (!known(camel_case(member))) return std::string(member);
  }
  return std::nullopt;
}

// ... not in `names` (camelCase or snake_case).
template <std::size_t N>
std::optional<std::string> unknown_member(const ObjectView& o, const char* const (&names)[N]) {
  return first_unknown_member(o, [&](const std::string& camel) { return is_one_of(camel, names); });
}

std::optional<FunctionDeclaration> declaration_from_json(JsonNode* node, const std::string& path, Errors& errors,
                                                         bool strict) {
  auto f = as_object(node, path, errors);
  if (!f) return std::nullopt;
  if (strict) {
    if (auto field = unknown_member(*f, kDeclarationFields)) {
      errors.fail(f->path(field->c_str()),
                  "not a field of a function declaration (name, description, parameters, parametersJsonSchema, "
                  "response, responseJsonSchema, behavior)");
      return std::nullopt;
    }
    for (const char* schema : kSchemaFields) f->get_object(schema);  // records "expected an object"
  }
  FunctionDeclaration d;
  d.name = f->get_string("name").value_or("");
  d.description = f->get_string("description");
  d.parameters = f->get_value("parameters");
  d.parameters_json_schema = f->get_value("parametersJsonSchema");
  d.response = f->get_value("response");
  d.response_json_schema = f->get_value("responseJsonSchema");
  d.behavior = f->get_string("behavior");
  if (errors.failed()) return std::nullopt;
  if (strict && d.name.empty()) {
    errors.fail(f->path("name"), "a function declaration needs a name");
    return std::nullopt;
  }
  return d;
}

Tool tool_from_json(const ObjectView& o, bool strict = false) {
  Tool t;
  if (strict) {
    if (auto field = first_unknown_member(o, [](const std::string& camel) {
          return is_one_of(camel, kToolFields) || is_one_of(camel, kToolsAsWritten);
        })) {
      o.errors().fail(o.path(field->c_str()),
                      "not a supported tool (functionDeclarations, googleSearch, codeExecution, urlContext; "
                      "retrieval, googleMaps, mcpServers, enterpriseWebSearch, exaAiSearch, parallelAiSearch, "
                      "fileSearch as the backend takes them)");
      return t;
    }
  }
  o.for_each("functionDeclarations", [&](JsonNode* n, const std::string& p) {
    if (auto d = declaration_from_json(n, p, o.errors(), strict)) t.function_declarations.push_back(std::move(*d));
  });
  t.google_search = o.has("googleSearch");
  if (auto options = o.get_object("googleSearch"); options && json_object_get_size(options->object()) > 0)
    t.google_search_options = o.get_value("googleSearch");
  t.code_execution = o.has("codeExecution");
  t.url_context = o.has("urlContext");
  for (const char* name : kToolsAsWritten)
    if (o.has(name)) t.as_written.emplace_back(name, o.get_value(name));
  if (strict) {
    // Only their presence is kept: options would be dropped.
    for (const char* name : {"codeExecution", "urlContext"}) {
      auto options = o.get_object(name);
      if (options && json_object_get_size(options->object()) > 0)
        o.errors().fail(o.path(name), "tool options are not supported; give {}");
    }
    if (!o.errors().failed() && t.function_declarations.empty() && !t.google_search && !t.code_execution &&
        !t.url_context && t.as_written.empty())
      o.errors().fail(o.path("functionDeclarations"), "an empty tool: no function declaration or tool in it");
  }
  return t;
}

// A user's element of the tools array: a declaration when it has a name or
// only declaration fields (so `{}` lacks a name), else a tool.
bool is_declaration(const ObjectView& o) { return o.has("name") || !unknown_member(o, kDeclarationFields); }

std::vector<Tool> user_tools_from_json(JsonNode* root, Errors& errors) {
  std::vector<Tool> tools;
  std::optional<std::size_t> bare;  // the tool gathering bare declarations
  auto add = [&](JsonNode* node, const std::string& path) {
    auto o = as_object(node, path, errors);
    if (!o) return;
    if (!is_declaration(*o)) {
      tools.push_back(tool_from_json(*o, true));
      return;
    }
    auto d = declaration_from_json(node, path, errors, true);
    if (!d) return;
    if (!bare) {
      bare = tools.size();
      tools.emplace_back();
    }
    tools[*bare].function_declarations.push_back(std::move(*d));
  };
  if (JSON_NODE_HOLDS_OBJECT(root)) {
    add(root, "$");
  } else if (JSON_NODE_HOLDS_ARRAY(root)) {
    JsonArray* array = json_node_get_array(root);
    for (guint i = 0; i < json_array_get_length(array) && !errors.failed(); ++i)
      add(json_array_get_element(array, i), "$[" + std::to_string(i) + "]");
  } else {
    errors.fail("$", "expected an array of function declarations or tools, or one function declaration");
  }
  if (errors.failed()) return {};
  // The service tells calls apart by name.
  std::vector<std::string> names;
  for (const auto& t : tools) {
    for (const auto& d : t.function_declarations) {
      if (std::find(names.begin(), names.end(), d.name) != names.end()) {
        errors.fail("", ("the function \"" + d.name + "\" is declared twice").c_str());
        return {};
      }
      names.push_back(d.name);
    }
  }
  return tools;
}

RealtimeInputConfig realtime_input_config_from_json(const ObjectView& o) {
  RealtimeInputConfig c;
  if (auto a = o.get_object("automaticActivityDetection")) {
    AutomaticActivityDetection aad;
    aad.disabled = a->get_bool("disabled");
    aad.start_of_speech_sensitivity = a->get_string("startOfSpeechSensitivity");
    aad.end_of_speech_sensitivity = a->get_string("endOfSpeechSensitivity");
    aad.prefix_padding_ms = a->get_int32("prefixPaddingMs");
    aad.silence_duration_ms = a->get_int32("silenceDurationMs");
    c.automatic_activity_detection = aad;
  }
  c.activity_handling = o.get_string("activityHandling");
  c.turn_coverage = o.get_string("turnCoverage");
  return c;
}

AudioTranscriptionConfig transcription_config_from_json(const ObjectView& o) {
  AudioTranscriptionConfig c;
  o.for_each("languageCodes", [&](JsonNode* n, const std::string& p) {
    if (auto s = as_string(n, p, o.errors())) c.language_codes.push_back(*s);
  });
  return c;
}

}  // namespace

JsonNode* tools_to_json(const std::vector<Tool>& tools) {
  JsonArray* array = json_array_new();
  for (const auto& t : tools) json_array_add_element(array, tool_to_json(t));
  return take_array_node(array);
}

std::vector<Tool> tools_from_json(const ObjectView& parent, const char* name) {
  std::vector<Tool> tools;
  parent.for_each(name, [&](JsonNode* n, const std::string& p) {
    if (auto t = as_object(n, p, parent.errors())) tools.push_back(tool_from_json(*t));
  });
  return tools;
}

JsonNode* setup_to_json(const Setup& s) {
  ObjectBuilder b;
  b.set("model", s.model);
  if (s.generation_config) b.set("generationConfig", generation_config_to_json(*s.generation_config));
  if (s.system_instruction) b.set("systemInstruction", content_to_json(*s.system_instruction));
  if (!s.tools.empty()) b.set("tools", tools_to_json(s.tools));
  if (const auto& r = s.session_resumption) {
    ObjectBuilder sr;
    sr.set("handle", r->handle);
    sr.set("transparent", r->transparent);
    b.set("sessionResumption", sr.release());
  }
  if (s.input_audio_transcription)
    b.set("inputAudioTranscription", transcription_config_to_json(*s.input_audio_transcription));
  if (s.output_audio_transcription)
    b.set("outputAudioTranscription", transcription_config_to_json(*s.output_audio_transcription));
  if (s.realtime_input_config) b.set("realtimeInputConfig", realtime_input_config_to_json(*s.realtime_input_config));
  if (const auto& c = s.context_window_compression) {
    ObjectBuilder cwc;
    if (c->trigger_tokens) cwc.set_int64_string("triggerTokens", *c->trigger_tokens);
    if (c->sliding_window) {
      ObjectBuilder sw;
      if (c->sliding_window->target_tokens) sw.set_int64_string("targetTokens", *c->sliding_window->target_tokens);
      cwc.set("slidingWindow", sw.release());
    }
    b.set("contextWindowCompression", cwc.release());
  }
  if (s.proactivity) {
    ObjectBuilder p;
    p.set("proactiveAudio", s.proactivity->proactive_audio);
    b.set("proactivity", p.release());
  }
  if (s.history_config) {
    ObjectBuilder h;
    h.set("initialHistoryInClientContent", s.history_config->initial_history_in_client_content);
    b.set("historyConfig", h.release());
  }
  JsonNode* setup = b.release();
  json_merge_objects(setup, s.extra.node());
  return setup;
}

std::optional<Setup> setup_from_json(JsonNode* node, const std::string& path, Errors& errors) {
  auto o = as_object(node, path, errors);
  if (!o) return std::nullopt;
  Setup s;
  s.model = o->get_string("model").value_or("");
  if (auto g = o->get_object("generationConfig")) s.generation_config = generation_config_from_json(*g);
  if (JsonNode* si = o->find("systemInstruction"))
    s.system_instruction = content_from_json(si, o->path("systemInstruction"), errors);
  s.tools = tools_from_json(*o, "tools");
  if (auto r = o->get_object("sessionResumption")) {
    SessionResumptionConfig c;
    c.handle = r->get_string("handle");
    c.transparent = r->get_bool("transparent");
    s.session_resumption = c;
  }
  if (auto t = o->get_object("inputAudioTranscription"))
    s.input_audio_transcription = transcription_config_from_json(*t);
  if (auto t = o->get_object("outputAudioTranscription"))
    s.output_audio_transcription = transcription_config_from_json(*t);
  if (auto r = o->get_object("realtimeInputConfig")) s.realtime_input_config = realtime_input_config_from_json(*r);
  if (auto c = o->get_object("contextWindowCompression")) {
    ContextWindowCompression cwc;
    cwc.trigger_tokens = c->get_int("triggerTokens");
    if (auto sw = c->get_object("slidingWindow")) cwc.sliding_window = SlidingWindow{sw->get_int("targetTokens")};
    s.context_window_compression = cwc;
  }
  if (auto p = o->get_object("proactivity")) s.proactivity = Proactivity{p->get_bool("proactiveAudio")};
  if (auto h = o->get_object("historyConfig"))
    s.history_config = HistoryConfig{h->get_bool("initialHistoryInClientContent")};
  // The rest, as written, for Setup::extra.
  ObjectBuilder extra;
  g_autoptr(GList) members = json_object_get_members(o->object());
  for (GList* l = members; l; l = l->next) {
    const char* member = static_cast<const char*>(l->data);
    if (!is_one_of(camel_case(member), kSetupFields))
      extra.set(member, json_node_copy(json_object_get_member(o->object(), member)));
  }
  if (!extra.empty()) s.extra = JsonValue(extra.release());
  if (errors.failed()) return std::nullopt;
  return s;
}

}  // namespace json

Expected<std::vector<Tool>> parse_tools_json(std::string_view text) {
  auto parsed = JsonValue::parse(text);
  if (!parsed) return Error{parsed.error()};
  json::Errors errors;
  std::vector<Tool> tools = json::user_tools_from_json(parsed->node(), errors);
  if (errors.failed()) return errors.error();
  return tools;
}

}  // namespace geminilive::protocol
