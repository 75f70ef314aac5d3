// The same inputs as encoder_cases.cpp, given to the official SDK the way its
// users write them. Each case names the SDK call; the test captures what the
// SDK puts on the wire for it.
import { Modality, MediaResolution, Type } from '@google/genai';

function caseAudioBytes() {
  const bytes = Buffer.alloc(3200);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
  return bytes;
}

function caseJpegBytes() {
  const body = [];
  for (let i = 0; i < 60; i++) body.push((i * 13) & 0xff);
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...body, 0xff, 0xd9]);
}

const fullConfig = () => ({
  responseModalities: [Modality.AUDIO],
  temperature: 0.7,
  topP: 0.95,
  topK: 40,
  maxOutputTokens: 1024,
  seed: 7,
  mediaResolution: MediaResolution.MEDIA_RESOLUTION_LOW,
  speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } }, languageCode: 'en-US' },
  thinkingConfig: { thinkingBudget: 0 },
  enableAffectiveDialog: true,
  systemInstruction: 'You are a helpful screen assistant.',
  tools: [
    {
      functionDeclarations: [{
        name: 'save_note',
        description: 'Appends a note to the notes file.',
        parameters: {
          type: Type.OBJECT,
          properties: { text: { type: Type.STRING, description: 'The note.' } },
          required: ['text'],
        },
      }],
    },
    { googleSearch: {} },
  ],
  sessionResumption: { handle: 'handle-123' },
  inputAudioTranscription: {},
  outputAudioTranscription: {},
  realtimeInputConfig: {
    automaticActivityDetection: {
      disabled: false,
      startOfSpeechSensitivity: 'START_SENSITIVITY_UNSPECIFIED',
      endOfSpeechSensitivity: 'END_SENSITIVITY_UNSPECIFIED',
      prefixPaddingMs: 500,
      silenceDurationMs: 2000,
    },
    activityHandling: 'ACTIVITY_HANDLING_UNSPECIFIED',
    turnCoverage: 'TURN_INCLUDES_ONLY_ACTIVITY',
  },
  contextWindowCompression: { triggerTokens: '25600', slidingWindow: { targetTokens: '12800' } },
  proactivity: { proactiveAudio: true },
});

// connect: [model, config] for ai.live.connect; send: (session) => SDK call.
export const sdkCases = [
  { name: 'setup-minimal', connect: ['gemini-2.0-flash-live-001', undefined] },
  { name: 'setup-full', connect: ['gemini-2.5-flash-native-audio-preview-12-2025', fullConfig()] },
  {
    name: 'setup-text',
    connect: ['models/gemini-3.1-flash-live-preview', {
      responseModalities: [Modality.TEXT],
      systemInstruction: { role: 'user', parts: [{ text: 'Answer in one sentence.' }] },
      sessionResumption: {},
      contextWindowCompression: { slidingWindow: {} },
      inputAudioTranscription: { languageCodes: ['en-US', 'de-DE'] },
    }],
  },
  {
    name: 'realtime-audio',
    send: (s) => s.sendRealtimeInput({ audio: { data: caseAudioBytes().toString('base64'), mimeType: 'audio/pcm;rate=16000' } }),
  },
  {
    name: 'realtime-video',
    send: (s) => s.sendRealtimeInput({ video: { data: caseJpegBytes().toString('base64'), mimeType: 'image/jpeg' } }),
  },
  { name: 'realtime-text', send: (s) => s.sendRealtimeInput({ text: 'Are you there? Ünïcødé "quotes" \\ and\nnewline' }) },
  { name: 'activity-start', send: (s) => s.sendRealtimeInput({ activityStart: {} }) },
  { name: 'activity-end', send: (s) => s.sendRealtimeInput({ activityEnd: {} }) },
  { name: 'audio-stream-end', send: (s) => s.sendRealtimeInput({ audioStreamEnd: true }) },
  { name: 'client-content', send: (s) => s.sendClientContent({ turns: 'Hello' }) },
  {
    name: 'client-content-history',
    send: (s) => s.sendClientContent({
      turns: [
        { role: 'user', parts: [{ text: 'What is on my screen?' }] },
        { role: 'model', parts: [{ text: 'A terminal window.' }] },
      ],
      turnComplete: false,
    }),
  },
  { name: 'client-content-turn-complete', send: (s) => s.sendClientContent({ turnComplete: true }) },
  {
    name: 'tool-response',
    send: (s) => s.sendToolResponse({ functionResponses: [{ id: 'function-call-1', name: 'save_note', response: { output: 'saved' } }] }),
  },
];
