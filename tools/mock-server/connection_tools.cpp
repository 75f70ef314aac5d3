// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveConnection: function calls. A BLOCKING call holds its turn until the
// toolResponse; a NON_BLOCKING one lets the model talk on, and each response's
// `scheduling` (SILENT, WHEN_IDLE, INTERRUPT) decides when it is answered;
// `willContinue` keeps the call open. Cancellation on barge-in or after
// ServerOptions::cancel_tool_after. Responses for unknown ids are dropped.
#include <algorithm>

#include "connection_helpers.h"
#include "live_connection.h"
#include "mock_log.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {
namespace {

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

LiveConnection::Step LiveConnection::tool_call_step(gint64 at_us) {
  Step step;
  step.kind = Step::Kind::ToolCall;
  step.at_us = at_us;
  step.blocking = !is_non_blocking(traits_, *tool_);
  protocol::FunctionCall call;
  call.id = "function-call-" + std::to_string(++*env_.next_call_id);
  call.name = tool_->name;
  call.args = tool_call_args(*tool_, session_->turns, turn_.input);
  step.message.tool_call = protocol::ToolCall{{std::move(call)}};
  return step;
}

void LiveConnection::call_sent(const std::string& id, const std::string& name, bool blocking) {
  PendingCall call;
  call.name = name;
  call.blocking = blocking;
  const auto after = env_.options->cancel_tool_after;
  if (after.count() > 0) {
    call.cancel_timer = std::make_unique<transport::SourceTimer>();
    call.cancel_timer->start(env_.context, after, [this, id] { cancel_call_after_timeout(id); });
  }
  calls_[id] = std::move(call);
  env_.state->update([](ServerStats& s) { ++s.tool_calls; });
  log("toolCall " + id + " " + name + (blocking ? " (BLOCKING)" : " (NON_BLOCKING)"));
}

void LiveConnection::cancel_calls(const std::vector<std::string>& ids) {
  protocol::ServerMessage cancel;
  cancel.tool_call_cancellation = protocol::ToolCallCancellation{ids};
  send(cancel);
  std::string list;
  for (const auto& id : ids) {
    calls_.erase(id);
    list += (list.empty() ? "" : ", ") + id;
  }
  env_.state->update([&](ServerStats& s) { s.tool_cancellations += static_cast<unsigned>(ids.size()); });
  log("toolCallCancellation " + list);
}

void LiveConnection::cancel_call_after_timeout(const std::string& id) {
  auto it = calls_.find(id);
  if (it == calls_.end() || phase_ != Phase::Ready) return;
  const std::string name = it->second.name;
  const bool blocking = it->second.blocking;
  log("no final response for " + id + " after " + std::to_string(env_.options->cancel_tool_after.count()) + " ms");
  cancel_calls({id});
  if (blocking && turn_phase_ == TurnPhase::AwaitingTool && contains(turn_.call_ids, id)) {
    // The model answers without the result.
    turn_.input.tool_cancelled = name;
    turn_phase_ = TurnPhase::Generating;
    plan_reply(0);
  }
}

void LiveConnection::handle_tool_response(const protocol::ToolResponse& response) {
  for (const auto& fr : response.function_responses) {
    if (phase_ != Phase::Ready) return;
    handle_function_response(fr);
  }
}

void LiveConnection::handle_function_response(const protocol::FunctionResponse& fr) {
  auto it = calls_.find(fr.id);
  if (it == calls_.end()) {
    // Too late (cancelled), answered already, or never called: the service
    // drops it.
    log("toolResponse for unknown or cancelled call \"" + fr.id + "\": ignored");
    env_.state->update([](ServerStats& s) { ++s.ignored_tool_responses; });
    return;
  }
  env_.state->update([](ServerStats& s) { ++s.tool_responses; });
  TurnInput result;
  result.tool_name = fr.name.empty() ? it->second.name : fr.name;
  result.tool_response_json = fr.response.is_null() ? "{}" : fr.response.to_string();

  if (it->second.blocking) {
    // The turn that made the call waits for exactly this response;
    // scheduling and willContinue are for NON_BLOCKING calls.
    calls_.erase(it);
    log("toolResponse for " + fr.id);
    if (turn_phase_ == TurnPhase::AwaitingTool && contains(turn_.call_ids, fr.id)) {
      turn_.input.tool_name = result.tool_name;
      turn_.input.tool_response_json = result.tool_response_json;
      turn_phase_ = TurnPhase::Generating;
      plan_reply(0);  // first_reply_delay was spent before the toolCall
    }
    return;
  }

  const bool final = !fr.will_continue.value_or(false);
  if (final) calls_.erase(it);
  const std::string scheduling = fr.scheduling.value_or("WHEN_IDLE");
  log("toolResponse for " + fr.id + " (" + scheduling + (final ? "" : ", willContinue") + ")");
  if (scheduling == "SILENT") return;  // context only: no generation
  if (scheduling == "INTERRUPT") {
    if (turn_phase_ != TurnPhase::None) {
      log("INTERRUPT response during the reply: the model interrupts itself");
      interrupt(false);
    }
    start_tool_result_turn(std::move(result));
    return;
  }
  // WHEN_IDLE: after the reply under way, and after the user's input.
  if (turn_phase_ == TurnPhase::None && !turn_open_)
    start_tool_result_turn(std::move(result));
  else
    tool_results_.push_back(std::move(result));
}

}  // namespace geminilive::mock
