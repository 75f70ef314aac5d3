// SPDX-License-Identifier: LGPL-2.1-or-later
#include "builtin_tools.h"

#include <glib.h>

namespace geminilive::mock {
namespace {

protocol::JsonValue parse(const std::string& json) { return protocol::JsonValue::parse(json).value(); }

// A JSON string literal, escaped by json-glib.
std::string json_string(const std::string& s) {
  g_autoptr(JsonNode) node = json_node_new(JSON_NODE_VALUE);
  json_node_set_string(node, s.c_str());
  return protocol::json_serialize(node);
}

}  // namespace

BuiltinTools BuiltinTools::from(const std::vector<protocol::Tool>& tools) {
  BuiltinTools b;
  for (const auto& t : tools) {
    b.google_search = b.google_search || t.google_search;
    b.code_execution = b.code_execution || t.code_execution;
    b.url_context = b.url_context || t.url_context;
  }
  return b;
}

protocol::JsonValue grounding_metadata(const std::string& query) {
  g_autofree char* escaped = g_uri_escape_string(query.c_str(), nullptr, FALSE);
  const std::string uri = std::string("https://example.com/search?q=") + escaped;
  return parse(R"({"webSearchQueries":[)" + json_string(query) + R"(],"groundingChunks":[{"web":{"uri":)" +
               json_string(uri) + R"(,"title":"Example result"}}],"searchEntryPoint":{"renderedContent":)" +
               json_string("<div class=\"search-entry-point\"><a href=\"" + uri + "\">" + query + "</a></div>") + "}}");
}

protocol::JsonValue url_context_metadata() {
  return parse(R"({"urlMetadata":[{"retrievedUrl":"https://example.com/",)"
               R"("urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"}]})");
}

std::vector<protocol::Part> code_execution_parts() {
  protocol::Part code;
  code.executable_code = parse(R"json({"language":"PYTHON","code":"print(2 + 2)"})json");
  protocol::Part result;
  result.code_execution_result = parse(R"({"outcome":"OUTCOME_OK","output":"4\n"})");
  return {std::move(code), std::move(result)};
}

}  // namespace geminilive::mock
