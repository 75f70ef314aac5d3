# SPDX-License-Identifier: LGPL-2.1-or-later
"""The assistant's --vertex cases (run_assistant_tests.py runs them).

  vertex       --vertex PROJECT/LOCATION: --print-config names the backend,
               project, location, the location's Vertex AI host and where the
               token comes from, never the token; the setup names the model by
               its resource path. Against geminilive-mock-server started with
               --access-token, the upgrade takes the Vertex path with the
               bearer from GOOGLE_CLOUD_ACCESS_TOKEN, from `gcloud auth
               print-access-token` (a stand-in gcloud on PATH), and from
               Application Default Credentials refreshed at a local token
               endpoint (refreshed again five minutes before expiry, the
               reconnection after a drop carrying the new token); a wrong token is refused (status 1); with none of the
               three the assistant says how to get one (status 2). No token
               appears in any output.
"""

import json
import os
import re
import stat
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

VERTEX_PATH = "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"


def _token_endpoint(answers):
    """A loopback OAuth token endpoint answering the refreshes with
    `answers` (token, expires_in) in turn, the last one again and again;
    returns (server, uri, the forms it got)."""
    forms = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            forms.append(body)
            token, expires_in = answers[min(len(forms), len(answers)) - 1]
            answer = json.dumps({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/token", forms


def case_vertex(workdir, t):
    """t: the runner's helpers (run_assistant, clean_env, mock_server, expect, print_config)."""
    expect = t.expect
    no_gcloud = os.path.join(workdir, "no-gcloud")  # a PATH without gcloud (the machine may have one)
    os.makedirs(no_gcloud, exist_ok=True)

    def env(**extra):
        e = t.clean_env()
        e.pop("GOOGLE_CLOUD_ACCESS_TOKEN", None)
        e.pop("GOOGLE_APPLICATION_CREDENTIALS", None)
        e["HOME"] = workdir  # no ~/.config/gcloud/application_default_credentials.json
        e.update(extra)
        return e

    # --print-config: where it would connect and with what, never the token.
    r, endpoint, setup = t.print_config(["--vertex", "my-project/us-central1"],
                                        env(GOOGLE_CLOUD_ACCESS_TOKEN="ya29.print-secret"), workdir)
    expect(endpoint == "wss://us-central1-aiplatform.googleapis.com" + VERTEX_PATH, f"endpoint {endpoint!r}")
    expect("backend: vertex-ai (project my-project, location us-central1)" in r.out, "no backend line\n" + r.out)
    expect(re.search(r"^key: an OAuth access token from GOOGLE_CLOUD_ACCESS_TOKEN, sent in the Authorization: "
                     r"Bearer header", r.out, re.M), "does not say where the token comes from\n" + r.out)
    expect("print-secret" not in r.out + r.err, "the token is in the output")
    expect(setup["model"] == "projects/my-project/locations/us-central1/publishers/google/models/gemini-3.8-live",
           f"model {setup['model']}")
    expect(setup["generationConfig"]["responseModalities"] == ["AUDIO"], "not AUDIO")
    _, global_endpoint, _ = t.print_config(["--vertex", "p"], env(GOOGLE_CLOUD_ACCESS_TOKEN="x"), workdir)
    expect(global_endpoint == "wss://aiplatform.googleapis.com" + VERTEX_PATH, f"global endpoint {global_endpoint!r}")

    def run_against(token, run_env, *server_args):
        with t.mock_server(workdir, "--access-token", token, *server_args) as server:
            host = server.uri[:server.uri.index("/ws/")]
            r = t.run_assistant(["--vertex", "proj/europe-west4", "--uri", host], run_env, workdir)
        return r, server.log()

    # Each source of the token, in turn.
    fake_gcloud = os.path.join(workdir, "bin")
    os.makedirs(fake_gcloud, exist_ok=True)
    with open(os.path.join(fake_gcloud, "gcloud"), "w") as f:
        f.write('#!/bin/sh\n[ "$*" = "auth print-access-token" ] && echo ya29.from-gcloud\n')
    os.chmod(os.path.join(fake_gcloud, "gcloud"), stat.S_IRWXU)
    # ADC, refreshed by geminilivesink before each connection: the first
    # token has 61 s left, so at the reconnection after the server's drop
    # (1.4 s later) it is within the minute the element refreshes ahead, and
    # the new connection carries the new one.
    token_server, token_uri, forms = _token_endpoint([("ya29.from-adc", 61), ("ya29.adc-refreshed", 3599)])
    adc = os.path.join(workdir, "adc.json")
    with open(adc, "w") as f:
        json.dump({"type": "authorized_user", "client_id": "cid", "client_secret": "csecret",
                   "refresh_token": "rtoken-secret", "token_uri": token_uri}, f)
    sources = [
        ("environment", "ya29.from-env", env(GOOGLE_CLOUD_ACCESS_TOKEN="ya29.from-env"), []),
        ("gcloud", "ya29.from-gcloud", env(PATH=fake_gcloud + os.pathsep + os.environ["PATH"]), []),
        ("ADC", "ya29.from-adc", env(GOOGLE_APPLICATION_CREDENTIALS=adc, PATH=no_gcloud + os.pathsep + "/nonexistent"),
         ["--access-token", "ya29.adc-refreshed", "--drop-after", "1.4", "--drop-count", "1"]),
    ]
    try:
        for name, token, run_env, server_args in sources:
            r, log = run_against(token, run_env, *server_args)
            expect(r.status == 0, f"{name}: " + r.describe() + "--- server\n" + log)
            paths = re.findall(r"connection \d+: upgrade on (\S+)", log)
            expect(paths and all(p == VERTEX_PATH for p in paths), f"{name}: upgrade paths {paths}")
            # The server takes only a Vertex resource name there and logs its model id.
            expect("setup models/gemini-3.8-live (AUDIO)" in log and "not a Vertex AI model name" not in log,
                   f"{name}: the setup does not name the Vertex model:\n" + log)
            expect(token not in r.out + r.err + log, f"{name}: the token appeared in the output")
    finally:
        token_server.shutdown()
    expect(len(forms) == 2 and all("grant_type=refresh_token" in f and "refresh_token=rtoken-secret" in f
                                   for f in forms), f"the ADC refreshes posted {forms}")
    bearers = re.findall(r"connection \d+: upgrade on \S+ with bearer (\d+)", log)
    expect(len(bearers) >= 2 and bearers[0] == "0" and "1" in bearers[1:],
           f"the reconnection did not carry the refreshed token: bearers {bearers}\n{log}")
    expect("ya29.adc-refreshed" not in r.out + r.err + log, "the refreshed token appeared in the output")

    # A token the service refuses.
    bad, log = run_against("ya29.right", env(GOOGLE_CLOUD_ACCESS_TOKEN="ya29.wrong"))
    expect(bad.status == 1, "a refused token did not fail:\n" + bad.describe() + "--- server\n" + log)
    expect("ya29.wrong" not in bad.out + bad.err, "the refused token appeared in the output")

    # No token anywhere: how to get one.
    none = t.run_assistant(["--vertex", "proj"], env(PATH=no_gcloud), workdir, timeout=30)
    expect(none.status == 2, "no token did not fail with status 2:\n" + none.describe())
    expect("--vertex needs an OAuth access token: set GOOGLE_CLOUD_ACCESS_TOKEN, run `gcloud auth "
           "application-default login`, or install the gcloud CLI" in none.err, none.describe())
    return f"print-config, environment/gcloud/ADC tokens accepted, wrong one refused (status {bad.status}), none: 2"
