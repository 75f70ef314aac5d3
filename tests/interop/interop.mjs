// SPDX-License-Identifier: LGPL-2.1-or-later
// Ground truth: the official JS SDK (@google/genai) against geminilive.
//  1. The SDK drives geminilive-mock-server through every flow the server
//     offers, as a real client nobody here wrote.
//  2. The SDK's frames for a set of inputs are captured and compared with what
//     our encoder writes for the same inputs (encoder_cases.cpp), and with the
//     committed captures the codec suite uses (tests/fixtures/sdk-captures.json).
// Paths come from meson: GEMINILIVE_MOCK_SERVER, GEMINILIVE_ENCODE_CASES,
// GEMINILIVE_FIXTURES. `--update-fixtures` rewrites the committed captures.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GoogleGenAI, Modality } from '@google/genai';
import { WebSocketServer } from 'ws';
import { refusalCases, sdkCases, vertexCases, VERTEX_LOCATION, VERTEX_PROJECT } from './sdk_cases.mjs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run this test through meson test`);
  return v;
};
const MOCK_SERVER = env('GEMINILIVE_MOCK_SERVER');
const ENCODE_CASES = env('GEMINILIVE_ENCODE_CASES');
const FIXTURES = env('GEMINILIVE_FIXTURES');
const KEY = 'interop-test-key';
const servers = [];

after(() => servers.forEach((s) => s.kill('SIGTERM')));

// Starts the local server; resolves with its ws:// URL (its first stdout line).
async function startServer(args = []) {
  const proc = spawn(MOCK_SERVER, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(proc);
  const lines = createInterface({ input: proc.stdout });
  const url = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`mock server exited with ${code}`)));
  });
  assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+$/, 'first stdout line is the server URL');
  return url;
}

function clientFor(url, apiKey = KEY) {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: url.replace(/^ws/, 'http') } });
}

// Opens an SDK session and collects everything it receives.
async function open(url, model, config, apiKey) {
  const received = [];
  const waiters = [];
  let closed = null;
  const wake = () => waiters.splice(0).forEach((w) => w());
  const session = await clientFor(url, apiKey).live.connect({
    model,
    config,
    callbacks: {
      onmessage: (m) => { received.push(m); wake(); },
      onerror: () => {},
      onclose: (e) => { closed = { code: e.code, reason: e.reason }; wake(); },
    },
  });
  const until = async (pred, what, ms = 15000) => {
    const deadline = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
    }
  };
  return { session, received, until, closed: () => closed };
}

// For connections the server refuses: resolves with the close event.
function connectUntilClosed(url, apiKey, config) {
  return new Promise((resolve) => {
    clientFor(url, apiKey).live.connect({
      model: 'gemini-2.0-flash-live-001',
      config,
      callbacks: { onmessage: () => {}, onerror: () => {}, onclose: (e) => resolve({ code: e.code, reason: e.reason }) },
    }).catch(() => {});
  });
}

const turnComplete = (r) => r.some((m) => m.serverContent?.turnComplete);
const modelAudio = (r) => r.flatMap((m) => m.serverContent?.modelTurn?.parts ?? []).filter((p) => p.inlineData);
const modelText = (r) => r.flatMap((m) => m.serverContent?.modelTurn?.parts ?? []).map((p) => p.text ?? '').join('');
const outputTranscript = (r) => r.map((m) => m.serverContent?.outputTranscription?.text ?? '').join('');

function speechChunk(ms, rate = 16000) {
  const n = (rate * ms) / 1000;
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate)), i * 2);
  return pcm.toString('base64');
}

test('SDK connects and gets setupComplete', async () => {
  const url = await startServer();
  const { session } = await open(url, 'gemini-2.0-flash-live-001', {});
  // connect() resolves only after setupComplete; the SDK stores it.
  assert.deepEqual(session.setupComplete, {});
  session.close();
});

