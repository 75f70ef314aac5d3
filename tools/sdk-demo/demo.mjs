// SPDX-License-Identifier: LGPL-2.1-or-later
// The main job until the elements land: the official SDK asks the local Live
// server (or, with GEMINI_API_KEY set, the real service) a spoken question
// about a screen frame, prints the transcript and writes the spoken reply to
// a WAV file. Usage: node demo.mjs [--local] [--out reply.wav]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { GoogleGenAI, Modality } from '@google/genai';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const outPath = args.includes('--out') ? args[args.indexOf('--out') + 1] : 'geminilive-reply.wav';
const apiKey = process.env.GEMINI_API_KEY || process.env.GOOGLE_API_KEY;
const local = args.includes('--local') || !apiKey;
const QUESTION = 'What is on my screen?';
const tmp = mkdtempSync(join(tmpdir(), 'geminilive-demo-'));

function log(who, text) { process.stdout.write(`${who.padEnd(8)}${text}\n`); }

async function startLocalServer() {
  const bin = join(root, 'build', 'tools', 'mock-server', 'geminilive-mock-server');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run tools/setup first`);
  const server = spawn(bin, ['--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((ok, fail) => {
    createInterface({ input: server.stdout }).once('line', ok);
    server.once('exit', (code) => fail(new Error(`local server exited with ${code}`)));
  });
  return { server, url };
}

// The spoken question: espeak-ng when installed, else a tone with a voice's rhythm.
function questionPcm() {
  try {
    const wav = join(tmp, 'question.wav');
    execFileSync('espeak-ng', ['-w', wav, QUESTION], { stdio: 'ignore' });
    const data = readFileSync(wav);
    return { pcm: data.subarray(44), rate: data.readUInt32LE(24), spoken: true };
  } catch {
    const rate = 16000;
    const pcm = Buffer.alloc(rate * 3);  // 1.5 s
    for (let i = 0; i < pcm.length / 2; i++) {
      const envelope = Math.max(0, Math.sin((Math.PI * i) / (rate * 0.3)));
      pcm.writeInt16LE(Math.round(6000 * envelope * Math.sin((2 * Math.PI * 180 * i) / rate)), i * 2);
    }
    return { pcm, rate, spoken: false };
  }
}

// One 1024x576 "screen" frame from GStreamer's test pattern.
function screenJpeg() {
  const file = join(tmp, 'screen.jpg');
  try {
    execFileSync('gst-launch-1.0', ['-q', 'videotestsrc', 'num-buffers=1', '!', 'video/x-raw,width=1024,height=576',
      '!', 'jpegenc', '!', 'filesink', `location=${file}`], { stdio: 'ignore' });
    return readFileSync(file);
  } catch {
    return readFileSync(join(root, 'tests', 'fixtures', 'frame-64x48.jpg'));
  }
}

function wavFile(pcm, rate) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + pcm.length, 4); h.write('WAVE', 8);
  h.write('fmt ', 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write('data', 36); h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

async function main() {
  let server = null;
  let ai;
  if (local) {
    const started = await startLocalServer();
    server = started.server;
    log('state', `local Live server at ${started.url} (set GEMINI_API_KEY for the real service)`);
    ai = new GoogleGenAI({ apiKey: 'local', httpOptions: { baseUrl: started.url.replace(/^ws/, 'http') } });
  } else {
    log('state', 'connecting to the Gemini Live API');
    ai = new GoogleGenAI({ apiKey });
  }

  const reply = [];
  let you = '';
  let gemini = '';
  let finish;
  const finished = new Promise((r) => { finish = r; });
  const session = await ai.live.connect({
    model: 'gemini-2.5-flash-native-audio-preview-12-2025',
    config: {
      responseModalities: [Modality.AUDIO],
      inputAudioTranscription: {},
      outputAudioTranscription: {},
      systemInstruction: 'You are a screen assistant. Answer briefly about what is on the shared screen.',
    },
    callbacks: {
      onmessage: (m) => {
        const c = m.serverContent;
        if (c?.inputTranscription?.text) you += c.inputTranscription.text;
        if (c?.outputTranscription?.text) gemini += c.outputTranscription.text;
        for (const p of c?.modelTurn?.parts ?? []) if (p.inlineData?.data) reply.push(Buffer.from(p.inlineData.data, 'base64'));
        if (c?.turnComplete) finish(m.usageMetadata);
      },
      onclose: (e) => { if (e.code !== 1000 && e.code !== 1005) log('state', `closed: ${e.code} ${e.reason}`); finish(null); },
    },
  });
  log('state', 'session ready (setupComplete)');

  const frame = screenJpeg();
  session.sendRealtimeInput({ video: { data: frame.toString('base64'), mimeType: 'image/jpeg' } });
  const q = questionPcm();
  log('you', q.spoken ? `(speaking) "${QUESTION}"` : '(a tone standing in for speech: espeak-ng is not installed)');
  const chunk = (q.rate / 10) * 2;  // 100 ms
  for (let off = 0; off < q.pcm.length; off += chunk) {
    session.sendRealtimeInput({ audio: { data: q.pcm.subarray(off, off + chunk).toString('base64'), mimeType: `audio/pcm;rate=${q.rate}` } });
    await new Promise((r) => setTimeout(r, 100));
  }
  session.sendRealtimeInput({ audioStreamEnd: true });

  const usage = await finished;
  session.close();
  server?.kill('SIGTERM');
  if (you) log('you', you.trim());
  log('gemini', gemini.trim() || '(no transcript)');
  const pcm = Buffer.concat(reply);
  writeFileSync(outPath, wavFile(pcm, 24000));
  log('state', `reply: ${(pcm.length / 48000).toFixed(1)} s of 24 kHz audio written to ${outPath}`);
  if (usage) log('usage', `${usage.totalTokenCount} tokens (prompt ${usage.promptTokenCount}, response ${usage.responseTokenCount})`);
  if (!pcm.length) process.exitCode = 1;
}

main().catch((e) => { console.error(`demo: ${e.message}`); process.exit(1); });
