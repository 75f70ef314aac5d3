// SPDX-License-Identifier: LGPL-2.1-or-later
// Our page in Debian's Chromium, headless, against geminilive-relay against
// its bundled local server: fake microphone (a spoken question, then quiet)
// and fake screen capture. Asserts what a user would check: the server got
// the audio and the frames, the page played the answer and showed both
// transcripts, typed input was answered, an interruption emptied the player.
//
//   node run_page.mjs RELAY QUESTION_WAV
//
// Environment: CHROMIUM (default /usr/bin/chromium).
import {spawn, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let puppeteer;
try {
  puppeteer = (await import('puppeteer-core')).default;
} catch (e) {
  console.log('FAIL puppeteer-core is not installed in tests/browser: run tools/setup (npm ci there)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const [relayPath, questionWav] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.log(`FAIL no Chromium at ${chromium}: tools/setup installs Debian's chromium (or set CHROMIUM)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
let passed = 0, failed = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  ok ? passed++ : failed++;
};
const LONG_QUESTION = 'Please describe in detail every window, every menu, every button and every line of text ' +
    'that you can see on my screen right now, from the top left corner to the bottom right corner, slowly.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The question, then 2 s of quiet (the local server ends a turn after 0.6 s
// of it); Chromium loops the file as its fake microphone.
function questionWithQuiet(dir) {
  const wav = fs.readFileSync(questionWav);
  const data = wav.indexOf('data');
  const size = wav.readUInt32LE(data + 4);
  const rate = wav.readUInt32LE(24);
  const pcm = Buffer.concat([wav.subarray(data + 8, data + 8 + size), Buffer.alloc(rate * 2 * 2)]);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  const file = path.join(dir, 'question-then-quiet.wav');
  fs.writeFileSync(file, Buffer.concat([header, pcm]));
  return file;
}

function relayEnv(extra = {}) {
  const env = {...process.env, ...extra};
  delete env.GEMINI_API_KEY;  // the bundled local server
  delete env.GOOGLE_API_KEY;
  return env;
}

function startRelay(extraEnv = {}) {
  const relay = spawn(relayPath, ['--port', '0'], {env: relayEnv(extraEnv), stdio: ['ignore', 'pipe', 'pipe']});
  let stderr = '', stdout = '';
  relay.stderr.on('data', (d) => (stderr += d));
  const url = new Promise((resolve, reject) => {
    relay.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0]);
    });
    relay.on('exit', (code) => reject(new Error(`the relay exited (${code}): ${stderr}`)));
  });
  return {relay, url, stderr: () => stderr, output: () => stdout + stderr};
}

