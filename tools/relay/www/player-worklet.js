// SPDX-License-Identifier: LGPL-2.1-or-later
// The model's voice: 24 kHz S16LE chunks in order, resampled to the
// context's rate. The buffer is bounded (the oldest audio goes beyond
// `maxSeconds`) and "flush" empties it at once (the user cut in).
class PlayerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const maxSeconds = (options.processorOptions && options.processorOptions.maxSeconds) || 60;
    this.capacity = Math.ceil(24000 * maxSeconds);
    this.ring = new Float32Array(this.capacity);
    this.read = 0;       // index of the next sample to play
    this.size = 0;       // samples held
    this.position = 0;   // fractional position between ring[read-1] and ring[read]
    this.step = 24000 / sampleRate;
    this.played = 0;     // 24 kHz samples played
    this.dropped = 0;    // samples dropped at the bound
    this.flushed = 0;    // samples dropped by flushes
    this.sinceReport = 0;
    this.port.onmessage = (e) => {
      if (e.data === 'flush') {
        this.flushed += this.size;
        this.read = (this.read + this.size) % this.capacity;
        this.size = 0;
        this.report(true);
        return;
      }
      const pcm = new Int16Array(e.data);
      for (let i = 0; i < pcm.length; ++i) {
        if (this.size === this.capacity) {  // full: the oldest goes
          this.read = (this.read + 1) % this.capacity;
          this.size--;
          this.dropped++;
        }
        this.ring[(this.read + this.size) % this.capacity] = pcm[i] / 32768;
        this.size++;
      }
    };
  }
  report(flush) {
    this.port.postMessage(
        {played: this.played, buffered: this.size, dropped: this.dropped, flushed: this.flushed, flush: !!flush});
  }
  process(inputs, outputs) {
    const out = outputs[0][0];
    for (let i = 0; i < out.length; ++i) {
      if (this.size < 2) {
        out[i] = 0;
        continue;
      }
      const a = this.ring[this.read];
      const b = this.ring[(this.read + 1) % this.capacity];
      out[i] = a + (b - a) * this.position;
      this.position += this.step;
      while (this.position >= 1 && this.size >= 2) {
        this.position -= 1;
        this.read = (this.read + 1) % this.capacity;
        this.size--;
        this.played++;
      }
    }
    for (let c = 1; c < outputs[0].length; ++c) outputs[0][c].set(out);
    if ((this.sinceReport += out.length) >= sampleRate / 10) {
      this.sinceReport = 0;
      this.report();
    }
    return true;
  }
}
registerProcessor('player-processor', PlayerProcessor);
