// SPDX-License-Identifier: LGPL-2.1-or-later
// LiveConnection: turns. When user input becomes a turn, the reply plan
// (content, built-in tool output, generationComplete, turnComplete) and its
// pacing, barge-in, and what follows a turn (tool results, deferred input).
#include <algorithm>
#include <cmath>
#include <utility>

#include "connection_helpers.h"
#include "live_connection.h"
#include "mock_log.h"
#include "reply_synth.h"

#define GST_CAT_DEFAULT geminilive::mock::mock_debug_category()

namespace geminilive::mock {

using protocol::ServerContent;
using protocol::ServerMessage;

void LiveConnection::end_user_turn(bool even_if_empty) {
  if (phase_ != Phase::Ready) return;
  if (turn_phase_ != TurnPhase::None) {
    // No barge-in happened (NO_INTERRUPTION, or quiet input): answer after
    // the current reply.
    deferred_turn_ = true;
    deferred_even_if_empty_ = deferred_even_if_empty_ || even_if_empty;
    return;
  }
  if (!even_if_empty && pending_.empty()) {
    turn_open_ = false;
    continue_after_turn(false);  // tool results may have waited for this input
    return;
  }
  start_turn();
}

void LiveConnection::add_reply_notes(TurnInput& input) {
  if (instructions_note_) input.new_instructions = std::exchange(instructions_note_, std::nullopt);
  if (history_note_ > 0) input.history_turns = std::exchange(history_note_, 0u);
}

void LiveConnection::start_turn() {
  turn_ = Turn{};
  turn_.input = std::move(pending_);
  pending_ = TurnInput{};
  turn_open_ = false;
  set_speech(false);
  silence_run_ms_ = 0.0;
  deferred_turn_ = false;
  deferred_even_if_empty_ = false;
  turn_phase_ = TurnPhase::Generating;
  add_reply_notes(turn_.input);

  ++session_->turns;
  session_->audio_seconds += turn_.input.audio_seconds;
  session_->frames += turn_.input.frames;
  env_.state->update([](ServerStats& s) { ++s.turns_started; });
  log("turn " + std::to_string(session_->turns) + ": " + reply_text(turn_.input));

  if (input_transcription_ && turn_.input.audio_bytes > 0) {
    ServerContent content;
    content.input_transcription = protocol::Transcription{input_transcription_text(turn_.input), true, {}};
    send(content_message(std::move(content)));
  }
  if (resumption_) send_resumption_update(false);

  const gint64 delay = ms_to_us(env_.options->first_reply_delay);
  if (tool_) {
    Step call = tool_call_step(delay);
    if (call.blocking) {
      // The reply waits for the toolResponse (handle_function_response).
      turn_.steps.push_back(std::move(call));
      turn_.start_us = g_get_monotonic_time();
      pump();
      return;
    }
    plan_reply(delay, std::move(call));  // NON_BLOCKING: the model goes on talking
    return;
  }
  plan_reply(delay);
}

void LiveConnection::start_tool_result_turn(TurnInput input) {
  turn_ = Turn{};
  turn_.tool_result = true;
  turn_.input = std::move(input);
  turn_phase_ = TurnPhase::Generating;
  add_reply_notes(turn_.input);
  env_.state->update([](ServerStats& s) { ++s.turns_started; });
  log("tool result turn: " + reply_text(turn_.input));
  if (resumption_) send_resumption_update(false);
  plan_reply(ms_to_us(env_.options->first_reply_delay));
}

void LiveConnection::plan_reply(gint64 delay_us, std::optional<Step> lead) {
  const std::string text = reply_text(turn_.input);
  const SynthResult synth = synthesize_reply(text);
  const double speed = env_.options->reply_speed;
  // Offset of a PCM byte position on the reply's paced timeline.
  auto at = [&](std::size_t pcm_byte) -> gint64 {
    if (speed <= 0.0) return delay_us;
    double us = static_cast<double>(pcm_byte / 2) * 1e6 / kReplyRate / speed;
    return delay_us + static_cast<gint64>(std::llround(us));
  };

  turn_.steps.clear();
  turn_.next = 0;
  if (lead) turn_.steps.push_back(std::move(*lead));
  const std::size_t first_content = turn_.steps.size();
  if (audio_reply_) {
    std::size_t chunk = static_cast<std::size_t>(env_.options->reply_chunk.count()) * kReplyRate / 1000 * 2;
    if (chunk == 0) chunk = static_cast<std::size_t>(kReplyRate) / 5 * 2;  // 200 ms
    std::size_t word = 0;
    for (std::size_t offset = 0; offset < synth.pcm.size(); offset += chunk) {
      const std::size_t size = std::min(chunk, synth.pcm.size() - offset);
      Step audio;
      audio.at_us = at(offset);
      audio.audio_bytes = size;
      protocol::Part part;
      part.inline_data = protocol::Blob{kReplyMime, synth.pcm.substr(offset, size)};
      ServerContent content;
      content.model_turn = protocol::Content{std::nullopt, {std::move(part)}};
      audio.message = content_message(std::move(content));
      turn_.steps.push_back(std::move(audio));

      // The words whose sound starts in this chunk.
      std::string spoken;
      while (word < synth.words.size() && synth.words[word].pcm_begin < offset + size) {
        const auto& w = synth.words[word++];
        spoken += text.substr(w.text_begin, w.text_end - w.text_begin);
      }
      if (output_transcription_ && !spoken.empty()) {
        Step tx;
        tx.at_us = at(offset);
        ServerContent c;
        c.output_transcription = protocol::Transcription{spoken, std::nullopt, std::nullopt};
        tx.message = content_message(std::move(c));
        turn_.steps.push_back(std::move(tx));
      }
    }
  } else {
    const auto fragments = reply_text_fragments(text);
    std::size_t word = 0;
    for (const auto& fragment : fragments) {
      Step step;
      step.at_us = word < synth.words.size() ? at(synth.words[word].pcm_begin) : at(synth.pcm.size());
      step.text_chars = fragment.size();
      protocol::Part part;
      part.text = fragment;
      ServerContent content;
      content.model_turn = protocol::Content{std::nullopt, {std::move(part)}};
      step.message = content_message(std::move(content));
      turn_.steps.push_back(std::move(step));
      word += 3;  // reply_text_fragments' default
    }
  }
  if (builtins_.any()) add_builtin_tool_output(turn_.steps, first_content, delay_us);

  const gint64 last = turn_.steps.empty() ? delay_us : turn_.steps.back().at_us;
  Step generation_complete;
  generation_complete.kind = Step::Kind::GenerationComplete;
  generation_complete.at_us = last;
  ServerContent gc;
  gc.generation_complete = true;
  generation_complete.message = content_message(std::move(gc));
  turn_.steps.push_back(std::move(generation_complete));
  // turnComplete when the paced "playback" of the whole reply is over.
  Step turn_complete;
  turn_complete.kind = Step::Kind::TurnComplete;
  turn_complete.at_us = std::max(last, at(synth.pcm.size()));
  turn_.steps.push_back(std::move(turn_complete));

  turn_.start_us = g_get_monotonic_time();
  pump();
}

// googleSearch and urlContext: metadata on the reply's first content message;
// codeExecution: the code and its result as a model turn before it.
void LiveConnection::add_builtin_tool_output(std::vector<Step>& steps, std::size_t first_content, gint64 at_us) {
  if (first_content >= steps.size()) return;
  ServerContent& first = *steps[first_content].message.server_content;
  if (builtins_.google_search) first.grounding_metadata = grounding_metadata(search_query(turn_.input));
  if (builtins_.url_context) first.url_context_metadata = url_context_metadata();
  if (builtins_.code_execution) {
    Step code;
    code.at_us = at_us;
    ServerContent content;
    content.model_turn = protocol::Content{std::nullopt, code_execution_parts()};
    code.message = content_message(std::move(content));
    steps.insert(steps.begin() + static_cast<std::ptrdiff_t>(first_content), std::move(code));
  }
}

void LiveConnection::pump() {
  while (phase_ == Phase::Ready && turn_phase_ == TurnPhase::Generating && turn_.next < turn_.steps.size()) {
    const gint64 elapsed = g_get_monotonic_time() - turn_.start_us;
    Step& step = turn_.steps[turn_.next];
    if (step.at_us > elapsed) {
      auto wait = std::chrono::milliseconds((step.at_us - elapsed + 999) / 1000);
      reply_timer_.start(env_.context, wait, [this] { pump(); });
      return;
    }
    ++turn_.next;
    switch (step.kind) {
      case Step::Kind::Content:
      case Step::Kind::GenerationComplete:
        send(step.message);
        turn_.sent_audio_bytes += step.audio_bytes;
        turn_.sent_text_chars += step.text_chars;
        break;
      case Step::Kind::ToolCall:
        send(step.message);
        for (const auto& call : step.message.tool_call->function_calls) {
          turn_.call_ids.push_back(call.id);
          call_sent(call.id, call.name, step.blocking);
        }
        if (step.blocking) {
          turn_phase_ = TurnPhase::AwaitingTool;
          return;
        }
        break;
      case Step::Kind::TurnComplete:
        finish_turn();
        return;
    }
  }
}

void LiveConnection::interrupt(bool cancel_pending_calls) {
  if (turn_phase_ == TurnPhase::None) return;
  reply_timer_.cancel();
  // The calls this turn made and nobody answered yet die with it.
  std::vector<std::string> cancelled;
  for (const auto& id : turn_.call_ids)
    if (cancel_pending_calls && calls_.count(id)) cancelled.push_back(id);
  if (!cancelled.empty()) cancel_calls(cancelled);
  ServerContent content;
  content.interrupted = true;
  send(content_message(std::move(content)));
  env_.state->update([](ServerStats& s) { ++s.interruptions; });
  // The input that interrupted starts the next turn; nothing deferred is
  // answered separately.
  deferred_turn_ = false;
  deferred_even_if_empty_ = false;
  finish_turn(true);
}

void LiveConnection::finish_turn(bool interrupted) {
  ServerContent content;
  content.turn_complete = true;
  // Extended thinking: the task goes on while function calls are out.
  if (traits_.interaction_status)
    content.interaction_status = calls_.empty() && tool_results_.empty() ? "IDLE" : "IN_PROGRESS";
  ServerMessage message = content_message(std::move(content));
  message.usage_metadata = turn_usage(
      turn_.input, audio_reply_, static_cast<double>(turn_.sent_audio_bytes / 2) / kReplyRate, turn_.sent_text_chars);
  // Counted first: whoever sees the turnComplete sees it in the stats too.
  env_.state->update([](ServerStats& s) { ++s.turns_completed; });
  send(message);
  reply_timer_.cancel();
  turn_phase_ = TurnPhase::None;
  turn_ = Turn{};
  if (resumption_) send_resumption_update(true);
  continue_after_turn(interrupted);
}

void LiveConnection::continue_after_turn(bool interrupted) {
  if (phase_ != Phase::Ready || turn_phase_ != TurnPhase::None) return;
  // WHEN_IDLE tool results come once the model is idle: not while the
  // user's interrupting input is still coming.
  if (!interrupted && !turn_open_ && !tool_results_.empty()) {
    TurnInput result = std::move(tool_results_.front());
    tool_results_.pop_front();
    start_tool_result_turn(std::move(result));
    return;
  }
  if (deferred_turn_) {
    bool even_if_empty = deferred_even_if_empty_;
    deferred_turn_ = false;
    deferred_even_if_empty_ = false;
    end_user_turn(even_if_empty);
  }
}

}  // namespace geminilive::mock
