// SPDX-License-Identifier: LGPL-2.1-or-later
#include "errors.h"

namespace geminilive::plugin {

using Kind = session::SessionError::Kind;

GstErrorCode error_code(Kind kind) {
  switch (kind) {
    case Kind::Settings:
      return {GST_LIBRARY_ERROR, GST_LIBRARY_ERROR_SETTINGS};
    case Kind::Unauthorized:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED};
    case Kind::NotFound:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND};
    case Kind::InvalidArgument:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS};
    case Kind::Connect:
      return {GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_OPEN_READ_WRITE};
    case Kind::Closed:
      break;
  }
  return {GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED};
}

std::string error_text(const session::SessionError& error) {
  std::string text = error.message;
  if (text.empty()) text = "The Gemini Live session failed.";
  if (!error.reason.empty() && text.find(error.reason) == std::string::npos)
    text += " The service said: \"" + error.reason + "\"";
  return text;
}

void post_session_error(GstElement* element, const session::SessionError& error) {
  const GstErrorCode code = error_code(error.kind);
  std::string debug;
  if (error.close_code != 0) debug = "WebSocket close code " + std::to_string(error.close_code);
  if (!error.reason.empty()) debug += (debug.empty() ? "" : ": ") + error.reason;
  gst_element_message_full(element, GST_MESSAGE_ERROR, code.domain, code.code, g_strdup(error_text(error).c_str()),
                           debug.empty() ? nullptr : g_strdup(debug.c_str()), __FILE__, GST_FUNCTION, __LINE__);
}

void post_warning(GstElement* element, const std::string& text, const std::string& debug) {
  gst_element_message_full(element, GST_MESSAGE_WARNING, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
                           g_strdup(text.c_str()), debug.empty() ? nullptr : g_strdup(debug.c_str()), __FILE__,
                           GST_FUNCTION, __LINE__);
}

}  // namespace geminilive::plugin
