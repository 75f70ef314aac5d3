// SPDX-License-Identifier: LGPL-2.1-or-later
#include "devices.h"

#include <gst/gst.h>

GST_DEBUG_CATEGORY_STATIC(assistant_debug);
#define GST_CAT_DEFAULT assistant_debug

namespace geminilive::assistant {

namespace {

void init_debug() {
  if (!assistant_debug) GST_DEBUG_CATEGORY_INIT(assistant_debug, "geminiliveassistant", 0, "geminilive-assistant");
}

// PulseAudio lists the monitor of each output as a source: it hears the
// speaker, not the user.
bool is_monitor(GstDevice* device) {
  g_autoptr(GstStructure) props = gst_device_get_properties(device);
  if (!props) return false;
  const char* klass = gst_structure_get_string(props, "device.class");
  return klass && g_str_equal(klass, "monitor");
}

}  // namespace

AudioDevices probe_audio_devices() {
  init_debug();
  AudioDevices found;
  g_autoptr(GstDeviceMonitor) monitor = gst_device_monitor_new();
  gst_device_monitor_add_filter(monitor, "Audio/Source", nullptr);
  gst_device_monitor_add_filter(monitor, "Audio/Sink", nullptr);
  // Without start(), get_devices() probes each provider once.
  GList* devices = gst_device_monitor_get_devices(monitor);
  for (GList* l = devices; l; l = l->next) {
    GstDevice* device = GST_DEVICE(l->data);
    g_autofree char* name = gst_device_get_display_name(device);
    GST_DEBUG("device \"%s\" (%s)", name, gst_device_get_device_class(device));
    if (gst_device_has_classes(device, "Audio/Source") && !is_monitor(device) && !found.microphone) {
      found.microphone = true;
      found.microphone_name = name ? name : "";
    } else if (gst_device_has_classes(device, "Audio/Sink") && !found.speaker) {
      found.speaker = true;
      found.speaker_name = name ? name : "";
    }
  }
  g_list_free_full(devices, gst_object_unref);
  return found;
}

bool x_display_usable(const std::string& display) {
  init_debug();
  if (display.empty()) return false;
  GstElement* probe = gst_element_factory_make("ximagesrc", nullptr);
  if (!probe) return false;  // gstreamer1.0-x missing: treated as no display
  gst_object_ref_sink(probe);
  g_object_set(probe, "display-name", display.c_str(), nullptr);
  // ximagesrc opens the display when it starts (READY to PAUSED).
  GstStateChangeReturn ret = gst_element_set_state(probe, GST_STATE_PAUSED);
  gst_element_set_state(probe, GST_STATE_NULL);
  gst_object_unref(probe);
  GST_DEBUG("display %s: %s", display.c_str(), ret == GST_STATE_CHANGE_FAILURE ? "unusable" : "usable");
  return ret != GST_STATE_CHANGE_FAILURE;
}

}  // namespace geminilive::assistant
