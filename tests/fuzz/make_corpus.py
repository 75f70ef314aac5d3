#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the committed seed corpora and dictionaries of the fuzz targets.

Run once by hand after the fixtures or the protocol's field names change:
    python3 tests/fuzz/make_corpus.py
It rewrites tests/fuzz/corpus/{server,client,codecs,frames}/ and tests/fuzz/*.dict
from tests/fixtures/reference-messages.json, tests/fixtures/sdk-captures.json,
the string literals of gst/protocol/*.cpp and the tricky inputs listed below.
Nothing runs it at build or test time; its output is committed.
"""
import json
import pathlib
import re
import shutil

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PROTOCOL = ROOT / "gst" / "protocol"

# Hand-written edge cases: each must decode or be rejected cleanly. Inputs that
# crashed when found live in tests/fuzz/crashes/ instead, not here.
TRICKY_SERVER = {
    "empty": b"",
    "whitespace": b" \r\n\t",
    "top-array": b"[]",
    "top-string": b'"setupComplete"',
    "unknown-only": b'{"somethingNew":{"a":1}}',
    "null-fields": b'{"setupComplete":null,"serverContent":{"modelTurn":null,"turnComplete":null}}',
    "wrong-types": b'{"serverContent":{"turnComplete":"true","modelTurn":{"parts":{}}}}',
    "duplicate-keys": b'{"serverContent":{"turnComplete":true,"turnComplete":false}}',
    "camel-and-snake": b'{"serverContent":{"turnComplete":true},"server_content":{"interrupted":true}}',
    "unicode-escapes": b'{"serverContent":{"modelTurn":{"parts":[{"text":"\\u00e9\\ud83d\\ude00\\u0001\\\\\\"/"}]}}}',
    "lone-surrogate": b'{"serverContent":{"outputTranscription":{"text":"\\ud800"}}}',
    "nul-escape": b'{"serverContent":{"outputTranscription":{"text":"a\\u0000b"}}}',
    "raw-utf8": '{"serverContent":{"inputTranscription":{"text":"Grüße 你好 🎉"}}}'.encode(),
    "invalid-utf8": b'{"serverContent":{"inputTranscription":{"text":"\xff\xfe\xc3("}}}',
    "base64-urlsafe": b'{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"mimeType":"audio/pcm","data":"-_8"}}]}}}',
    "base64-bad": b'{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"data":"A"}}]}}}',
    "base64-bad-padding": b'{"serverContent":{"modelTurn":{"parts":[{"inlineData":{"data":"AB=C"}}]}}}',
    "int-as-string": b'{"usageMetadata":{"totalTokenCount":"9223372036854775807","promptTokenCount":"-1"}}',
    "int-too-big-string": b'{"usageMetadata":{"totalTokenCount":"9223372036854775808"}}',
    "int-max": b'{"usageMetadata":{"totalTokenCount":9223372036854775807}}',
    "int-float": b'{"usageMetadata":{"totalTokenCount":12.0,"promptTokenCount":1.5}}',
    "resumption-index-number": b'{"sessionResumptionUpdate":{"newHandle":"h","resumable":true,"lastConsumedClientMessageIndex":7}}',
    "args-numbers": b'{"toolCall":{"functionCalls":[{"name":"f","args":{"a":1e21,"b":0.1,"c":-5,"d":1.5e-7,"e":[true,null,{}]}}]}}',
    "args-nested": b'{"toolCall":{"functionCalls":[{"name":"f","args":' + b'{"x":[' * 40 + b"1" + b"]}" * 40 + b"}]}}",
    "nesting-at-limit": b"{\"toolCall\":{\"functionCalls\":[{\"args\":" + b"[" * 124 + b"]" * 124 + b"}]}}",
    "nesting-over-limit": b"[" * 129 + b"]" * 129,
    "brackets-in-strings": b'{"serverContent":{"turnCompleteReason":"[[[{{{\\"]]]"}}',
    "go-away-durations": b'{"goAway":{"timeLeft":"-0.000000001s"},"voiceActivity":{"voiceActivityType":"ACTIVITY_END","audioOffset":".5s"}}',
    "go-away-bad-duration": b'{"goAway":{"timeLeft":"50"}}',
    "cancellation-mixed": b'{"toolCallCancellation":{"ids":["a",1,null]}}',
    "grounding-any": b'{"serverContent":{"groundingMetadata":[1,"x",{"y":null}],"urlContextMetadata":"s"}}',
    "vertex-usage": b'{"usageMetadata":{"candidatesTokenCount":"5","candidatesTokensDetails":[{"modality":"AUDIO","tokenCount":"5"}],"cacheTokensDetails":[{}]}}',
    "everything": b'{"setupComplete":{"sessionId":"s"},"toolCall":{"functionCalls":[]},"toolCallCancellation":{"ids":[]},"goAway":{},"sessionResumptionUpdate":{},"voiceActivityDetectionSignal":{},"voiceActivity":{},"usageMetadata":{},"serverContent":{"interimInputTranscription":{"text":"x","finished":false}}}',
    "grounding-sdk": b'{"serverContent":{"groundingMetadata":{"webSearchQueries":["q",1],"groundingChunks":[{"web":{"uri":"u","title":"t"}},{"web":{"uri":"u"}},{"retrievedContext":{"uri":7}},null,{"web":[]}],"searchEntryPoint":{"renderedContent":"<div>"}},"urlContextMetadata":{"urlMetadata":[{"retrievedUrl":"r","urlRetrievalStatus":"URL_RETRIEVAL_STATUS_SUCCESS"},{},"x"]}}}',
    "live-signals": b'{"serverContent":{"waitingForInput":true,"interactionStatus":"IN_PROGRESS","turnComplete":true,"turnCompleteReason":"NEED_MORE_INPUT"},"voiceActivity":{"type":"ACTIVITY_START","audioOffset":"1.2s"},"voiceActivityDetectionSignal":{"vadSignalType":"VAD_SIGNAL_TYPE_SOS"}}',
    "trailing-garbage": b'{"setupComplete":{}} x',
    "truncated": b'{"serverContent":{"modelTurn":{"parts":[{"text":"ab',
}

TRICKY_CLIENT = {
    "empty": b"",
    "empty-object": b"{}",
    "two-kinds": b'{"setup":{"model":"m"},"realtimeInput":{"text":"x"}}',
    "camel-and-snake-same": b'{"realtimeInput":{"text":"a"},"realtime_input":{"text":"b"}}',
    "setup-null": b'{"setup":null,"clientContent":{}}',
    "setup-not-object": b'{"setup":"models/x"}',
    "setup-numbers": b'{"setup":{"model":"m","generationConfig":{"temperature":0.1,"topP":1e-300,"topK":"40","maxOutputTokens":4294967297,"seed":-1,"presencePenalty":-2.5,"frequencyPenalty":2}}}',
    "setup-compression-strings": b'{"setup":{"contextWindowCompression":{"triggerTokens":"-9223372036854775808","slidingWindow":{"targetTokens":"0"}}}}',
    "setup-tools-all": b'{"setup":{"tools":[{"googleSearch":{},"codeExecution":{},"urlContext":{},"functionDeclarations":[{"name":"f","parameters":{"type":"OBJECT"},"parametersJsonSchema":true,"response":null,"behavior":"NON_BLOCKING"}]}]}}',
    "setup-wrong-types": b'{"setup":{"model":1,"tools":{},"generationConfig":[]}}',
    "setup-resumption": b'{"setup":{"sessionResumption":{"handle":"h","transparent":true},"inputAudioTranscription":{"languageCodes":["en-US",""]},"proactivity":{},"historyConfig":{}}}',
    "setup-speech": b'{"setup":{"generationConfig":{"speechConfig":{"voiceConfig":{"prebuiltVoiceConfig":{}},"languageCode":"de-DE"},"thinkingConfig":{"thinkingBudget":0,"includeThoughts":false},"enableAffectiveDialog":true,"responseModalities":["AUDIO","TEXT"]}}}',
    "realtime-all": b'{"realtimeInput":{"audio":{"data":""},"video":{"mimeType":"image/png"},"text":"","activityStart":{},"activityEnd":{},"audioStreamEnd":false,"mediaChunks":[]}}',
    "realtime-activity-not-object": b'{"realtimeInput":{"activityStart":true}}',
    "realtime-bad-base64": b'{"realtimeInput":{"audio":{"data":"AAA*"}}}',
    "realtime-base64-unpadded": b'{"realtimeInput":{"mediaChunks":[{"data":"AA"},{"data":"AAA"},{"data":"AAAA"}]}}',
    "realtime-base64-bits": b'{"realtimeInput":{"audio":{"data":"AB=="}}}',
    "client-content-parts": b'{"clientContent":{"turns":[{"parts":[{"text":"a","thought":true},{"inlineData":{"data":"AA=="}},{"executableCode":{"code":"1"}},{"codeExecutionResult":{}}]},{}]}}',
    "client-content-bad-turn": b'{"clientContent":{"turns":[1]}}',
    "context-update-snake": b'{"context_update":{"system_instruction":{"parts":[{"text":"x"}]},"tools":{"tools":[{"function_declarations":[{"name":"f"}]}]}}}',
    "context-update-wrong-types": b'{"contextUpdate":{"tools":[],"systemInstruction":"x"}}',
    "context-update-tools-null": b'{"contextUpdate":{"tools":{"tools":null}}}',
    "setup-unknown-fields": b'{"setup":{"model":"m","safetySettings":[{"category":"HARM_CATEGORY_HARASSMENT"}],"labels":{"a":"b"},"avatarConfig":null,"x":1}}',
    "tool-response-any": b'{"toolResponse":{"functionResponses":[{"response":[1,2]},{"id":"","willContinue":false,"scheduling":"WHEN_IDLE"}]}}',
    "tool-response-not-array": b'{"toolResponse":{"functionResponses":{}}}',
    "unicode": '{"realtimeInput":{"text":"\\u2028\\ud83d\\ude00 Ünïcødé \\t\\b\\f"}}'.encode(),
    "invalid-utf8": b'{"realtimeInput":{"text":"\xc0\x80\xed\xa0\x80"}}',
    "nul-escape": b'{"realtimeInput":{"text":"\\u0000"}}',
    "nesting-over-limit": b'{"toolResponse":{"functionResponses":[{"response":' + b"[" * 130 + b"]" * 130 + b"}]}}",
}

TRICKY_CODECS = {
    "b64-empty": b"",
    "b64-std": b"AAABAAIA/38AgA==",
    "b64-url": b"-_8AAA",
    "b64-one-pad": b"AAA=",
    "b64-three-pad": b"A===",
    "b64-bits": b"AB==",
    "b64-len1": b"AAAAA",
    "b64-mixed": b"+_-/",
    "dur-int": b"50s",
    "dur-frac": b"1.500s",
    "dur-neg": b"-0.000000001s",
    "dur-dot": b".5s",
    "dur-trailing-dot": b"5.s",
    "dur-long-frac": b"1.0123456789123s",
    "dur-max-ns": b"9223372036.854775807s",
    "dur-no-s": b"50",
    "dur-only-s": b"s",
    "dur-minus": b"-s",
}


def server_frame(first, payload):
    """A server's WebSocket frame (unmasked), as the wire carries it."""
    n = len(payload)
    if n < 126:
        head = bytes([first, n])
    elif n <= 0xFFFF:
        head = bytes([first, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([first, 127]) + n.to_bytes(8, "big")
    return head + payload


# The frame reader's seeds: the first byte picks the read size, the rest is wire.
FRAMES = {
    "text": b"\x00" + server_frame(0x81, b'{"setupComplete":{}}'),
    "binary-16bit-length": b"\x03" + server_frame(0x82, b"x" * 300),
    "fragments-with-ping": b"\x05" + server_frame(0x01, b"frag") + server_frame(0x89, b"p")
    + server_frame(0x80, b"ment"),
    "close-with-reason": b"\x01" + server_frame(0x88, b"\x03\xe8bye"),
    "close-empty": b"\x02" + server_frame(0x88, b""),
    "pong": b"\x00" + server_frame(0x8A, b"abc"),
    "masked": b"\x00" + bytes([0x81, 0x82, 1, 2, 3, 4]) + b"hi",
    "utf8-split": b"\x01" + server_frame(0x01, b"\xc3") + server_frame(0x80, b"\xa9"),
    "64bit-length": b"\x00" + bytes([0x82, 127]) + (5000).to_bytes(8, "big"),
}


def write_corpus(name, entries):
    out = HERE / "corpus" / name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for key, data in sorted(entries.items()):
        (out / key).write_bytes(data)
    return len(entries)


def fixture_seeds():
    server, client = {}, {}
    for m in json.loads((FIXTURES / "reference-messages.json").read_text()):
        target = server if m["direction"] == "server" else client
        target["ref-" + m["id"]] = m["wire"].encode()
        if "canonical" in m:
            target["ref-" + m["id"] + ".canonical"] = m["canonical"].encode()
    for key, message in json.loads((FIXTURES / "sdk-captures.json").read_text()).items():
        # What JSON.stringify sent: compact, non-ASCII as is.
        client["sdk-" + key] = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    return server, client


def field_names(*sources):
    names = set()
    for src in sources:
        text = (PROTOCOL / src).read_text()
        names.update(re.findall(r'"([a-z][A-Za-z]+)"', text))
    snake = {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), n) for n in names}
    return sorted(names | snake)


def dict_escape(s):
    return "".join("\\" + c if c in '"\\' else c if 0x20 <= ord(c) < 0x7F else "\\x%02x" % ord(c) for c in s)


def write_dict(name, keys, extra):
    lines = ["# libFuzzer dictionary for %s: written by make_corpus.py." % name]
    lines += ['"%s"' % dict_escape('"%s"' % k) for k in keys]
    lines += ['"%s"' % dict_escape(t) for t in extra]
    (HERE / (name + ".dict")).write_text("\n".join(lines) + "\n")


JSON_TOKENS = ["{}", "[]", "{", "}", "[", "]", ":", ",", '""', "true", "false", "null", "-0", "0.5", "1e308",
               "-1e-308", "9223372036854775807", "-9223372036854775808", "18446744073709551616",
               "\\u0000", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\\\", '\\"', "\\n", "\xff", "\xc3\xa9",
               "AAA=", "AA==", "-_", "50s", "1.500s", "-0.5s", "315576000000s", "audio/pcm;rate=16000"]

if __name__ == "__main__":
    server, client = fixture_seeds()
    server.update({"tricky-" + k: v for k, v in TRICKY_SERVER.items()})
    client.update({"tricky-" + k: v for k, v in TRICKY_CLIENT.items()})
    codecs = dict(TRICKY_CODECS)
    print("server:", write_corpus("server", server))
    print("client:", write_corpus("client", client))
    print("codecs:", write_corpus("codecs", codecs))
    print("frames:", write_corpus("frames", FRAMES))
    write_dict("fuzz_server_message", field_names("server_message.cpp", "content.cpp"), JSON_TOKENS)
    write_dict("fuzz_client_message", field_names("client_message.cpp", "content.cpp", "setup.cpp"), JSON_TOKENS)
    write_dict("fuzz_codecs", [], ["=", "==", "+", "/", "-", "_", "A", "AAAA", "s", ".", "-", "0", "9",
                                   "315576000000", "9223372036", "854775807", "000000000"])
    write_dict("fuzz_ws_frames", [], ["\x81", "\x82", "\x01", "\x80", "\x88", "\x89", "\x8a", "\x7e", "\x7f",
                                      "\x03\xe8", "\x03\xed", "\xc3\xa9", "\xff"])
