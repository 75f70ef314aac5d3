// SPDX-License-Identifier: LGPL-2.1-or-later
// geminilive's page: shares the screen (1 frame/s, JPEG, aspect kept) and
// the microphone (AudioWorklet, 40 ms chunks of 16 kHz S16LE) with
// geminilive-relay over one WebSocket, plays the model's voice through an
// AudioWorklet (bounded, flushed at once on interruption), shows both
// transcripts, and takes typed input and push-to-talk. docs/relay.md.
'use strict';

const CHUNK_SAMPLES = 640;    // 40 ms at 16 kHz
const FRAME_MS = 1000;        // one frame a second
const MAX_FRAME_SIDE = 1024;  // the longer side of a frame, aspect kept
const PLAYER_SECONDS = 60;    // the playback buffer's bound

// Counters for people and tests (tests/browser reads them).
const stats = window.geminiliveStats = {
  state: 'idle', audioChunksSent: 0, audioBytesSent: 0, framesSent: 0, textsSent: 0,
  audioChunksReceived: 0, audioBytesReceived: 0, samplesPlayed: 0, samplesBuffered: 0, samplesFlushed: 0,
  interruptions: 0, turnsComplete: 0, usage: null, latencyMs: null, errors: [], warnings: [], messages: {},
  screen: 'none', microphone: 'none', lastFrameSize: null, micPeak: 0, bufferedAfterFlush: null,
};

const $ = (id) => document.getElementById(id);
let ws = null, audioContext = null, micNode = null, playerNode = null, micStream = null, screenStream = null;
let frameTimer = null, frameSource = null, pushToTalk = false, talking = false;
let lines = {user: null, model: null};  // the transcript lines being written

function token() {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  return fromHash || new URLSearchParams(location.search).get('token') || $('token').value || '';
}

function setStatus(text, kind) {
  $('status').textContent = text;
  $('status').className = 'status ' + (kind || '');
}

function say(role, text, append) {
  const box = $('transcript');
  let line = append ? lines[role] : null;
  if (!line) {
    line = document.createElement('div');
    line.className = 'line ' + role;
    box.appendChild(line);
    if (role in lines) lines[role] = line;
  }
  line.textContent += text;
  box.scrollTop = box.scrollHeight;
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function pcmFromBase64(data) {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function send(message) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function sendAudio(buffer) {
  const samples = new Int16Array(buffer);
  let peak = 0;
  for (let i = 0; i < samples.length; ++i) peak = Math.max(peak, Math.abs(samples[i]));
  stats.micPeak = Math.max(stats.micPeak, peak);
  if (pushToTalk && !talking) return;  // push-to-talk: only while the button is held
  send({realtime_input: {media_chunks: [{mime_type: 'audio/pcm;rate=16000', data: base64(buffer)}]}});
  stats.audioChunksSent++;
  stats.audioBytesSent += buffer.byteLength;
}

// A test card for browsers that cannot share a screen (headless without a
// capture source): a moving clock on a 1280x720 canvas. Opt-in: ?screen=test.
function testCard() {
  const canvas = document.createElement('canvas');
  canvas.width = 1280;
  canvas.height = 720;
  const g = canvas.getContext('2d');
  const draw = () => {
    g.fillStyle = '#204a87';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.fillStyle = 'white';
    g.font = '64px sans-serif';
    g.fillText('geminilive test card ' + new Date().toISOString().slice(11, 19), 80, 360);
  };
  draw();
  setInterval(draw, 500);
  return canvas;
}

async function startScreen() {
  const wantTest = new URLSearchParams(location.search).get('screen') === 'test';
  if (!wantTest && navigator.mediaDevices && navigator.mediaDevices.getDisplayMedia) {
    try {
      screenStream = await navigator.mediaDevices.getDisplayMedia({video: {frameRate: 5}, audio: false});
      const video = $('screen');
      video.srcObject = screenStream;
      await video.play();
      video.hidden = false;  // a small preview of what the model sees
      frameSource = video;
      stats.screen = 'display';
      screenStream.getVideoTracks()[0].addEventListener('ended', () => stopFrames());
    } catch (e) {
      say('system', 'screen not shared (' + e.name + '): you can still talk and type');
    }
  }
  if (!frameSource && wantTest) {
    frameSource = testCard();
    stats.screen = 'test-card';
  }
  if (frameSource) frameTimer = setInterval(sendFrame, FRAME_MS);
}

function stopFrames() {
  clearInterval(frameTimer);
  frameTimer = null;
}

function sendFrame() {
  const width = frameSource.videoWidth || frameSource.width;
  const height = frameSource.videoHeight || frameSource.height;
  if (!width || !height || !ws || ws.readyState !== WebSocket.OPEN) return;
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height));  // aspect kept, never scaled up
  const canvas = $('frame');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.getContext('2d').drawImage(frameSource, 0, 0, canvas.width, canvas.height);
  canvas.toBlob(async (blob) => {
    if (!blob) return;
    send({realtime_input: {media_chunks: [{mime_type: 'image/jpeg', data: base64(await blob.arrayBuffer())}]}});
    stats.framesSent++;
    stats.lastFrameSize = canvas.width + 'x' + canvas.height;
  }, 'image/jpeg', 0.7);
}