test('realtime audio, a JPEG and audioStreamEnd: an audio reply, then turnComplete', async () => {
  const url = await startServer();
  const s = await open(url, 'gemini-2.0-flash-live-001', {
    responseModalities: [Modality.AUDIO],
    outputAudioTranscription: {},
  });
  for (let i = 0; i < 10; i++) {
    s.session.sendRealtimeInput({ audio: { data: speechChunk(100), mimeType: 'audio/pcm;rate=16000' } });
  }
  const jpeg = readFileSync(join(FIXTURES, 'frame-64x48.jpg')).toString('base64');
  s.session.sendRealtimeInput({ video: { data: jpeg, mimeType: 'image/jpeg' } });
  s.session.sendRealtimeInput({ audioStreamEnd: true });
  await s.until(() => turnComplete(s.received), 'turnComplete');

  const audio = modelAudio(s.received);
  assert.ok(audio.length > 0, 'reply carries audio');
  for (const p of audio) assert.equal(p.inlineData.mimeType, 'audio/pcm;rate=24000');
  const bytes = audio.map((p) => Buffer.from(p.inlineData.data, 'base64'));
  assert.ok(bytes.slice(0, -1).every((b) => b.length === 9600), 'full chunks are 200 ms of 24 kHz S16');
  const transcript = outputTranscript(s.received);
  assert.match(transcript, /1(\.0)? seconds? of audio/, `reply says how much audio it got: ${transcript}`);
  assert.match(transcript, /64x48/, `reply says the frame size: ${transcript}`);
  const gen = s.received.findIndex((m) => m.serverContent?.generationComplete);
  const done = s.received.findIndex((m) => m.serverContent?.turnComplete);
  assert.ok(gen >= 0 && gen < done, 'generationComplete comes before turnComplete');
  assert.ok(s.received[done].usageMetadata?.totalTokenCount > 0, 'turnComplete carries usageMetadata');
  s.session.close();
});

test('TEXT modality: realtime text gets text parts', async () => {
  const url = await startServer();
  const s = await open(url, 'gemini-3.1-flash-live-preview', { responseModalities: [Modality.TEXT] });
  s.session.sendRealtimeInput({ text: 'Are you there?' });
  await s.until(() => turnComplete(s.received), 'turnComplete');
  assert.equal(modelAudio(s.received).length, 0, 'no audio in TEXT modality');
  assert.match(modelText(s.received), /Are you there\?/, 'the reply quotes the text it got');
  s.session.close();
});

test('a clientContent turn gets a reply', async () => {
  const url = await startServer();
  const s = await open(url, 'gemini-2.0-flash-live-001', { responseModalities: [Modality.TEXT] });
  s.session.sendClientContent({ turns: 'Hello from clientContent' });
  await s.until(() => turnComplete(s.received), 'turnComplete');
  assert.match(modelText(s.received), /Hello from clientContent/);
  s.session.close();
});

test('sessionResumptionUpdate handles resume a session; a stale one is refused', async () => {
  const url = await startServer();
  const first = await open(url, 'gemini-2.0-flash-live-001', { responseModalities: [Modality.TEXT], sessionResumption: {} });
  first.session.sendRealtimeInput({ text: 'remember me' });
  await first.until(() => turnComplete(first.received), 'turnComplete');
  await first.until(() => first.received.some((m) => m.sessionResumptionUpdate?.newHandle), 'a handle');
  const handle = first.received.filter((m) => m.sessionResumptionUpdate?.resumable).at(-1).sessionResumptionUpdate.newHandle;
  first.session.close();

  const resumed = await open(url, 'gemini-2.0-flash-live-001', { responseModalities: [Modality.TEXT], sessionResumption: { handle } });
  resumed.session.sendRealtimeInput({ text: 'again' });
  await resumed.until(() => turnComplete(resumed.received), 'turnComplete after resuming');
  resumed.session.close();

  // The server closes instead of answering setupComplete; the SDK's connect()
  // then never settles, so the close is awaited through onclose.
  const closed = await connectUntilClosed(url, KEY, { sessionResumption: { handle: 'no-such-handle' } });
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'BidiGenerateContent session not found');
});

test('a wrong key is refused with 1008 and the service reason', async () => {
  const url = await startServer(['--api-key', KEY]);
  const closed = await connectUntilClosed(url, 'wrong-key');
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'API key not valid. Please pass a valid API key.');
});

