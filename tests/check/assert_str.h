// SPDX-License-Identifier: LGPL-2.1-or-later
// A string assertion for gst-check tests, shared by the check and browser
// suites.
#pragma once

#include <gst/check/gstcheck.h>

#include <string>

// gst-check's string macros keep the pointer: never hand them a temporary.
// This one copies both sides first, and prints both on failure.
#define assert_str(got, want)                                                                 \
  do {                                                                                        \
    const std::string got_ = (got);                                                           \
    const std::string want_ = (want);                                                         \
    fail_unless(got_ == want_, "%s:\n got  %s\n want %s", #got, got_.c_str(), want_.c_str()); \
  } while (0)
