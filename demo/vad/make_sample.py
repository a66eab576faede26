#!/usr/bin/python3
"""Makes demo/vad/sample.wav, the bundled VAD sample, and sample.json, its known speech segments.

Three phrases are spoken by espeak-ng, resampled to 16 kHz by sox, trimmed of their own
leading/trailing silence (so the segment bounds are where the voice really starts and stops)
and placed between stretches of silence with a little noise. Needs Debian's espeak-ng and sox
and python3-numpy. Run from anywhere; it writes next to itself.
"""
import json
import os
import subprocess
import tempfile
import wave

import numpy as np

RATE = 16000
HERE = os.path.dirname(os.path.abspath(__file__))
# (silence before in seconds, text). The phrases have no commas: espeak pauses at punctuation,
# and a pause inside a phrase would make it two segments.
PHRASES = [(0.8, 'Hello from the Wisp runtime'),
           (1.2, 'Voice activity detection runs in the browser'),
           (1.0, 'Thank you for listening')]
TAIL = 0.9


def speak(text, workdir):
    raw, out = os.path.join(workdir, 'raw.wav'), os.path.join(workdir, 'out.wav')
    subprocess.run(['espeak-ng', '-v', 'en-us', '-s', '150', '-w', raw, text], check=True)
    # rate 16 kHz mono, then trim silence at both ends (threshold 0.1% of full scale).
    subprocess.run(['sox', raw, '-r', str(RATE), '-c', '1', '-b', '16', out,
                    'silence', '1', '0.005', '0.1%', 'reverse', 'silence', '1', '0.005', '0.1%', 'reverse'],
                   check=True)
    with wave.open(out, 'rb') as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2').astype(np.float32) / 32768


def main():
    rng = np.random.default_rng(7)
    pieces, segments, t = [], [], 0.0
    with tempfile.TemporaryDirectory() as workdir:
        for gap, text in PHRASES:
            pieces.append(np.zeros(int(gap * RATE), np.float32))
            t += gap
            voice = speak(text, workdir)
            pieces.append(voice)
            segments.append({'start': round(t, 3), 'end': round(t + len(voice) / RATE, 3), 'text': text})
            t += len(voice) / RATE
    pieces.append(np.zeros(int(TAIL * RATE), np.float32))
    audio = np.concatenate(pieces)
    audio += rng.normal(0, 0.002, audio.shape).astype(np.float32)  # faint noise floor (about -54 dBFS)
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype('<i2')
    with wave.open(os.path.join(HERE, 'sample.wav'), 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
    with open(os.path.join(HERE, 'sample.json'), 'w') as f:
        json.dump({'sampleRate': RATE, 'duration': round(len(pcm) / RATE, 3), 'segments': segments}, f, indent=2)
        f.write('\n')
    print(f'sample.wav: {len(pcm) / RATE:.2f} s, segments: {segments}')


if __name__ == '__main__':
    main()