test('tool call → sendToolResponse → reply', async () => {
  const url = await startServer(['--tool-call', 'save_note']);
  const s = await open(url, 'gemini-2.0-flash-live-001', {
    responseModalities: [Modality.TEXT],
    tools: [{ functionDeclarations: [{ name: 'save_note', description: 'Saves a note.' }] }],
  });
  s.session.sendRealtimeInput({ text: 'note that the build is green' });
  await s.until(() => s.received.some((m) => m.toolCall), 'toolCall');
  const call = s.received.find((m) => m.toolCall).toolCall.functionCalls[0];
  assert.equal(call.name, 'save_note');
  assert.match(call.id, /^function-call-\d+$/);
  assert.ok(!turnComplete(s.received), 'the model waits for the tool response');
  s.session.sendToolResponse({ functionResponses: [{ id: call.id, name: call.name, response: { output: 'note 7 saved' } }] });
  await s.until(() => turnComplete(s.received), 'turnComplete');
  assert.match(modelText(s.received), /note 7 saved/, 'the reply uses the tool output');
  s.session.close();
});

// --- what the SDK sends vs what our encoder writes ------------------------

// The SDK in Vertex AI mode with an OAuth token an application hands it (an
// auth client of its own: no Application Default Credentials are looked up).
const VERTEX_TOKEN = 'interop-vertex-token';
function vertexClient(base) {
  const authClient = { getRequestHeaders: async () => new Headers({ Authorization: `Bearer ${VERTEX_TOKEN}` }) };
  return new GoogleGenAI({
    vertexai: true, project: VERTEX_PROJECT, location: VERTEX_LOCATION, httpOptions: { baseUrl: base }, googleAuthOptions: { authClient },
  });
}

// `cases` given to the SDK (a client for `base`) against a loopback server
// that answers setupComplete: the frame each case sends, and each upgrade
// request's path and authorization.
async function captureSdkFrames(cases = sdkCases, clientFor = (base) => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: base } })) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const base = `http://127.0.0.1:${wss.address().port}`;
  let frames = [];
  let wake = () => {};
  const upgrades = [];
  wss.on('connection', (ws, request) => {
    upgrades.push({ url: request.url, authorization: request.headers.authorization, key: request.headers['x-goog-api-key'] });
    ws.on('message', (data, isBinary) => {
      assert.equal(isBinary, false, 'the SDK sends text frames');
      const text = data.toString('utf8');
      frames.push(text);
      if (text.includes('"setup"')) ws.send(Buffer.from('{\n  "setupComplete": {}\n}\n'), { binary: true });
      wake();
    });
  });
  const nextFrame = async (count) => {
    while (frames.length < count) await new Promise((r) => { wake = r; });
  };
  const raw = {};
  const ai = clientFor(base);
  for (const c of cases) {
    frames = [];
    const [model, config] = c.connect ?? ['gemini-2.0-flash-live-001', undefined];
    const session = await ai.live.connect({ model, config, callbacks: { onmessage: () => {} } });
    if (c.send) {
      c.send(session);
      await nextFrame(2);
    }
    raw[c.name] = frames[c.send ? 1 : 0];
    session.close();
  }
  wss.close();
  return { raw, upgrades };
}

// Our encoder's output (encode_cases.cpp), split by kind.
function ourCases() {
  const all = JSON.parse(execFileSync(ENCODE_CASES, { encoding: 'utf8' }));
  const pick = (keep) => Object.fromEntries(Object.entries(all).filter(([name]) => keep(name)));
  return {
    developer: pick((n) => !n.startsWith('vertex-') && !n.startsWith('refused-')),
    vertex: pick((n) => n.startsWith('vertex-')),
    refused: pick((n) => n.startsWith('refused-')),
  };
}

