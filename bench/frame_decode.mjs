// Browser-side decoding cost of WebSocket frames in V8 (Node), for bench/frame_formats.py.
// node bench/frame_decode.mjs DIR [msgpack-module]: DIR holds frames.json, frame*.msgpack
// and compact.mjs (the page's decoder, compiled); times are the best of 20 passes per tick.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = process.argv[2];
const { CompactDecoder } = await import(pathToFileURL(join(dir, 'compact.mjs')).href);
const data = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8'));
const packed = readdirSync(dir)
  .filter((f) => f.endsWith('.msgpack'))
  .sort((a, b) => parseInt(a.slice(5), 10) - parseInt(b.slice(5), 10))
  .map((f) => readFileSync(join(dir, f)));

function best(fn) {
  let min = Infinity;
  for (let r = 0; r < 20; r += 1) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

const n = data.v1.length;
const v1 = best(() => {
  for (const text of data.v1) JSON.parse(text);
});
const compact = best(() => {
  const d = new CompactDecoder();
  d.decode(JSON.parse(data.snapshot));
  for (const text of data.compact) d.decode(JSON.parse(text));
});
const snapOnly = best(() => new CompactDecoder().decode(JSON.parse(data.snapshot)));
const out = [
  ['v1 JSON: JSON.parse', v1],
  ['compact JSON: parse + decode to v1 objects', compact - snapOnly],
];
if (process.argv[3]) {
  const { decode } = await import(pathToFileURL(process.argv[3]).href);
  const mp = best(() => {
    const d = new CompactDecoder();
    d.decode(JSON.parse(data.snapshot));
    for (const b of packed) d.decode(decode(b));
  });
  out.push(['compact msgpack: decode + decode to v1 objects', mp - snapOnly]);
}
console.log('browser decoding (V8, Node), ms per tick:');
for (const [name, ms] of out) console.log(`  ${name.padEnd(48)} ${(ms / n).toFixed(3)}`);