// The first lines a user reads, whatever the environment: which service,
// never the key; and the default listens on the loopback only.
async function startupChecks() {
  const key = 'AIzaStartupCheckKey-0000';
  const lines = async (args, env) => {
    const relay = spawn(relayPath, args, {env, stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    relay.stdout.on('data', (d) => (out += d));
    const deadline = Date.now() + 10000;
    while (out.split('\n').length < 3 && relay.exitCode === null && Date.now() < deadline) await sleep(50);
    relay.kill('SIGINT');
    await new Promise((r) => relay.exitCode !== null ? r() : relay.on('exit', r));
    return out.split('\n');
  };
  const gemini = await lines(['--port', '0'], {...process.env, GEMINI_API_KEY: key});
  check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(gemini[0]) && gemini[1].startsWith('talking to Gemini') &&
            !gemini.join('\n').includes(key),
        `with GEMINI_API_KEY: "${gemini[1]}", and not the key`);
  const local = await lines(['--port', '0', '--local'], {...process.env, GEMINI_API_KEY: key});
  check(local[1].startsWith('talking to the bundled local server (--local'), `--local: "${local[1]}"`);
  const uri = spawnSync(relayPath, ['--uri', 'wss://example.com/ws'], {env: relayEnv(), timeout: 10000});
  check(uri.status === 2 && /--uri needs a key/.test(uri.stderr.toString()), '--uri without a key is refused');

  const {relay, url} = startRelay();
  const port = new URL(await url).port;
  const external = Object.values(os.networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal);
  if (external) {
    const refused = await fetch(`http://${external.address}:${port}/`).then(() => false, () => true);
    check(refused, `by default nothing listens on ${external.address} (only the loopback)`);
  }
  const served = await fetch(`http://127.0.0.1:${port}/app.js`);
  check(served.status === 200 && /geminiliveStats/.test(await served.text()), 'the loopback serves the page\'s files');
  relay.kill('SIGINT');
  await new Promise((r) => relay.exitCode !== null ? r() : relay.on('exit', r));
}

// The safe defaults as a user meets them: no other machine without a token,
// and a page that presents the token (#token=) gets in, one without does not.
async function tokenChecks(launch) {
  const open = spawnSync(relayPath, ['--listen', '0.0.0.0', '--port', '0'], {env: relayEnv(), timeout: 10000});
  check(open.status === 2 && /--token/.test(open.stderr.toString()),
        `--listen 0.0.0.0 without a token is refused (${open.stderr.toString().trim()})`);
  const token = 'page-test-token-5f1c';
  const guarded = startRelay({GEMINILIVE_RELAY_TOKEN: token});
  const browser = await launch();
  try {
    const url = await guarded.url;
    const without = await browser.newPage();
    await without.goto(url + '?screen=test');
    await without.click('#start');
    await waitFor(without, () => window.geminiliveStats.state === 'closed', 10, 'the refusal');
    const refused = await without.evaluate(() => [window.geminiliveStats.state, !document.getElementById('token-box').hidden]);
    check(refused[0] === 'closed' && refused[1], `without the token the page is refused and asks for it (${refused})`);
    const withToken = await browser.newPage();
    await withToken.goto(url + '?screen=test#token=' + token);
    await withToken.click('#start');
    check(await waitFor(withToken, () => window.geminiliveStats.state === 'ready', 10, 'the session'),
          'with #token= the page gets its session');
  } finally {
    await browser.close();
    guarded.relay.kill('SIGINT');
    await new Promise((r) => guarded.relay.exitCode !== null ? r() : guarded.relay.on('exit', r));
  }
  check(/401/.test(guarded.stderr()) && !guarded.output().includes(token),
        'the relay logged the refusal (401), and never the token');
}

// The transcript as [role, text] lines (user, model, system).
function transcriptLines() {
  return [...document.querySelectorAll('#transcript .line')].map((l) => [l.className.split(' ')[1], l.textContent]);
}

async function waitFor(page, predicate, seconds, what) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (await page.evaluate(predicate)) return true;
    await sleep(200);
  }
  console.log(`  (waited ${seconds} s for ${what})`);
  return false;
}

