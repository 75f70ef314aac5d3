// SPDX-License-Identifier: LGPL-2.1-or-later
// Server → client messages (BidiGenerateContentServerMessage). The service
// sends a oneof (setupComplete | serverContent | toolCall |
// toolCallCancellation | goAway | sessionResumptionUpdate) plus usageMetadata
// riding along with any of them, and newer models bundle several fields into
// one message, so every field is decoded independently.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/content.h"
#include "protocol/expected.h"
#include "protocol/json_value.h"

namespace geminilive::protocol {

struct SetupComplete {
  std::optional<std::string> session_id;  // Vertex only
};

struct Transcription {
  std::string text;  // may be empty: outputTranscription can be {}
  std::optional<bool> finished;
  std::optional<std::string> language_code;
};

struct ServerContent {
  std::optional<Content> model_turn;
  bool generation_complete = false;
  bool turn_complete = false;
  bool interrupted = false;
  bool waiting_for_input = false;
  std::optional<Transcription> input_transcription;
  std::optional<Transcription> output_transcription;
  std::optional<Transcription> interim_input_transcription;
  std::optional<std::string> turn_complete_reason;  // MALFORMED_FUNCTION_CALL, ...
  std::optional<std::string> interaction_status;    // IN_PROGRESS | IDLE
  JsonValue grounding_metadata;
  JsonValue url_context_metadata;
};

struct ToolCall {
  std::vector<FunctionCall> function_calls;
};

struct ToolCallCancellation {
  std::vector<std::string> ids;
};

struct GoAway {
  std::optional<std::chrono::nanoseconds> time_left;
};

struct SessionResumptionUpdate {
  std::string new_handle;  // empty when not resumable
  bool resumable = false;
  std::optional<int64_t> last_consumed_client_message_index;  // Vertex transparent mode
};

struct ModalityTokenCount {
  std::string modality;  // TEXT | AUDIO | IMAGE | VIDEO | DOCUMENT
  int64_t token_count = 0;
};

struct UsageMetadata {
  std::optional<int64_t> prompt_token_count;
  std::optional<int64_t> cached_content_token_count;
  std::optional<int64_t> response_token_count;  // Vertex: candidatesTokenCount
  std::optional<int64_t> tool_use_prompt_token_count;
  std::optional<int64_t> thoughts_token_count;
  std::optional<int64_t> total_token_count;
  std::vector<ModalityTokenCount> prompt_tokens_details;
  std::vector<ModalityTokenCount> cache_tokens_details;
  std::vector<ModalityTokenCount> response_tokens_details;  // Vertex: candidatesTokensDetails
  std::vector<ModalityTokenCount> tool_use_prompt_tokens_details;
};

struct VoiceActivityDetectionSignal {
  std::string vad_signal_type;  // VAD_SIGNAL_TYPE_SOS | VAD_SIGNAL_TYPE_EOS
};

struct VoiceActivity {
  std::string type;  // ACTIVITY_START | ACTIVITY_END
  std::optional<std::chrono::nanoseconds> audio_offset;
};

struct ServerMessage {
  std::optional<SetupComplete> setup_complete;
  std::optional<ServerContent> server_content;
  std::optional<ToolCall> tool_call;
  std::optional<ToolCallCancellation> tool_call_cancellation;
  std::optional<GoAway> go_away;
  std::optional<SessionResumptionUpdate> session_resumption_update;
  std::optional<UsageMetadata> usage_metadata;
  std::optional<VoiceActivityDetectionSignal> voice_activity_detection_signal;
  std::optional<VoiceActivity> voice_activity;

  // True when no known field was present (an unknown or empty message).
  bool empty() const;
};

// Typed views of ServerContent's free-form grounding metadata, for elements
// that show where an answer came from. Lenient: entries of the wrong shape are
// skipped, a null or non-object value gives nothing; snake_case names too.

struct GroundingSource {
  std::string title;  // web.title, else web.domain; may be empty
  std::string uri;
};

// groundingMetadata.webSearchQueries: what the model searched for.
std::vector<std::string> grounding_queries(const JsonValue& grounding_metadata);
// groundingMetadata.groundingChunks[].web (or Vertex's retrievedContext) with
// a uri, in order, each uri once.
std::vector<GroundingSource> grounding_sources(const JsonValue& grounding_metadata);
// groundingMetadata.searchEntryPoint.renderedContent: the Google Search
// suggestions (HTML and CSS) that the Search grounding terms ask apps to show.
std::optional<std::string> grounding_search_entry_point(const JsonValue& grounding_metadata);

struct UrlRetrieval {
  std::string url;     // retrievedUrl
  std::string status;  // URL_RETRIEVAL_STATUS_SUCCESS | _ERROR | _PAYWALL | _UNSAFE | _UNSPECIFIED
};

// urlContextMetadata.urlMetadata[]: the pages the urlContext tool fetched.
std::vector<UrlRetrieval> url_retrievals(const JsonValue& url_context_metadata);

std::string encode_server_message(const ServerMessage& message, JsonStyle style = JsonStyle::Pretty);
// Accepts camelCase and snake_case names; unknown fields are ignored.
Expected<ServerMessage> decode_server_message(std::string_view json);

}  // namespace geminilive::protocol
