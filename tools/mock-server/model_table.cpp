// SPDX-License-Identifier: LGPL-2.1-or-later
#include "model_table.h"

#include <glib.h>

#include "service_errors.h"

namespace geminilive::mock {
namespace {

// The id after the last "models/" ("models/gemini-3.8-live" -> "gemini-3.8-live").
std::string model_id(const std::string& model) {
  const std::string marker = "models/";
  std::size_t at = model.rfind(marker);
  return at == std::string::npos ? model : model.substr(at + marker.size());
}

std::string not_supported(const std::string& what, const std::string& model) {
  return invalid_argument(what + " is not supported by models/" + model_id(model) + ".");
}

bool any_text_modality(const protocol::GenerationConfig& gen) {
  for (const auto& m : gen.response_modalities)
    if (g_ascii_strcasecmp(m.c_str(), "TEXT") == 0) return true;
  return false;
}

}  // namespace

ModelTraits model_traits(const std::string& model) {
  const std::string id = model_id(model);
  ModelTraits t;
  if (id == "gemini-3.8-live") {
    t.family = ModelFamily::Live38;
    t.async_calls_by_default = true;
  } else if (id == "gemini-3.8-live-extended-thinking") {
    t.family = ModelFamily::Live38Thinking;
    t.async_calls_by_default = true;
    t.interaction_status = true;
  } else if (id == "gemini-3.1-flash-live-preview") {
    t.family = ModelFamily::FlashLive31Preview;
    t.context_update = false;
    t.mid_session_client_content = false;
    t.sync_calls_only = true;
  }
  return t;
}

std::optional<std::string> setup_refusal(const protocol::Setup& setup) {
  const ModelTraits traits = model_traits(setup.model);
  const auto& gen = setup.generation_config;
  switch (traits.family) {
    case ModelFamily::Live38:
    case ModelFamily::Live38Thinking: {
      // AUDIO out only; proactive audio always on; affective dialog removed.
      if (gen && any_text_modality(*gen)) return not_supported("response_modalities TEXT", setup.model);
      if (gen && gen->thinking_config) {
        if (traits.family == ModelFamily::Live38) return not_supported("thinking_config", setup.model);
        const auto& thinking = *gen->thinking_config;
        if (thinking.thinking_budget) return not_supported("thinking_budget", setup.model);
        const std::string level = thinking.thinking_level.value_or("");
        if (!level.empty() && level != "LOW" && level != "MEDIUM" && level != "HIGH")
          return not_supported("thinking_level " + level, setup.model);
      }
      if (setup.proactivity && setup.proactivity->proactive_audio == false)
        return not_supported("proactive_audio false", setup.model);
      if (gen && gen->enable_affective_dialog) return not_supported("enable_affective_dialog", setup.model);
      break;
    }
    case ModelFamily::FlashLive31Preview:
      if (setup.proactivity) return not_supported("proactivity", setup.model);
      if (gen && gen->enable_affective_dialog) return not_supported("enable_affective_dialog", setup.model);
      break;
    case ModelFamily::Other:
      break;
  }
  return tools_refusal(setup.model, setup.tools);
}

std::optional<std::string> tools_refusal(const std::string& model, const std::vector<protocol::Tool>& tools) {
  if (model_traits(model).family != ModelFamily::Live38Thinking) return std::nullopt;
  // Extended thinking calls functions asynchronously only.
  for (const auto& tool : tools)
    for (const auto& decl : tool.function_declarations)
      if (decl.behavior.value_or("") == "BLOCKING") return not_supported("behavior BLOCKING", model);
  return std::nullopt;
}

bool is_non_blocking(const ModelTraits& traits, const protocol::FunctionDeclaration& decl) {
  if (traits.sync_calls_only) return false;
  const std::string behavior = decl.behavior.value_or("");
  if (behavior == "NON_BLOCKING") return true;
  if (behavior == "BLOCKING") return false;
  return traits.async_calls_by_default;  // absent or UNSPECIFIED
}

}  // namespace geminilive::mock
