// SPDX-License-Identifier: LGPL-2.1-or-later
#include "screencast_portal.h"

#include <gio/gunixfdlist.h>
#include <gst/gst.h>
#include <unistd.h>

#include <cstring>

GST_DEBUG_CATEGORY_STATIC(assistant_debug);
#define GST_CAT_DEFAULT assistant_debug

namespace geminilive::assistant {

namespace {

constexpr char kPortalName[] = "org.freedesktop.portal.Desktop";
constexpr char kPortalPath[] = "/org/freedesktop/portal/desktop";
constexpr char kScreenCast[] = "org.freedesktop.portal.ScreenCast";
constexpr char kRequest[] = "org.freedesktop.portal.Request";
constexpr char kSession[] = "org.freedesktop.portal.Session";
constexpr guint32 kSourceMonitor = 1;
constexpr guint32 kSourceWindow = 2;
constexpr guint32 kCursorEmbedded = 2;
// Method calls return at once (the answer comes as a signal); a portal that
// takes longer is stuck.
constexpr int kCallTimeoutMs = 10000;
constexpr char kMissingPortal[] =
    "install xdg-desktop-portal and your desktop's backend (xdg-desktop-portal-gnome, -kde or -wlr), "
    "or capture an X11 session's screen instead";

// The answer of one portal request (the Response signal of its Request object).
struct Answer {
  bool arrived = false;
  bool timed_out = false;
  guint32 code = 2;  // 0 done, 1 cancelled by the user, 2 ended otherwise
  GVariant* results = nullptr;
};

void on_response(GDBusConnection*, const char*, const char*, const char*, const char*, GVariant* parameters,
                 gpointer data) {
  auto* answer = static_cast<Answer*>(data);
  if (answer->arrived) return;
  answer->arrived = true;
  g_variant_get(parameters, "(u@a{sv})", &answer->code, &answer->results);
}

gboolean on_timeout(gpointer data) {
  static_cast<Answer*>(data)->timed_out = true;
  return G_SOURCE_REMOVE;
}

// A fresh token for handle_token and session_handle_token.
std::string new_token(const char* what) {
  static unsigned counter = 0;
  return std::string("geminilive_") + what + std::to_string(getpid()) + "_" + std::to_string(++counter);
}

// The Request object path the portal will use for `token` (the spec's rule:
// the caller's unique name without ':' and with '.' as '_').
std::string request_path(GDBusConnection* bus, const std::string& token) {
  std::string sender = g_dbus_connection_get_unique_name(bus) + 1;
  for (char& c : sender)
    if (c == '.') c = '_';
  return std::string(kPortalPath) + "/request/" + sender + "/" + token;
}

// Runs one request: subscribes to the Response of its Request object before
// the call (it may come at once), calls, and iterates `context` until the
// answer or the timeout. The last member of `args` is the a{sv} of options
// with handle_token already in it.
bool request(GDBusConnection* bus, GMainContext* context, const char* method, GVariant* args, const std::string& token,
             unsigned timeout_s, Answer* answer, std::string* error) {
  std::string path = request_path(bus, token);
  guint subscription = g_dbus_connection_signal_subscribe(bus, kPortalName, kRequest, "Response", path.c_str(), nullptr,
                                                          G_DBUS_SIGNAL_FLAGS_NONE, on_response, answer, nullptr);
  g_autoptr(GError) gerror = nullptr;
  g_autoptr(GVariant) reply =
      g_dbus_connection_call_sync(bus, kPortalName, kPortalPath, kScreenCast, method, args, G_VARIANT_TYPE("(o)"),
                                  G_DBUS_CALL_FLAGS_NONE, kCallTimeoutMs, nullptr, &gerror);
  if (!reply) {
    g_dbus_connection_signal_unsubscribe(bus, subscription);
    g_dbus_error_strip_remote_error(gerror);
    *error = std::string("the ScreenCast portal refused ") + method + ": " + gerror->message;
    return false;
  }
  const char* returned = nullptr;
  g_variant_get(reply, "(&o)", &returned);
  if (path != returned) {
    // Portals older than version 0.9 chose their own path.
    GST_DEBUG("%s: request %s, not %s", method, returned, path.c_str());
    g_dbus_connection_signal_unsubscribe(bus, subscription);
    subscription = g_dbus_connection_signal_subscribe(bus, kPortalName, kRequest, "Response", returned, nullptr,
                                                      G_DBUS_SIGNAL_FLAGS_NONE, on_response, answer, nullptr);
  }
  GSource* timer = g_timeout_source_new_seconds(timeout_s);
  g_source_set_callback(timer, on_timeout, answer, nullptr);
  g_source_attach(timer, context);
  while (!answer->arrived && !answer->timed_out) g_main_context_iteration(context, TRUE);
  g_source_destroy(timer);
  g_source_unref(timer);
  g_dbus_connection_signal_unsubscribe(bus, subscription);
  // Callbacks still queued for this subscription would touch `answer`.
  while (g_main_context_iteration(context, FALSE)) {
  }
  return true;
}

// A property of the ScreenCast interface, or nullptr when the portal (or
// the interface) is not there.
GVariant* screencast_property(GDBusConnection* bus, const char* name, GError** gerror) {
  GVariant* reply = g_dbus_connection_call_sync(bus, kPortalName, kPortalPath, "org.freedesktop.DBus.Properties", "Get",
                                                g_variant_new("(ss)", kScreenCast, name), G_VARIANT_TYPE("(v)"),
                                                G_DBUS_CALL_FLAGS_NONE, kCallTimeoutMs, nullptr, gerror);
  if (!reply) return nullptr;
  GVariant* value = nullptr;
  g_variant_get(reply, "(v)", &value);
  g_variant_unref(reply);
  return value;
}

guint32 uint_property(GDBusConnection* bus, const char* name, guint32 fallback) {
  g_autoptr(GError) gerror = nullptr;
  g_autoptr(GVariant) value = screencast_property(bus, name, &gerror);
  if (!value || !g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32)) return fallback;
  return g_variant_get_uint32(value);
}

GVariant* options_with(const std::string& token, GVariantBuilder* more = nullptr) {
  GVariantBuilder* b = more ? more : g_variant_builder_new(G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(b, "{sv}", "handle_token", g_variant_new_string(token.c_str()));
  GVariant* options = g_variant_builder_end(b);
  if (!more) g_variant_builder_unref(b);
  return options;
}

// What the user sees as the failure of a request that did answer.
ScreenCastPortal::Failure answer_failure(const char* step, const Answer& answer, unsigned timeout_s,
                                         std::string* error) {
  if (answer.timed_out) {
    *error = std::string("the desktop's screen-sharing dialog got no answer within ") + std::to_string(timeout_s) +
             " s (" + step + ")";
    return ScreenCastPortal::Failure::TimedOut;
  }
  if (answer.code == 1) {
    *error = "screen sharing was cancelled in the desktop's dialog";
    return ScreenCastPortal::Failure::Cancelled;
  }
  *error = std::string("the desktop did not share a screen (") + step + " ended with response " +
           std::to_string(answer.code) + ")";
  return ScreenCastPortal::Failure::Refused;
}

}  // namespace

bool wayland_session() {
  const char* display = g_getenv("WAYLAND_DISPLAY");
  const char* type = g_getenv("XDG_SESSION_TYPE");
  return (display && *display) || (type && g_ascii_strcasecmp(type, "wayland") == 0);
}

std::unique_ptr<ScreenCastPortal> ScreenCastPortal::open(unsigned answer_timeout_s, Failure* failure,
                                                         std::string* error) {
  if (!assistant_debug) GST_DEBUG_CATEGORY_INIT(assistant_debug, "geminiliveassistant", 0, "geminilive-assistant");
  *failure = Failure::None;
  std::unique_ptr<ScreenCastPortal> portal(new ScreenCastPortal());
  g_autoptr(GError) gerror = nullptr;
  portal->bus_ = g_bus_get_sync(G_BUS_TYPE_SESSION, nullptr, &gerror);
  if (!portal->bus_) {
    *failure = Failure::NoBus;
    *error = std::string("no D-Bus session bus to reach the ScreenCast portal: ") + gerror->message;
    return nullptr;
  }
  g_autoptr(GVariant) version = screencast_property(portal->bus_, "version", &gerror);
  if (!version) {
    *failure = Failure::NoPortal;
    g_dbus_error_strip_remote_error(gerror);
    *error = std::string("the desktop has no ScreenCast portal (") + gerror->message + "): " + kMissingPortal;
    return nullptr;
  }
  const guint32 sources = uint_property(portal->bus_, "AvailableSourceTypes", kSourceMonitor);
  const guint32 cursors = uint_property(portal->bus_, "AvailableCursorModes", 0);
  GST_INFO("ScreenCast portal version %u, sources 0x%x, cursor modes 0x%x", g_variant_get_uint32(version), sources,
           cursors);

  // The answers come as signals: dispatched on a context of our own, so
  // that nothing else of the program runs meanwhile.
  g_autoptr(GMainContext) context = g_main_context_new();
  g_main_context_push_thread_default(context);
  auto done = [&](Failure f) {
    g_main_context_pop_thread_default(context);
    *failure = f;
    return f == Failure::None ? std::move(portal) : nullptr;
  };

  // CreateSession
  Answer created;
  std::string token = new_token("create");
  GVariantBuilder* b = g_variant_builder_new(G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(b, "{sv}", "session_handle_token", g_variant_new_string(new_token("session").c_str()));
  GVariant* options = options_with(token, b);
  g_variant_builder_unref(b);
  if (!request(portal->bus_, context, "CreateSession", g_variant_new("(@a{sv})", options), token, kCallTimeoutMs / 1000,
               &created, error))
    return done(Failure::Refused);
  g_autoptr(GVariant) created_results = created.results;
  if (created.code != 0 || !created.arrived) return done(answer_failure("CreateSession", created, 10, error));
  const char* session = nullptr;
  if (!g_variant_lookup(created.results, "session_handle", "&s", &session) &&
      !g_variant_lookup(created.results, "session_handle", "&o", &session)) {
    *error = "the ScreenCast portal created a session without a handle";
    return done(Failure::Refused);
  }
  portal->session_handle_ = session;

  // SelectSources: one monitor or one window, the pointer drawn in.
  Answer selected;
  token = new_token("select");
  b = g_variant_builder_new(G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add(b, "{sv}", "types", g_variant_new_uint32(sources & (kSourceMonitor | kSourceWindow)));
  g_variant_builder_add(b, "{sv}", "multiple", g_variant_new_boolean(FALSE));
  if (cursors & kCursorEmbedded) g_variant_builder_add(b, "{sv}", "cursor_mode", g_variant_new_uint32(kCursorEmbedded));
  options = options_with(token, b);
  g_variant_builder_unref(b);
  if (!request(portal->bus_, context, "SelectSources",
               g_variant_new("(o@a{sv})", portal->session_handle_.c_str(), options), token, kCallTimeoutMs / 1000,
               &selected, error))
    return done(Failure::Refused);
  g_autoptr(GVariant) selected_results = selected.results;
  if (selected.code != 0 || !selected.arrived) return done(answer_failure("SelectSources", selected, 10, error));

  // Start: the desktop's dialog; the user takes their time.
  Answer started;
  token = new_token("start");
  if (!request(portal->bus_, context, "Start",
               g_variant_new("(os@a{sv})", portal->session_handle_.c_str(), "", options_with(token)), token,
               answer_timeout_s, &started, error))
    return done(Failure::Refused);
  g_autoptr(GVariant) started_results = started.results;
  if (started.code != 0 || !started.arrived) return done(answer_failure("Start", started, answer_timeout_s, error));
  g_autoptr(GVariant) streams = g_variant_lookup_value(started.results, "streams", G_VARIANT_TYPE("a(ua{sv})"));
  if (!streams || g_variant_n_children(streams) == 0) {
    *error = "the desktop shared no stream";
    return done(Failure::Refused);
  }
  g_autoptr(GVariant) props = nullptr;
  g_variant_get_child(streams, 0, "(u@a{sv})", &portal->node_id_, &props);
  g_variant_lookup(props, "size", "(ii)", &portal->width_, &portal->height_);
  g_variant_lookup(props, "source_type", "u", &portal->source_type_);

  // OpenPipeWireRemote: the remote that holds the stream's node.
  g_autoptr(GUnixFDList) fds = nullptr;
  g_autoptr(GVariant) remote = g_dbus_connection_call_with_unix_fd_list_sync(
      portal->bus_, kPortalName, kPortalPath, kScreenCast, "OpenPipeWireRemote",
      g_variant_new("(o@a{sv})", portal->session_handle_.c_str(),
                    g_variant_new_array(G_VARIANT_TYPE("{sv}"), nullptr, 0)),
      G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, kCallTimeoutMs, nullptr, &fds, nullptr, &gerror);
  gint32 index = -1;
  if (remote) g_variant_get(remote, "(h)", &index);
  if (remote && fds && index >= 0 && index < g_unix_fd_list_get_length(fds))
    portal->fd_ = g_unix_fd_list_get(fds, index, &gerror);
  if (portal->fd_ < 0) {
    if (gerror) g_dbus_error_strip_remote_error(gerror);
    *error = std::string("the ScreenCast portal gave no PipeWire remote: ") +
             (gerror ? gerror->message : "no file descriptor in the reply");
    return done(Failure::Refused);
  }
  GST_INFO("sharing node %u (%dx%d, source type %u) on fd %d", portal->node_id_, portal->width_, portal->height_,
           portal->source_type_, portal->fd_);
  return done(Failure::None);
}

void ScreenCastPortal::watch_closed(std::function<void()> closed) {
  closed_ = std::move(closed);
  if (!closed_subscription_)
    closed_subscription_ =
        g_dbus_connection_signal_subscribe(bus_, kPortalName, kSession, "Closed", session_handle_.c_str(), nullptr,
                                           G_DBUS_SIGNAL_FLAGS_NONE, on_closed, this, nullptr);
}

void ScreenCastPortal::on_closed(GDBusConnection*, const char*, const char*, const char*, const char*, GVariant*,
                                 gpointer data) {
  auto* self = static_cast<ScreenCastPortal*>(data);
  GST_INFO("the desktop closed session %s", self->session_handle_.c_str());
  g_dbus_connection_signal_unsubscribe(self->bus_, self->closed_subscription_);
  self->closed_subscription_ = 0;
  self->session_handle_.clear();  // nothing left to close
  if (self->closed_) self->closed_();
}

ScreenCastPortal::~ScreenCastPortal() {
  // Our own Close below is not the user's.
  if (closed_subscription_) g_dbus_connection_signal_unsubscribe(bus_, closed_subscription_);
  if (fd_ >= 0) close(fd_);
  if (bus_ && !session_handle_.empty()) {
    // The desktop stops sharing (its indicator goes away).
    g_autoptr(GVariant) reply =
        g_dbus_connection_call_sync(bus_, kPortalName, session_handle_.c_str(), kSession, "Close", nullptr, nullptr,
                                    G_DBUS_CALL_FLAGS_NONE, kCallTimeoutMs, nullptr, nullptr);
  }
  if (bus_) g_object_unref(bus_);
}

}  // namespace geminilive::assistant
