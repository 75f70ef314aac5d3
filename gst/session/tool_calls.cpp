// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/tool_calls.h"

#include <glib.h>
#include <json-glib/json-glib.h>

#include <algorithm>
#include <utility>

namespace geminilive::session {

void ToolCalls::called(const protocol::ToolCall& call, uint64_t handles, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& f : call.function_calls) {
    if (f.id.empty()) continue;
    Open& open = open_[f.id];
    open.name = f.name;
    open.handles = handles;
    if (timeout_.count() > 0) open.deadline = now + timeout_;
    closed_.erase(f.id);  // an id the service reuses is a new call
  }
}

std::vector<ToolCalls::Call> ToolCalls::abandon(const protocol::ToolCall& call) {
  std::vector<Call> out;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& f : call.function_calls) {
    if (f.id.empty()) continue;
    open_.erase(f.id);
    close_locked(f.id, Verdict::Abandoned);
    out.push_back({f.id, f.name});
  }
  return out;
}

void ToolCalls::cancelled(const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& id : ids) {
    open_.erase(id);
    close_locked(id, Verdict::Cancelled);
  }
}

ToolCalls::Verdict ToolCalls::respond(const protocol::FunctionResponse& response) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = closed_.find(response.id); it != closed_.end()) return it->second;
  if (!response.will_continue.value_or(false)) open_.erase(response.id);
  return Verdict::Send;
}

std::vector<ToolCalls::Call> ToolCalls::expire(Clock::time_point now) {
  std::vector<Call> out;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = open_.begin(); it != open_.end();) {
    if (!it->second.deadline || *it->second.deadline > now) {
      ++it;
      continue;
    }
    out.push_back({it->first, it->second.name});
    close_locked(it->first, Verdict::TimedOut);
    it = open_.erase(it);
  }
  return out;
}

std::optional<ToolCalls::Clock::time_point> ToolCalls::next_deadline() const {
  std::optional<Clock::time_point> next;
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, open] : open_)
    if (open.deadline && (!next || *open.deadline < *next)) next = open.deadline;
  return next;
}

std::vector<ToolCalls::Call> ToolCalls::moved(bool resumed, uint64_t handles) {
  std::vector<Call> out;
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = open_.begin(); it != open_.end();) {
    if (resumed && it->second.handles < handles) {
      ++it;  // a handle issued after the call holds it
      continue;
    }
    out.push_back({it->first, it->second.name});
    close_locked(it->first, Verdict::Abandoned);
    it = open_.erase(it);
  }
  return out;
}

std::size_t ToolCalls::open_calls() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_.size();
}

protocol::FunctionResponse ToolCalls::timeout_response(const Call& call) const {
  JsonObject* object = json_object_new();
  json_object_set_string_member(object, "error",
                                ("No response from the application within " + seconds_text(timeout_) + " s.").c_str());
  JsonNode* node = json_node_init_object(json_node_alloc(), object);
  json_object_unref(object);
  protocol::FunctionResponse response;
  response.id = call.id;
  response.name = call.name;
  response.response = protocol::JsonValue(node);
  return response;
}

const char* ToolCalls::verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::Send:
      return "open";
    case Verdict::Cancelled:
      return "cancelled by the service";
    case Verdict::TimedOut:
      return "answered with an error by the tool timeout";
    case Verdict::Abandoned:
      return "lost with the connection that made it";
  }
  return "closed";
}

void ToolCalls::close_locked(const std::string& id, Verdict why) {
  if (closed_.insert_or_assign(id, why).second) closed_order_.push_back(id);
  while (closed_order_.size() > kClosedKept) {
    closed_.erase(closed_order_.front());
    closed_order_.pop_front();
  }
}

std::string seconds_text(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  char text[32];
  g_snprintf(text, sizeof text, "%.1f", static_cast<double>(ms) / 1000.0);
  return text;
}

}  // namespace geminilive::session
