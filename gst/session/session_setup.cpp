// SPDX-License-Identifier: LGPL-2.1-or-later
#include "session/session_setup.h"

#include <utility>

#include "session/endpoint.h"

namespace geminilive::session {

namespace {

protocol::Setup setup_for(const SessionConfig& config) {
  protocol::Setup setup = config.setup;
  // The Developer API's model goes as configured (a wrong one is the
  // service's to refuse); Vertex AI wants its resource name.
  if (config.backend == protocol::Backend::VertexAi) setup.model = session_model_name(config);
  return setup;
}

}  // namespace

SessionSetup::SessionSetup(const SessionConfig& config)
    : SessionSetup(setup_for(config), config.resumption, config.backend,
                   config.resumption && config.transparent_resumption) {}

uint64_t SessionSetup::change(const ContextChange& change) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (change.system_instruction) setup_.system_instruction = change.system_instruction;
  if (change.tools) setup_.tools = *change.tools;
  return ++version_;
}

uint64_t SessionSetup::version() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return version_;
}

SessionSetup::Message SessionSetup::message(const std::string& handle) const {
  Message m;
  protocol::Setup setup;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    setup = setup_;
    m.version = version_;
  }
  if (resumption_) {
    protocol::SessionResumptionConfig resumption =
        setup.session_resumption.value_or(protocol::SessionResumptionConfig{});
    if (!handle.empty()) resumption.handle = handle;
    if (transparent_) resumption.transparent = true;
    m.resumes = !handle.empty();
    setup.session_resumption = std::move(resumption);
  }
  m.outbound = Outbound::encode(protocol::setup_for_backend(std::move(setup), backend_));
  return m;
}

protocol::ContextUpdate context_update_for(const ContextChange& change) {
  return protocol::ContextUpdate{change.system_instruction, change.tools};
}

Outbound history_message(const std::vector<protocol::Content>& history) {
  protocol::ClientContent content;
  content.turns = history;
  content.turn_complete = true;
  Outbound out = Outbound::encode(content);
  out.asks_reply = false;  // history: the service does not answer it
  return out;
}

}  // namespace geminilive::session
