// SPDX-License-Identifier: LGPL-2.1-or-later
// Every way in, with the official JS SDK as the client nobody here wrote:
// an ephemeral token minted by the SDK's authTokens.create against the local
// server's POST /v1alpha/auth_tokens, then a Live session on the
// Constrained method with it; the SDK in Vertex AI mode (project, location,
// an OAuth bearer) on the LlmBidiService path; and the token request body our
// encoder writes (geminilive-token-body-cases) equal to the SDK's for the
// same inputs. Paths come from meson: GEMINILIVE_MOCK_SERVER,
// GEMINILIVE_TOKEN_BODY_CASES.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { GoogleGenAI, Modality } from '@google/genai';
// The SDK's own auth library (its dependency, pinned by its package-lock).
import { OAuth2Client } from 'google-auth-library';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through meson test`);
  return v;
};
const MOCK_SERVER = env('GEMINILIVE_MOCK_SERVER');
const BODY_CASES = env('GEMINILIVE_TOKEN_BODY_CASES');
const KEY = 'interop-test-key';
const BEARER = 'ya29.interop-bearer';
const servers = [];
after(() => servers.forEach((s) => s.kill('SIGTERM')));

async function startServer(args = []) {
  const proc = spawn(MOCK_SERVER, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(proc);
  const lines = createInterface({ input: proc.stdout });
  return new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
}

const httpBase = (url) => url.replace(/^ws/, 'http');
const turnComplete = (r) => r.some((m) => m.serverContent?.turnComplete);
const modelText = (r) => r.flatMap((m) => m.serverContent?.modelTurn?.parts ?? []).map((p) => p.text ?? '').join('');

// A session of `ai`; sends `text`, resolves with the reply's text.
async function ask(ai, model, config, text) {
  const received = [];
  let closed = null;
  const session = await ai.live.connect({
    model,
    config,
    callbacks: {
      onmessage: (m) => received.push(m),
      onerror: () => {},
      onclose: (e) => { closed = e; },
    },
  });
  session.sendRealtimeInput({ text });
  const deadline = Date.now() + 15000;
  while (!turnComplete(received)) {
    if (closed) throw new Error(`closed: ${closed.code} ${closed.reason}`);
    if (Date.now() > deadline) throw new Error('no turnComplete');
    await new Promise((r) => setTimeout(r, 50));
  }
  session.close();
  return modelText(received);
}

// Resolves with the close event of a connection the server refuses.
function refusal(ai, model) {
  return new Promise((resolve) => {
    ai.live.connect({
      model,
      config: {},
      callbacks: { onmessage: () => {}, onerror: () => {}, onclose: (e) => resolve({ code: e.code, reason: e.reason }) },
    }).catch((e) => resolve({ error: String(e) }));
  });
}

test('SDK: authTokens.create on the local server, then a Live session with the token', async () => {
  const url = await startServer(['--api-key', KEY]);
  const minter = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: httpBase(url), apiVersion: 'v1alpha' } });
  const token = await minter.authTokens.create({
    config: {
      uses: 1,
      liveConnectConstraints: {
        model: 'gemini-3.1-flash-live-preview',
        config: { responseModalities: [Modality.TEXT], systemInstruction: 'Locked instruction' },
      },
    },
  });
  assert.match(token.name, /^auth_tokens\/[0-9a-f]{32}$/);

  const client = new GoogleGenAI({ apiKey: token.name, httpOptions: { baseUrl: httpBase(url), apiVersion: 'v1alpha' } });
  // The client asks for audio and another model: the token's lock wins.
  const reply = await ask(client, 'gemini-2.0-flash-live-001', { responseModalities: [Modality.AUDIO] }, 'hello token');
  assert.match(reply, /hello token/, `the locked TEXT modality answers in text: ${reply}`);

  // uses: 1 — the second session is refused with the server's words.
  const second = new GoogleGenAI({ apiKey: token.name, httpOptions: { baseUrl: httpBase(url), apiVersion: 'v1alpha' } });
  const closed = await refusal(second, 'gemini-3.1-flash-live-preview');
  assert.equal(closed.code, 1008);
  assert.match(closed.reason, /used up/);

  // A wrong key mints nothing.
  const wrong = new GoogleGenAI({ apiKey: 'wrong', httpOptions: { baseUrl: httpBase(url), apiVersion: 'v1alpha' } });
  await assert.rejects(wrong.authTokens.create({ config: { uses: 1 } }), /API key not valid/);
});

test('SDK in Vertex AI mode: project, location and a bearer on the LlmBidiService path', async () => {
  const url = await startServer(['--access-token', BEARER]);
  const vertex = (token) => {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: token, expiry_date: Date.now() + 3600 * 1000 });
    return new GoogleGenAI({
      vertexai: true,
      project: 'my-proj',
      location: 'us-central1',
      httpOptions: { baseUrl: httpBase(url) },
      googleAuthOptions: { authClient },
    });
  };
  const reply = await ask(vertex(BEARER), 'gemini-3.1-flash-live-preview', { responseModalities: [Modality.TEXT] }, 'hello vertex');
  assert.match(reply, /hello vertex/);
  // An unknown bearer: HTTP 401 at the upgrade, so no WebSocket opens.
  const closed = await refusal(vertex('ya29.unknown'), 'gemini-3.1-flash-live-preview');
  assert.ok(closed.error || closed.code === 1006, `refused: ${JSON.stringify(closed)}`);
});

test('token request body: our encoder writes what the SDK sends', async () => {
  // A server that records the SDK's request and answers like the service.
  const bodies = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      res.end('{"name":"auth_tokens/x"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const ai = new GoogleGenAI({
    apiKey: KEY,
    httpOptions: { baseUrl: `http://127.0.0.1:${server.address().port}`, apiVersion: 'v1alpha' },
  });
  const constraints = {
    model: 'gemini-3.8-live',
    config: { responseModalities: [Modality.AUDIO], systemInstruction: 'Be brief' },
  };
  // The same inputs as token_body_cases.cpp, in its order.
  const cases = {
    times_and_uses: { uses: 1, expireTime: '2026-12-01T00:30:00Z', newSessionExpireTime: '2026-12-01T00:01:00Z' },
    unlimited: { uses: 0 },
    locked_all: { uses: 1, liveConnectConstraints: constraints },
    locked_exactly: { uses: 1, liveConnectConstraints: constraints, lockAdditionalFields: [] },
    locked_plus: { uses: 1, liveConnectConstraints: constraints, lockAdditionalFields: ['temperature', 'systemInstruction'] },
  };
  const sdk = {};
  for (const [name, config] of Object.entries(cases)) {
    await ai.authTokens.create({ config });
    sdk[name] = bodies.at(-1);
  }
  server.close();
  const ours = JSON.parse(execFileSync(BODY_CASES, { encoding: 'utf8' }));
  assert.deepEqual(Object.keys(ours).sort(), Object.keys(sdk).sort(), 'both sides cover the same cases');
  for (const name of Object.keys(sdk)) {
    assert.deepStrictEqual(JSON.parse(ours[name]), JSON.parse(sdk[name]), `case ${name}: same JSON`);
    assert.equal(ours[name], sdk[name], `case ${name}: same bytes`);
  }
});
