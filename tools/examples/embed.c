/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* embed.c: geminilivesink and geminilivesrc inside a program.
 *
 * Asks the spoken question of an audio file while showing a few test frames,
 * prints what the service heard and what the model said (the
 * geminilive/transcript bus messages), answers the model's calls to the
 * function get_time, and writes the spoken answer to a WAV file.
 *
 *   GEMINI_API_KEY=... ./embed question.wav          # Google's service
 *   ./embed --uri ws://127.0.0.1:PORT/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent \
 *       --api-key local question.wav                  # the local server
 *
 * Record a question with
 *   gst-launch-1.0 -e pulsesrc ! audioconvert ! audioresample ! \
 *       audio/x-raw,rate=16000,channels=1 ! wavenc ! filesink location=question.wav
 * e.g. "What time is it, and what do you see?", then press Ctrl-C.
 *
 * The key comes from --api-key, else from GEMINI_API_KEY (the sink reads
 * it); the endpoint from --uri, else GEMINILIVE_URI, else Google's.
 */
#include <gst/gst.h>
#include <stdio.h>

/* The functions the model may call: FunctionDeclarations, as JSON. BLOCKING:
 * the model waits for the time before it answers (gemini-3.8-live's default,
 * NON_BLOCKING, would let it answer first and tell the time in a later turn). */
static const gchar TOOLS[] =
    "[{\"name\":\"get_time\",\"behavior\":\"BLOCKING\","
    "\"description\":\"Returns the current local time as HH:MM:SS.\"}]";

typedef struct {
  GMainLoop *loop;
  GstElement *sink;
  const gchar *direction;       /* the transcript being printed, or NULL */
  int status;                   /* exit status */
} App;

/* Ends the current transcript line, if one is open. */
static void
end_line (App * app)
{
  if (app->direction) {
    g_print ("\n");
    app->direction = NULL;
  }
}

/* A transcript fragment: "input" is what the service heard, "output" what
 * the model said. Output fragments concatenate to the whole answer. */
static void
print_transcript (App * app, const GstStructure * s)
{
  const gchar *direction = gst_structure_get_string (s, "direction");
  const gchar *text = gst_structure_get_string (s, "text");

  if (!direction || !text)
    return;
  if (g_strcmp0 (direction, app->direction) != 0) {
    end_line (app);
    g_print ("[%s] ", g_str_equal (direction, "input") ? "you" : "model");
    app->direction = g_str_equal (direction, "input") ? "input" : "output";
  }
  g_print ("%s", text);
}

/* The model calls a function: run it and send its result back. This runs
 * on the main thread (from the bus), so it may take its time. */
static void
answer_tool_call (App * app, const GstStructure * s)
{
  const gchar *id = gst_structure_get_string (s, "id");
  const gchar *name = gst_structure_get_string (s, "name");
  const gchar *args = gst_structure_get_string (s, "args");
  g_autofree gchar *response = NULL;
  gboolean sent = FALSE;

  if (g_strcmp0 (name, "get_time") == 0) {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree gchar *time = g_date_time_format (now, "%H:%M:%S");
    response = g_strdup_printf ("{\"time\":\"%s\"}", time);
  } else {
    response = g_strdup ("{\"error\":\"no such function\"}");
  }

  end_line (app);
  g_print ("[tool] %s %s -> %s\n", name, args, response);
  g_signal_emit_by_name (app->sink, "send-tool-response", id, name, response,
      NULL, FALSE, &sent);
  if (!sent)
    g_printerr ("Could not send the response to %s\n", name);
}

