// SPDX-License-Identifier: LGPL-2.1-or-later
// What the service's built-in tools add to a reply, when the setup (or a
// contextUpdate) enables them: googleSearch → groundingMetadata,
// codeExecution → executableCode and codeExecutionResult parts, urlContext →
// urlContextMetadata. Fixed, predictable values, so a test can compare them.
#pragma once

#include <string>
#include <vector>

#include "protocol/content.h"
#include "protocol/json_value.h"
#include "protocol/setup.h"

namespace geminilive::mock {

struct BuiltinTools {
  bool google_search = false;
  bool code_execution = false;
  bool url_context = false;

  static BuiltinTools from(const std::vector<protocol::Tool>& tools);
  bool any() const { return google_search || code_execution || url_context; }
};

// {"webSearchQueries":[query],"groundingChunks":[{"web":{"uri":
// "https://example.com/search?q=<query, escaped>","title":"Example result"}}],
// "searchEntryPoint":{"renderedContent":"..."}}
protocol::JsonValue grounding_metadata(const std::string& query);

// {"urlMetadata":[{"retrievedUrl":"https://example.com/","urlRetrievalStatus":
// "URL_RETRIEVAL_STATUS_SUCCESS"}]}
protocol::JsonValue url_context_metadata();

// The parts {"executableCode":{"language":"PYTHON","code":"print(2 + 2)"}} and
// {"codeExecutionResult":{"outcome":"OUTCOME_OK","output":"4\n"}}.
std::vector<protocol::Part> code_execution_parts();

}  // namespace geminilive::mock