setTimeout(() => {
  console.log('FAIL the run took over 100 s');
  process.exit(1);
}, 100000).unref();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geminilive-page-'));
const {relay, url, stderr} = startRelay();
let browser;
try {
  const pageUrl = await url;
  check(/^http:\/\/127\.0\.0\.1:\d+\/$/.test(pageUrl), `the relay's first line is the page's URL (${pageUrl})`);
  const launch = () => puppeteer.launch({
    executablePath: chromium,
    headless: true,
    protocolTimeout: 30000,
    args: [
      '--no-sandbox',  // CI runs as root
      '--disable-dev-shm-usage',  // containers with a small /dev/shm
      '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${questionWithQuiet(dir)}`,
      '--auto-accept-this-tab-capture', '--auto-select-desktop-capture-source=Entire screen',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  browser = await launch();
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(pageUrl);
  await page.click('#start');  // a real click: getDisplayMedia needs the gesture

  // One spoken turn answered and played, with frames on the way.
  await waitFor(page, () => {
    const s = window.geminiliveStats;
    return s.turnsComplete >= 1 && s.samplesPlayed > 24000 && s.framesSent >= 2;
  }, 40, 'a turn answered and played');
  // A visitor without a microphone (getUserMedia finds none) and without a
  // screen to share (the page's ?screen=test card) types instead.
  const typist = await browser.newPage();
  typist.on('pageerror', (e) => consoleErrors.push(e.message));
  await typist.evaluateOnNewDocument(() => {
    navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('no microphone', 'NotFoundError'));
  });
  await typist.goto(pageUrl + '?screen=test');
  await typist.click('#start');
  await waitFor(typist, () => !document.getElementById('text').disabled, 10, 'the text box');
  // A long question, so its answer is still coming when the next one cuts
  // in: the server interrupts, and the page empties its player at once.
  await typist.type('#text', LONG_QUESTION);
  await typist.keyboard.press('Enter');
  await waitFor(typist, () => window.geminiliveStats.audioChunksReceived > 0, 20, 'the long answer');
  await typist.type('#text', 'What is on the screen?');
  await typist.keyboard.press('Enter');
  await waitFor(typist, () => window.geminiliveStats.turnsComplete >= 2, 20, 'the answer to the typed question');
  await sleep(300);  // the last transcript fragments travel beside turn_complete
  await typist.click('#stop');
  const t = await typist.evaluate(() => window.geminiliveStats);
  const typed = await typist.evaluate(transcriptLines);
  console.log(`  typist: ${JSON.stringify({...t, messages: undefined})}`);
  // Push-to-talk: hold the button for 1.5 s; the model answers what was said
  // while it was held (activity_start, the audio, activity_end).
  const talker = await browser.newPage();
  talker.on('pageerror', (e) => consoleErrors.push(e.message));
  await talker.goto(pageUrl + '?screen=test');
  await talker.click('#ptt-mode');
  await talker.click('#start');
  await waitFor(talker, () => window.geminiliveStats.state === 'ready' && window.geminiliveStats.microphone === 'on',
                10, 'the push-to-talk session');
  const button = await talker.$('#talk');
  const box = await button.boundingBox();
  await talker.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await talker.mouse.down();
  await sleep(1500);
  await talker.mouse.up();
  await waitFor(talker, () => window.geminiliveStats.turnsComplete >= 1, 20, 'the push-to-talk answer');
  await sleep(300);
  await talker.click('#stop');
  const p = await talker.evaluate(() => window.geminiliveStats);
  const talked = (await talker.evaluate(transcriptLines)).filter(([role]) => role === 'model').map(([, text]) => text);
  console.log(`  talker: ${JSON.stringify({...p, messages: undefined})}`);

  // The first page stops (Stop closes its WebSocket): what it sent is final.
  await page.bringToFront();
  await page.click('#stop');
  const s = await page.evaluate(() => window.geminiliveStats);
  const lines = await page.evaluate(transcriptLines);
  console.log(`  page: ${JSON.stringify({...s, messages: undefined})}`);
  console.log(`  page messages: ${JSON.stringify(s.messages)}`);
  await browser.close();
  browser = null;

  check(s.screen === 'display', `the screen came from getDisplayMedia (${s.screen})`);
  check(s.microphone === 'on' && s.micPeak > 1000, `the microphone was captured (peak ${s.micPeak})`);
  check(s.audioChunksSent > 0 && s.audioBytesSent === s.audioChunksSent * 1280,
        `microphone chunks of 40 ms at 16 kHz S16LE (${s.audioChunksSent} chunks, ${s.audioBytesSent} bytes)`);
  const [w, h] = (s.lastFrameSize || '0x0').split('x').map(Number);
  check(w > 0 && Math.abs(w / h - 16 / 9) < 0.01, `frames keep the screen's aspect (${s.lastFrameSize})`);
  const heard = lines.find(([role, text]) => role === 'user' && /^\(\d+\.\d seconds of speech\)$/.test(text));
  check(heard, `the transcript shows what the server heard (${heard && heard[1]})`);
  const said = lines.map(([role, text]) => role === 'model' && text.match(
      /^I heard \d+\.\d seconds of audio at 16000 Hz and saw \d+ frames?, (?:the last )?an? (\d+x\d+) JPEG\.$/))
      .find((m) => m);
  check(said && said[1] === s.lastFrameSize,
        `the model's transcript: audio at 16 kHz and the page's frames (${said ? said[0] : JSON.stringify(lines)})`);
  check(s.audioBytesReceived > 0 && s.samplesPlayed > 24000 && s.samplesPlayed * 2 <= s.audioBytesReceived,
        `the page played the answer (${s.samplesPlayed} of ${s.audioBytesReceived / 2} samples at 24 kHz)`);
  check(t.microphone === 'none' && t.screen === 'test-card' && t.audioChunksSent === 0 && t.framesSent >= 1,
        `the typist had no microphone and sent the test card (${t.microphone}, ${t.screen}, ${t.framesSent} frames)`);
  // The test card may or may not have reached the turn: "I saw 1 frame, a 1024x576 JPEG." first.
  const last = typed[typed.length - 1];
  check(typed.some(([role, text]) => role === 'user' && text === 'What is on the screen?') && last[0] === 'model' &&
            /^(I saw \d+ frames?, (the last )?a 1024x576 JPEG\. )?You wrote: What is on the screen\?$/.test(last[1]),
        `typed input was answered (${JSON.stringify(last)})`);
  const held = talked.map((t) => t.match(/^I heard (\d+\.\d) seconds of audio at 16000 Hz/)).find((m) => m);
  // The server counts only the audio between activityStart and activityEnd:
  // exactly the chunks the page sent while the button was down.
  check(held && Number(held[1]) === Math.round(p.audioChunksSent * 0.4) / 10 && Math.abs(Number(held[1]) - 1.5) <= 0.3,
        `push-to-talk: the audio sent while the button was held is answered (${held ? held[0] : JSON.stringify(talked)}; ` +
        `${p.audioChunksSent} chunks of 40 ms sent)`);
  check(s.usage && s.usage.total_tokens > 0 && s.latencyMs !== null,
        `usage and latency shown (${s.usage && s.usage.total_tokens} tokens, ${s.latencyMs} ms)`);
  check(t.interruptions >= 1 && t.bufferedAfterFlush === 0 && t.samplesFlushed > 0,
        `an interruption emptied the player at once (${t.interruptions} interruptions, ${t.samplesFlushed} samples dropped)`);
  check(consoleErrors.length === 0, `no errors in the page (${consoleErrors.join(' | ')})`);

  // What the local server received, from the relay's closing summary.
  relay.kill('SIGINT');
  await new Promise((r) => relay.on('exit', r));
  const summary = stderr().match(
      /the local server received (\d+) setup, (\d+) frames, (\d+) audio chunks \((\d+) between activityStart and activityEnd\), (\d+) activityStart, (\d+) activityEnd/);
  check(summary !== null, 'the relay printed the local server\'s summary');
  if (summary) {
    const [, setups, frames, chunks, , starts, ends] = summary.map(Number);
    check(setups === 3, `one setup per page (${setups})`);
    const framesSent = s.framesSent + t.framesSent + p.framesSent;
    check(frames >= 2 && frames <= framesSent, `frames reached the server (${frames} of ${framesSent} sent)`);
    const chunksSent = s.audioChunksSent + p.audioChunksSent;
    check(chunks >= chunksSent * 0.9 && chunks <= chunksSent, `audio reached the server (${chunks} of ${chunksSent} chunks)`);
    check(starts === 1 && ends === 1, `push-to-talk: one activityStart and one activityEnd (${starts}, ${ends})`);
  }
  check([1, 2, 3].every((n) => new RegExp(`${n}: ended after`).test(stderr())), 'each session ended with its page');

  await tokenChecks(launch);
  await startupChecks();
} catch (e) {
  check(false, `the run: ${e.stack || e}`);
} finally {
  if (browser) await browser.close();
  if (relay.exitCode === null) relay.kill('SIGINT');
  fs.rmSync(dir, {recursive: true, force: true});
}
if (failed) console.log(stderr().split('\n').slice(-25).join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
