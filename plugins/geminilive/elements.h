// SPDX-License-Identifier: LGPL-2.1-or-later
// The elements of the geminilive plugin.
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GST_ELEMENT_REGISTER_DECLARE(geminilivesink);
GST_ELEMENT_REGISTER_DECLARE(geminilivesrc);
GST_ELEMENT_REGISTER_DECLARE(geminilivechangegate);

G_END_DECLS
