// SPDX-License-Identifier: LGPL-2.1-or-later
// The official SDK's side of `geminilive-bench throughput`: the same media
// as the element gets (20 ms chunks of 16 kHz audio, one JPEG per 50 chunks),
// sent as fast as the connection takes them through session.sendRealtimeInput,
// then audioStreamEnd; ends at turnComplete. The parent measures its CPU and
// peak RSS. Usage: node sdk_throughput.mjs URI AUDIO_SECONDS FRAMES JPEG SDK_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [uri, audioSeconds, frameCount, jpegPath, sdkDir] = process.argv.slice(2);
const { GoogleGenAI, Modality } = await import(
  pathToFileURL(join(sdkDir, 'node_modules', '@google', 'genai', 'dist', 'node', 'index.mjs')).href);

const chunks = Math.round(Number(audioSeconds) * 50);
const frames = Number(frameCount);
const jpeg = readFileSync(jpegPath);
// One second of a quiet pattern; chunks are slices of it.
const second = Buffer.alloc(32000);
for (let i = 0; i < 16000; i++) second.writeInt16LE(((i * 7) % 41) - 20, i * 2);

let finish;
const finished = new Promise((r) => { finish = r; });
const ai = new GoogleGenAI({ apiKey: 'bench', httpOptions: { baseUrl: uri.replace(/^ws/, 'http') } });
const session = await ai.live.connect({
  model: 'gemini-2.5-flash-native-audio-preview-12-2025',
  config: { responseModalities: [Modality.AUDIO] },
  callbacks: {
    onmessage: (m) => { if (m.serverContent?.turnComplete) finish(true); },
    onclose: () => finish(false),
  },
});

// What the SDK has queued and the socket not yet taken (its ws), when visible.
const buffered = () => session.conn?.ws?.bufferedAmount ?? 0;
const every = frames > 0 ? Math.max(1, Math.floor(chunks / frames)) : Infinity;
let sentFrames = 0;
for (let i = 0; i < chunks; i++) {
  const off = (i % 50) * 640;
  session.sendRealtimeInput({ audio: { data: second.subarray(off, off + 640).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
  if (i % every === every - 1 && sentFrames < frames) {
    session.sendRealtimeInput({ video: { data: jpeg.toString('base64'), mimeType: 'image/jpeg' } });
    sentFrames++;
    // As fast as the loopback takes them, without queueing the whole run in memory.
    while (buffered() > 4 * 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setImmediate(r));
  }
}
while (sentFrames < frames) {
  session.sendRealtimeInput({ video: { data: jpeg.toString('base64'), mimeType: 'image/jpeg' } });
  sentFrames++;
}
session.sendRealtimeInput({ audioStreamEnd: true });
const ok = await finished;
session.close();
process.stdout.write(JSON.stringify({ ok, chunks, frames: sentFrames }) + '\n');
process.exit(ok ? 0 : 1);