test('our encoder writes what the SDK writes for the same inputs, byte for byte', async () => {
  const sdkRaw = (await captureSdkFrames()).raw;
  const sdk = Object.fromEntries(Object.entries(sdkRaw).map(([name, frame]) => [name, JSON.parse(frame)]));
  // Our frames, exactly as encode_client_message() writes them.
  const oursRaw = ourCases().developer;
  assert.deepEqual(Object.keys(oursRaw).sort(), Object.keys(sdk).sort(), 'both sides cover the same cases');
  for (const name of Object.keys(sdk)) assert.deepStrictEqual(JSON.parse(oursRaw[name]), sdk[name], `case ${name}: same JSON`);
  // Same bytes: member order, numbers, escapes. Members the SDK passes through
  // as given (a Blob, a function response, realtimeInputConfig, ...) keep the
  // caller's order, so sdk_cases.mjs writes those in the order we write them.
  const differ = Object.keys(sdk).filter((name) => oursRaw[name] !== sdkRaw[name]);
  assert.deepEqual(differ.map((name) => `${name}:\n  ours ${oursRaw[name]}\n  sdk  ${sdkRaw[name]}`), [],
    'frames that differ in bytes');
  assert.equal(Object.keys(sdk).length, sdkCases.length, 'every SDK case was captured');

  const fixture = join(FIXTURES, 'sdk-captures.json');
  if (process.argv.includes('--update-fixtures')) {
    writeFileSync(fixture, JSON.stringify(sdk, null, 2) + '\n');
  }
  assert.deepStrictEqual(JSON.parse(readFileSync(fixture, 'utf8')), sdk,
    'tests/fixtures/sdk-captures.json matches the SDK (rerun with --update-fixtures after an SDK bump)');
});

test('Vertex AI: our setup is the SDK\'s in vertexai mode, byte for byte', async () => {
  const { raw: sdkRaw, upgrades } = await captureSdkFrames(vertexCases, vertexClient);
  // What the SDK connects to, for the endpoint side (session/endpoint.cpp).
  for (const u of upgrades) {
    // The SDK joins its base URL and the path with a double slash (live-protocol.md §1.1).
    assert.equal(u.url.replace(/^\/+/, '/'), '/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent');
    assert.equal(u.authorization, `Bearer ${VERTEX_TOKEN}`);
    assert.equal(u.key, undefined, 'no API key on Vertex AI');
  }
  const oursRaw = ourCases().vertex;
  assert.deepEqual(Object.keys(oursRaw).sort(), vertexCases.map((c) => c.name).sort(), 'both sides cover the same cases');
  const differ = Object.keys(sdkRaw).filter((name) => oursRaw[name] !== sdkRaw[name]);
  assert.deepEqual(differ.map((name) => `${name}:\n  ours ${oursRaw[name]}\n  sdk  ${sdkRaw[name]}`), [],
    'Vertex frames that differ in bytes');
  const sdk = Object.fromEntries(Object.entries(sdkRaw).map(([name, frame]) => [name, JSON.parse(frame)]));
  const fixture = join(FIXTURES, 'sdk-captures-vertex.json');
  if (process.argv.includes('--update-fixtures')) writeFileSync(fixture, JSON.stringify(sdk, null, 2) + '\n');
  assert.deepStrictEqual(JSON.parse(readFileSync(fixture, 'utf8')), sdk,
    'tests/fixtures/sdk-captures-vertex.json matches the SDK (rerun with --update-fixtures after an SDK bump)');
});

test('what one backend refuses: the SDK throws for the field our rules name', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const base = `http://127.0.0.1:${wss.address().port}`;
  const frames = [];
  wss.on('connection', (ws) => ws.on('message', (data) => frames.push(data.toString('utf8'))));
  const ours = ourCases().refused;
  assert.deepEqual(Object.keys(ours).sort(), refusalCases.map((c) => c.name).sort(), 'both sides cover the same cases');
  for (const c of refusalCases) {
    const ai = c.vertexai ? vertexClient(base) : new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: base } });
    const error = await ai.live.connect({ model: 'gemini-3.8-live', config: c.config, callbacks: { onmessage: () => {} } })
      .then(() => null, (e) => e);
    assert.ok(error, `${c.name}: the SDK sent it`);
    const param = error.message.match(/^(\w+) parameter is only supported in/)?.[1];
    assert.ok(param, `${c.name}: the SDK's words: ${error.message}`);
    assert.ok(ours[c.name] === param || ours[c.name].endsWith(`.${param}`),
      `${c.name}: the SDK refuses ${param}, our rules ${ours[c.name] || 'nothing'}`);
  }
  assert.deepEqual(frames, [], 'the SDK sent none of them');
  for (const ws of wss.clients) ws.terminate();
  wss.close();
});
