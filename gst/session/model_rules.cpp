// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/model_rules.h"

namespace geminilive::session {

namespace {

constexpr Accepts No = Accepts::No;
constexpr Accepts Yes = Accepts::Yes;
constexpr Accepts Always = Accepts::Always;

// Sources: live-protocol-2026.md §2 (D38, D38X, D31, DTHINK, DTRS, DTRL) and
// §7.6 for function behaviour. Where the docs say nothing, Yes: only what the
// service documents as refused is refused here.
// clang-format off
const std::vector<ModelRules> kModels = {
  // family                                prefix status              text   th.level th.budget proactive affective blocking nonblk  default         midCC  ctxUpd
  {"gemini-3.8-live-extended-thinking",    false, "stable",           false, Yes,     No,       Always,   No,       No,      Yes,    "NON_BLOCKING", true,  true},
  {"gemini-3.8-live",                      false, "stable (default)", false, No,      No,       Always,   No,       Yes,     Yes,    "NON_BLOCKING", true,  true},
  {"gemini-3.5-transcribe-live",           false, "available",        true,  Yes,     Yes,      No,       No,       Yes,     Yes,    "BLOCKING",     false, false},
  {"gemini-3.5-live-translate-preview",    false, "preview",          false, Yes,     Yes,      No,       No,       Yes,     Yes,    "BLOCKING",     false, false},
  {"gemini-3.1-flash-live-preview",        false, "legacy preview",   false, Yes,     Yes,      No,       No,       Yes,     No,     "BLOCKING",     false, false},
  {"gemini-2.5-flash-native-audio",        true,  "preview",          false, Yes,     Yes,      Yes,      Yes,      Yes,     Yes,    "BLOCKING",     true,  false},
  {"gemini-live-2.5-flash-native-audio",   true,  "Vertex AI, GA",    false, Yes,     Yes,      Yes,      Yes,      Yes,     Yes,    "BLOCKING",     true,  false},
};
// clang-format on

std::string_view strip_prefix(std::string_view model) {
  // "models/x", "publishers/google/models/x", "projects/p/locations/l/publishers/google/models/x"
  const auto slash = model.rfind("/models/");
  if (slash != std::string_view::npos) return model.substr(slash + 8);
  if (model.substr(0, 7) == "models/") return model.substr(7);
  return model;
}

const char* accepts_behavior(const ModelRules& rules, const std::string& behavior, Accepts* accepts) {
  if (behavior == "BLOCKING")
    *accepts = rules.blocking_calls;
  else if (behavior == "NON_BLOCKING")
    *accepts = rules.non_blocking_calls;
  else
    *accepts = Yes;
  return behavior.c_str();
}

}  // namespace

const std::vector<ModelRules>& known_models() { return kModels; }

std::string model_id(std::string_view model) { return std::string(strip_prefix(model)); }

const ModelRules* find_model_rules(std::string_view model) {
  const std::string_view id = strip_prefix(model);
  for (const auto& rules : kModels) {
    const std::string_view family = rules.family;
    if (id == family || (rules.prefix && id.substr(0, family.size()) == family)) return &rules;
  }
  return nullptr;
}

std::optional<Refusal> refused_field(const ModelRules& rules, const protocol::Setup& setup) {
  const std::string model = rules.family;
  if (const auto& g = setup.generation_config) {
    for (const auto& modality : g->response_modalities)
      if (modality == "TEXT" && !rules.text_output)
        return Refusal{"generationConfig.responseModalities",
                       model + " answers only in audio; its text is the output transcription"};
    if (const auto& t = g->thinking_config) {
      if (t->thinking_level && rules.thinking_level == No)
        return Refusal{"generationConfig.thinkingConfig.thinkingLevel", model + " takes no thinking level"};
      if (t->thinking_budget && rules.thinking_budget == No)
        return Refusal{"generationConfig.thinkingConfig.thinkingBudget", model + " takes no thinking budget"};
      if (t->include_thoughts && rules.thinking_level == No && rules.thinking_budget == No)
        return Refusal{"generationConfig.thinkingConfig.includeThoughts", model + " takes no thinking settings"};
    }
    if (g->enable_affective_dialog && rules.affective_dialog == No)
      return Refusal{"generationConfig.enableAffectiveDialog", model + " has no affective dialog"};
  }
  if (setup.proactivity && setup.proactivity->proactive_audio) {
    const bool on = *setup.proactivity->proactive_audio;
    if (rules.proactive_audio == No) return Refusal{"proactivity.proactiveAudio", model + " has no proactive audio"};
    if (rules.proactive_audio == Always && !on)
      return Refusal{"proactivity.proactiveAudio", model + " always has proactive audio; it cannot be turned off"};
  }
  for (const auto& tool : setup.tools) {
    for (const auto& f : tool.function_declarations) {
      if (!f.behavior) continue;
      Accepts accepts = Yes;
      const char* behavior = accepts_behavior(rules, *f.behavior, &accepts);
      if (accepts == No)
        return Refusal{"tools.functionDeclarations.behavior",
                       model + " does not take " + behavior + " functions (\"" + f.name + "\")"};
    }
  }
  return std::nullopt;
}

}  // namespace geminilive::session