async function startAudio() {
  audioContext = new AudioContext();
  await audioContext.audioWorklet.addModule('player-worklet.js');
  await audioContext.audioWorklet.addModule('mic-worklet.js');
  playerNode = new AudioWorkletNode(audioContext, 'player-processor',
                                    {outputChannelCount: [2], processorOptions: {maxSeconds: PLAYER_SECONDS}});
  playerNode.port.onmessage = (e) => {
    if (e.data.flush) stats.bufferedAfterFlush = e.data.buffered;
    stats.samplesPlayed = e.data.played;
    stats.samplesBuffered = e.data.buffered;
    stats.samplesFlushed = e.data.flushed;
  };
  playerNode.connect(audioContext.destination);
  try {
    micStream = await navigator.mediaDevices.getUserMedia(
        {audio: {channelCount: 1, echoCancellation: true, noiseSuppression: true}});
    const source = audioContext.createMediaStreamSource(micStream);
    micNode = new AudioWorkletNode(audioContext, 'mic-processor',
                                   {numberOfInputs: 1, numberOfOutputs: 0, processorOptions: {chunkSamples: CHUNK_SAMPLES}});
    micNode.port.onmessage = (e) => sendAudio(e.data);
    source.connect(micNode);
    stats.microphone = 'on';
  } catch (e) {
    stats.microphone = 'none';
    say('system', 'no microphone (' + e.name + '): type below instead');
  }
  await audioContext.resume();
}

function onMessage(event) {
  let m;
  try {
    m = JSON.parse(event.data);
  } catch (e) {
    return;
  }
  const kind = m.type || (m.audio !== undefined ? 'audio' : m.text !== undefined ? 'text' : 'other');
  stats.messages[kind] = (stats.messages[kind] || 0) + 1;
  switch (kind) {
    case 'audio': {
      const pcm = pcmFromBase64(m.audio);
      stats.audioChunksReceived++;
      stats.audioBytesReceived += pcm.byteLength;
      if (playerNode) playerNode.port.postMessage(pcm, [pcm]);
      break;
    }
    case 'text':
      break;  // the tutorial's chat line; our page shows the typed transcript instead
    case 'transcript':
      say(m.role, m.delta, true);
      if (m.finished) lines[m.role] = null;
      if (m.role === 'user') lines.model = null;
      break;
    case 'interrupted':
      stats.interruptions++;
      if (playerNode) playerNode.port.postMessage('flush');
      say('system', 'interrupted');
      lines.model = null;
      break;
    case 'turn_complete':
      stats.turnsComplete++;
      lines = {user: null, model: null};
      break;
    case 'usage':
      stats.usage = m;
      $('usage').textContent = `last turn: ${m.prompt_tokens} tokens in, ${m.response_tokens} out`;
      break;
    case 'latency':
      stats.latencyMs = m.ms;
      $('latency').textContent = `answer after ${m.ms} ms`;
      break;
    case 'state':
      stats.state = m.state;
      setStatus(m.state + (m.detail ? ' (' + m.detail + ')' : ''), m.state === 'ready' ? 'ready' : '');
      break;
    case 'error':
      stats.errors.push(m.message);
      $('notice').textContent = m.message;
      break;
    case 'warning':
      stats.warnings.push(m.message);
      say('system', m.message, false);
      break;
  }
}

async function start() {
  $('start').disabled = true;
  pushToTalk = $('ptt-mode').checked;
  stats.state = 'connecting';
  setStatus('connecting');
  const t = token();
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/' +
              (t ? '?token=' + encodeURIComponent(t) : '');
  ws = new WebSocket(url);
  ws.onmessage = onMessage;
  ws.onclose = (e) => {
    stats.state = 'closed';
    setStatus('closed' + (e.code !== 1000 ? ' (' + e.code + ')' : ''), e.code === 1000 ? '' : 'error');
    if (e.code === 1006 && !t) $('token-box').hidden = false;  // refused before the upgrade: maybe a token
    stop();
  };
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error('cannot reach the relay'));
  }).catch((e) => {
    $('notice').textContent = e.message + (t ? '' : ' (does it need a token? enter it and try again)');
  });
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  const setup = {generation_config: {response_modalities: ['AUDIO']}};
  if (pushToTalk) setup.realtime_input_config = {automatic_activity_detection: {disabled: true}};
  send({setup});
  $('stop').disabled = false;
  $('text').disabled = $('send').disabled = false;
  $('talk').disabled = !pushToTalk;
  await startAudio();
  await startScreen();
}

function stop() {
  stopFrames();
  for (const s of [micStream, screenStream]) if (s) s.getTracks().forEach((t) => t.stop());
  micStream = screenStream = frameSource = null;
  $('screen').hidden = true;
  if (audioContext) audioContext.close();
  audioContext = micNode = playerNode = null;
  if (ws && ws.readyState === WebSocket.OPEN) ws.close(1000);
  $('start').disabled = false;
  $('stop').disabled = $('talk').disabled = true;
  $('text').disabled = $('send').disabled = true;
}

function talk(down) {
  if (!pushToTalk || down === talking) return;
  talking = down;
  $('talk').classList.toggle('down', down);
  send({realtime_input: down ? {activity_start: {}} : {activity_end: {}}});
}

$('start').addEventListener('click', start);
$('stop').addEventListener('click', stop);
$('typed').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  send({realtime_input: {text}});
  stats.textsSent++;  // it cuts an answer short: the server says "interrupted", and the player empties
  say('user', text, false);
  $('text').value = '';
});
for (const [event, down] of [['pointerdown', true], ['pointerup', false], ['pointerleave', false]])
  $('talk').addEventListener(event, () => talk(down));
document.addEventListener('keydown', (e) => { if (e.code === 'Space' && e.target === document.body) talk(true); });
document.addEventListener('keyup', (e) => { if (e.code === 'Space' && e.target === document.body) talk(false); });
if (new URLSearchParams(location.hash.slice(1)).get('token')) $('token-box').hidden = true;
