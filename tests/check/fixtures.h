// Test fixtures live in tests/fixtures; meson passes the folder in
// GST_CHECK_FIXTURES so tests run from any build directory.
#pragma once

#include <glib.h>

#include <string>

namespace geminilive::testing {

inline std::string fixture_path(const char* name) {
  const char* dir = g_getenv("GST_CHECK_FIXTURES");
  g_assert(dir != nullptr);
  g_autofree char* path = g_build_filename(dir, name, nullptr);
  return path;
}

inline std::string read_fixture(const char* name) {
  std::string path = fixture_path(name);
  g_autofree char* contents = nullptr;
  gsize length = 0;
  g_autoptr(GError) error = nullptr;
  if (!g_file_get_contents(path.c_str(), &contents, &length, &error))
    g_error("cannot read fixture %s: %s", path.c_str(), error->message);
  return std::string(contents, length);
}

}  // namespace geminilive::testing
