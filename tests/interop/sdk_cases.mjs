// SPDX-License-Identifier: LGPL-2.1-or-later
// The same inputs as encoder_cases.cpp, given to the official SDK the way its
// users write them. Each case names the SDK call; the test captures what the
// SDK puts on the wire for it.
import {
  ActivityHandling, Behavior, EndSensitivity, FunctionResponseScheduling, HarmBlockThreshold, HarmCategory,
  MediaResolution, Modality, StartSensitivity, ThinkingLevel, TurnCoverage, Type,
} from '@google/genai';

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

// gemini-3.8-live: manual activity (VAD off) with every VAD knob still set,
// transcription hints, BLOCKING and NON_BLOCKING functions, no thinking,
// proactivity or affective dialog (3.8 refuses them).
const live38Config = () => ({
  responseModalities: [Modality.AUDIO],
  temperature: 0.6,
  topP: 0.9,
  topK: 20,
  maxOutputTokens: 2048,
  mediaResolution: MediaResolution.MEDIA_RESOLUTION_MEDIUM,
  speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
  systemInstruction: 'Be brief.',
  tools: [
    {
      functionDeclarations: [
        { name: 'get_time', description: 'The current time.', behavior: Behavior.BLOCKING },
        {
          name: 'lookup',
          description: 'Looks a word up.',
          parameters: { type: Type.OBJECT, properties: { word: { type: Type.STRING } }, required: ['word'] },
          behavior: Behavior.NON_BLOCKING,
        },
      ],
    },
    { googleSearch: {} },
  ],
  sessionResumption: {},
  inputAudioTranscription: { languageCodes: ['en-US', 'fr-FR'] },
  outputAudioTranscription: { languageCodes: ['en-US'] },
  realtimeInputConfig: {
    automaticActivityDetection: {
      disabled: true,
      startOfSpeechSensitivity: StartSensitivity.START_SENSITIVITY_HIGH,
      endOfSpeechSensitivity: EndSensitivity.END_SENSITIVITY_LOW,
      prefixPaddingMs: 300,
      silenceDurationMs: 800,
    },
    activityHandling: ActivityHandling.NO_INTERRUPTION,
    turnCoverage: TurnCoverage.TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO,
  },
  contextWindowCompression: { triggerTokens: '100000', slidingWindow: { targetTokens: '50000' } },
});

// gemini-2.5 native audio: thinking budget with thoughts, affective dialog,
// proactive audio, automatic VAD with the other sensitivities.
const native25Config = () => ({
  responseModalities: [Modality.AUDIO],
  mediaResolution: MediaResolution.MEDIA_RESOLUTION_HIGH,
  thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
  enableAffectiveDialog: true,
  outputAudioTranscription: {},
  realtimeInputConfig: {
    automaticActivityDetection: {
      disabled: false,
      startOfSpeechSensitivity: StartSensitivity.START_SENSITIVITY_LOW,
      endOfSpeechSensitivity: EndSensitivity.END_SENSITIVITY_HIGH,
    },
    activityHandling: ActivityHandling.START_OF_ACTIVITY_INTERRUPTS,
    turnCoverage: TurnCoverage.TURN_INCLUDES_ALL_INPUT,
  },
  proactivity: { proactiveAudio: true },
});

// What our Setup::extra merges in: fields we have no member for (safety
// settings, labels) and one inside generationConfig (seed).
const extraConfig = () => ({
  responseModalities: [Modality.AUDIO],
  temperature: 0.5,
  seed: 3,
  safetySettings: [{ category: HarmCategory.HARM_CATEGORY_HARASSMENT, threshold: HarmBlockThreshold.BLOCK_ONLY_HIGH }],
  labels: { app: 'gst' },
});

