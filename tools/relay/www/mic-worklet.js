// SPDX-License-Identifier: LGPL-2.1-or-later
// The microphone, at the context's rate, resampled here to 16 kHz S16LE mono
// and posted in chunks of `chunkSamples` (640 = 40 ms).
class MicProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.chunkSamples = (options.processorOptions && options.processorOptions.chunkSamples) || 640;
    this.step = sampleRate / 16000;  // input samples per output sample
    this.position = 0;               // fractional read position in the current input block
    this.last = 0;                   // the previous block's last sample, for interpolation
    this.chunk = new Int16Array(this.chunkSamples);
    this.filled = 0;
  }
  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0) return true;
    const samples = input[0];  // first channel (the mic is mono)
    let p = this.position;
    while (p < samples.length) {
      const i = Math.floor(p);
      const frac = p - i;
      const a = i === 0 ? this.last : samples[i - 1];
      const b = samples[i];
      // p counts from the previous block's last sample (index -1 here).
      const v = a + (b - a) * frac;
      const s = Math.max(-1, Math.min(1, v));
      this.chunk[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.filled === this.chunkSamples) {
        this.port.postMessage(this.chunk.buffer, [this.chunk.buffer]);
        this.chunk = new Int16Array(this.chunkSamples);
        this.filled = 0;
      }
      p += this.step;
    }
    this.position = p - samples.length;
    this.last = samples[samples.length - 1];
    return true;
  }
}
registerProcessor('mic-processor', MicProcessor);