static gboolean
on_message (GstBus * bus, GstMessage * message, gpointer user_data)
{
  App *app = user_data;

  switch (GST_MESSAGE_TYPE (message)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (message);

      if (gst_structure_has_name (s, "geminilive/transcript")) {
        print_transcript (app, s);
      } else if (gst_structure_has_name (s, "geminilive/tool-call")) {
        answer_tool_call (app, s);
      } else if (gst_structure_has_name (s, "geminilive/tool-call-cancelled")) {
        end_line (app);
        g_print ("[tool] cancelled: %s\n", gst_structure_get_string (s, "ids"));
      } else if (gst_structure_has_name (s, "geminilive/turn-complete")) {
        end_line (app);
      }
      break;
    }
    case GST_MESSAGE_WARNING:{
      g_autoptr (GError) error = NULL;

      gst_message_parse_warning (message, &error, NULL);
      g_printerr ("Warning: %s\n", error->message);
      break;
    }
    case GST_MESSAGE_ERROR:{
      g_autoptr (GError) error = NULL;
      g_autofree gchar *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      end_line (app);
      g_printerr ("Error: %s\n", error->message);
      if (debug)
        g_printerr ("(%s)\n", debug);
      app->status = 1;
      g_main_loop_quit (app->loop);
      break;
    }
    case GST_MESSAGE_EOS:
      /* The input is over and the model's answer is complete. */
      end_line (app);
      g_main_loop_quit (app->loop);
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  g_autofree gchar *uri = NULL;
  g_autofree gchar *api_key = NULL;
  g_autofree gchar *output = NULL;
  GOptionEntry entries[] = {
    {"uri", 0, 0, G_OPTION_ARG_STRING, &uri,
        "Live endpoint (default: $GEMINILIVE_URI, else Google's)", "URI"},
    {"api-key", 0, 0, G_OPTION_ARG_STRING, &api_key,
        "API key (default: $GEMINI_API_KEY)", "KEY"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        "Where to write the spoken answer (default: answer.wav)", "FILE"},
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = NULL;
  g_autoptr (GstElement) question = NULL;
  g_autoptr (GstElement) answer = NULL;
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstBus) bus = NULL;
  App app = { 0 };

  context = g_option_context_new ("QUESTION-AUDIO-FILE - ask Gemini Live");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (argc != 2) {
    g_printerr ("Usage: %s [--uri URI] [--api-key KEY] QUESTION-AUDIO-FILE\n",
        argv[0]);
    return 2;
  }
  if (!uri && g_getenv ("GEMINILIVE_URI"))
    uri = g_strdup (g_getenv ("GEMINILIVE_URI"));

  /* The question's sound and three test frames go to the sink; the answer
   * is recorded as it arrives (paced=false), faster than real time. */
  pipeline = gst_parse_launch (
      "filesrc name=question ! decodebin ! audioconvert ! audioresample ! "
      "  audio/x-raw,rate=16000,channels=1 ! s.audio "
      "videotestsrc num-buffers=3 pattern=smpte ! "
      "  video/x-raw,width=640,height=360,framerate=1/1 ! jpegenc ! s.video "
      "geminilivesink name=s "
      "geminilivesrc paced=false ! wavenc ! filesink name=answer", &error);
  if (!pipeline) {
    g_printerr ("Could not build the pipeline: %s\n", error->message);
    return 1;
  }

  /* Settings from variables go in with g_object_set(), never into the
   * description: no quoting problems, and the key stays out of any log. */
  question = gst_bin_get_by_name (GST_BIN (pipeline), "question");
  answer = gst_bin_get_by_name (GST_BIN (pipeline), "answer");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
  app.sink = sink;
  g_object_set (question, "location", argv[1], NULL);
  g_object_set (answer, "location", output ? output : "answer.wav", NULL);
  g_object_set (app.sink, "tools", TOOLS, NULL);
  if (uri)
    g_object_set (app.sink, "uri", uri, NULL);
  if (api_key)
    g_object_set (app.sink, "api-key", api_key, NULL);

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, on_message, &app);

  if (gst_element_set_state (pipeline,
          GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    /* The reason (a missing key, ...) is in an ERROR message. */
    g_autoptr (GstMessage) msg =
        gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    g_autoptr (GError) start_error = NULL;

    if (msg)
      gst_message_parse_error (msg, &start_error, NULL);
    g_printerr ("Could not start: %s\n",
        start_error ? start_error->message : "see the log");
    app.status = 1;
  } else {
    g_main_loop_run (app.loop);
  }

  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_bus_remove_watch (bus);
  g_main_loop_unref (app.loop);
  return app.status;
}