const lookupTool = () => ({
  functionDeclarations: [{ name: 'lookup', description: 'Looks a word up.', behavior: Behavior.NON_BLOCKING }],
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
    send: (s) => s.sendRealtimeInput({ audio: { mimeType: 'audio/pcm;rate=16000', data: caseAudioBytes().toString('base64') } }),
  },
  {
    name: 'realtime-video',
    send: (s) => s.sendRealtimeInput({ video: { mimeType: 'image/jpeg', data: caseJpegBytes().toString('base64') } }),
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
  {
    name: 'client-content-history-complete',
    send: (s) => s.sendClientContent({
      turns: [
        { role: 'user', parts: [{ text: 'Remember the number 7.' }] },
        { role: 'model', parts: [{ text: 'I will remember 7.' }] },
        { role: 'user', parts: [{ text: 'Which number?' }] },
      ],
      turnComplete: true,
    }),
  },
  { name: 'client-content-turn-complete', send: (s) => s.sendClientContent({ turnComplete: true }) },
  {
    name: 'tool-response',
    send: (s) => s.sendToolResponse({ functionResponses: [{ id: 'function-call-1', name: 'save_note', response: { output: 'saved' } }] }),
  },
  {
    name: 'tool-response-will-continue',
    send: (s) => s.sendToolResponse({
      functionResponses: [{
        id: 'function-call-2', name: 'lookup', response: { output: 'partial' },
        scheduling: FunctionResponseScheduling.SILENT, willContinue: true,
      }],
    }),
  },
  {
    name: 'tool-response-scheduling',
    send: (s) => s.sendToolResponse({
      functionResponses: [
        { id: 'function-call-3', name: 'get_time', response: { output: '12:00' }, scheduling: FunctionResponseScheduling.WHEN_IDLE },
        {
          id: 'function-call-2', name: 'lookup', response: {},
          scheduling: FunctionResponseScheduling.INTERRUPT, willContinue: false,
        },
      ],
    }),
  },
  { name: 'context-update-instruction', send: (s) => s.sendContextUpdate({ systemInstruction: 'Now answer in French.' }) },
  { name: 'context-update-tools', send: (s) => s.sendContextUpdate({ tools: { tools: [lookupTool()] } }) },
  {
    name: 'context-update-both',
    send: (s) => s.sendContextUpdate({
      systemInstruction: { parts: [{ text: 'Use the tools.' }, { text: 'Be brief.' }], role: 'user' },
      tools: { tools: [lookupTool(), { googleSearch: {} }] },
    }),
  },
  { name: 'context-update-clear-tools', send: (s) => s.sendContextUpdate({ tools: { tools: [] } }) },
  { name: 'setup-3.8', connect: ['gemini-3.8-live', live38Config()] },
  {
    name: 'setup-3.8-extended-thinking',
    connect: ['gemini-3.8-live-extended-thinking', {
      responseModalities: [Modality.AUDIO],
      thinkingConfig: { includeThoughts: true, thinkingLevel: ThinkingLevel.HIGH },
      tools: [lookupTool()],
      outputAudioTranscription: {},
    }],
  },
  { name: 'setup-2.5', connect: ['gemini-2.5-flash-native-audio-preview-12-2025', native25Config()] },
  { name: 'setup-extra', connect: ['gemini-3.8-live', extraConfig()] },
];

// --- Vertex AI (vertex_cases.cpp) ------------------------------------------
// The SDK in vertexai mode, project and location set: the model it sends is
// the full resource name, and responseModalities AUDIO is added when unset.
export const VERTEX_PROJECT = 'interop-project';
export const VERTEX_LOCATION = 'us-central1';

export const vertexCases = [
  { name: 'vertex-setup-plain', connect: ['gemini-3.8-live', undefined] },
  {
    name: 'vertex-setup-voice-translation',
    connect: ['gemini-3.5-live-translate-preview', {
      speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Puck' } }, languageCode: 'es-ES' },
      translationConfig: { targetLanguageCode: 'es', echoTargetLanguage: false },
      inputAudioTranscription: {},
      outputAudioTranscription: {},
    }],
  },
  {
    name: 'vertex-setup-tools',
    connect: ['gemini-3.8-live', {
      responseModalities: [Modality.AUDIO],
      systemInstruction: 'Look things up.',
      tools: [
        {
          functionDeclarations: [{ name: 'lookup', description: 'Looks a word up.', behavior: Behavior.NON_BLOCKING }],
          googleSearch: { excludeDomains: ['example.com'], blockingConfidence: 'BLOCK_LOW_AND_ABOVE' },
          retrieval: { vertexRagStore: { ragResources: [{ ragCorpus: 'projects/p/locations/l/ragCorpora/1' }] } },
        },
        { enterpriseWebSearch: {} },
        { googleMaps: { groundingTypes: ['PLACES'] }, urlContext: {} },
      ],
    }],
  },
  {
    name: 'vertex-setup-transparent',
    connect: ['gemini-3.8-live', {
      sessionResumption: { handle: 'vertex-handle-1', transparent: true },
      explicitVadSignal: true,
      contextWindowCompression: { slidingWindow: {} },
    }],
  },
  {
    name: 'vertex-setup-safety',
    connect: ['gemini-live-2.5-flash-native-audio', {
      temperature: 0.4,
      safetySettings: [{ category: HarmCategory.HARM_CATEGORY_HATE_SPEECH, method: 'SEVERITY', threshold: HarmBlockThreshold.BLOCK_LOW_AND_ABOVE }],
      labels: { team: 'media' },
    }],
  },
  {
    name: 'vertex-setup-text',
    connect: ['gemini-3.5-transcribe-live', { responseModalities: [Modality.TEXT], inputAudioTranscription: { languageCodes: ['de-DE'] } }],
  },
];

// Fields one backend's converter refuses (the SDK throws "<param> parameter is
// only supported in ..."): our rules refuse the same input, naming the field.
export const refusalCases = [
  { name: 'refused-dev-transparent', vertexai: false, config: { sessionResumption: { transparent: true } } },
  { name: 'refused-dev-explicit-vad', vertexai: false, config: { explicitVadSignal: true } },
  {
    name: 'refused-dev-safety-method',
    vertexai: false,
    config: { safetySettings: [{ category: HarmCategory.HARM_CATEGORY_HARASSMENT, method: 'PROBABILITY', threshold: HarmBlockThreshold.OFF }] },
  },
  { name: 'refused-dev-retrieval', vertexai: false, config: { tools: [{ retrieval: {} }] } },
  { name: 'refused-dev-enterprise-search', vertexai: false, config: { tools: [{ enterpriseWebSearch: {} }] } },
  { name: 'refused-dev-exa-search', vertexai: false, config: { tools: [{ exaAiSearch: {} }] } },
  { name: 'refused-dev-parallel-search', vertexai: false, config: { tools: [{ parallelAiSearch: {} }] } },
  { name: 'refused-dev-search-exclude', vertexai: false, config: { tools: [{ googleSearch: { excludeDomains: ['a.example'] } }] } },
  { name: 'refused-dev-search-confidence', vertexai: false, config: { tools: [{ googleSearch: { blockingConfidence: 'BLOCK_NONE' } }] } },
  { name: 'refused-dev-maps-types', vertexai: false, config: { tools: [{ googleMaps: { groundingTypes: ['PLACES'] } }] } },
  { name: 'refused-vertex-file-search', vertexai: true, config: { tools: [{ fileSearch: { fileSearchStoreNames: ['s'] } }] } },
  { name: 'refused-vertex-mcp-name', vertexai: true, config: { tools: [{ mcpServers: [{ name: 'm' }] }] } },
  {
    name: 'refused-vertex-consent-audio',
    vertexai: true,
    config: { speechConfig: { voiceConfig: { replicatedVoiceConfig: { mimeType: 'audio/wav', voiceSampleAudio: 'AAAA', consentAudio: 'AAAA' } } } },
  },
];
