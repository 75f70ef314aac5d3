// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sink_access.h"

#include <memory>
#include <utility>

#include "session/access_token_source.h"

GST_DEBUG_CATEGORY_EXTERN(gst_gemini_live_sink_debug);
#define GST_CAT_DEFAULT gst_gemini_live_sink_debug

namespace geminilive::plugin {

std::string env_access_token() {
  const char* value = g_getenv("GOOGLE_CLOUD_ACCESS_TOKEN");
  return value ? value : "";
}

namespace {

// Without a token or a handler, Application Default Credentials, when there
// are some to try: not for Vertex express mode (an API key, no project).
std::string use_adc(GstElement* sink, session::SessionConfig& config) {
  if (config.backend != protocol::Backend::VertexAi || !config.access_token.empty()) return "";
  if (!config.api_key.empty() && config.project.empty()) return "";
  if (!session::adc_present()) return "";  // check_config's refusal names every way in
  std::string error;
  auto source = session::adc_access_token_source(error);
  if (!source) {
    if (!error.empty()) error[0] = g_ascii_toupper(error[0]);
    return error + ".";
  }
  GST_INFO_OBJECT(sink, "Vertex AI access tokens from Application Default Credentials (%s)",
                  session::adc_path().c_str());
  config.access_token_source = std::move(*source);
  return "";
}

}  // namespace

std::string set_access_token_source(GstElement* sink, guint need_access_token, session::SessionConfig& config) {
  if (config.access_token.empty()) config.access_token = env_access_token();
  if (!g_signal_has_handler_pending(sink, need_access_token, 0, FALSE)) return use_adc(sink, config);
  // Weak: the session must not keep its element alive.
  std::shared_ptr<GWeakRef> ref(new GWeakRef, [](GWeakRef* r) {
    g_weak_ref_clear(r);
    delete r;
  });
  g_weak_ref_init(ref.get(), sink);
  config.access_token_provider = [ref, need_access_token]() -> std::string {
    auto* element = static_cast<GstElement*>(g_weak_ref_get(ref.get()));
    if (!element) return {};
    gchar* token = nullptr;
    g_signal_emit(element, need_access_token, 0, &token);
    std::string fresh = token ? token : "";
    g_free(token);
    GST_DEBUG_OBJECT(element, "need-access-token gave %s", fresh.empty() ? "nothing" : "a token");
    gst_object_unref(element);
    return fresh;
  };
  return "";
}

}  // namespace geminilive::plugin
