#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (CPU) and writes its outputs, so that the
// tests can hold mlc's models to the numbers of a widely used runtime.
//
//   node utils/ort_run.js MODEL [--input NAME=FILE.bin:1x3x224x224]... [--shape DIMS]...
//                         [--threads N] [--runs N] [--out DIR]
//
// Inputs are raw little-endian float32 files; an input not given is filled with
// x[i] = 0.5 * sin(i) at --shape (or its declared shape when that is fully known).
// Writes DIR/<output>.bin (float32; characters outside [A-Za-z0-9_.-] become _)
// and DIR/result.json (dims, load and run times in ms). --shape given again (a model
// of dynamic sizes): each further shape is run after the first in the same session,
// its first run and --runs more timed, in "sequence" (the outputs are the first's). The onnxruntime-node
// package is looked for in $ORT_NODE_MODULES, then ~/.cache/mlc/ortpeer/node_modules
// (where utils/setup.sh installs it).
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

function loadOrt() {
  const places = [process.env.ORT_NODE_MODULES,
                  path.join(os.homedir(), '.cache', 'mlc', 'ortpeer', 'node_modules')];
  for (const dir of places) {
    if (dir && fs.existsSync(path.join(dir, 'onnxruntime-node')))
      return require(path.join(dir, 'onnxruntime-node'));
  }
  throw new Error('onnxruntime-node not found (set ORT_NODE_MODULES or run utils/setup.sh)');
}

const dimsOf = (text) => text.split('x').map(Number);
const count = (dims) => dims.reduce((a, b) => a * b, 1);

function parseArgs(argv) {
  const o = { model: null, inputs: {}, shapes: [], threads: 1, runs: 0, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) throw new Error(a + ' needs a value'); return argv[++i]; };
    if (a === '--input') {
      const [name, spec] = next().split(/=(.*)/s);
      const at = spec.lastIndexOf(':');
      o.inputs[name] = { file: spec.slice(0, at), dims: dimsOf(spec.slice(at + 1)) };
    } else if (a === '--shape') o.shapes.push(dimsOf(next()));
    else if (a === '--threads') o.threads = Number(next());
    else if (a === '--runs') o.runs = Number(next());
    else if (a === '--out') o.out = next();
    else if (!o.model && !a.startsWith('--')) o.model = a;
    else throw new Error('unknown argument ' + a);
  }
  if (!o.model) throw new Error('usage: ort_run.js MODEL [--input NAME=FILE:DIMS] [--shape DIMS] [--out DIR]');
  return o;
}

// Its first run and `runs` more, timed: [results, first ms, sorted times].
async function timeRuns(session, feeds, runs) {
  let start = performance.now();
  let results = await session.run(feeds);
  const firstMs = performance.now() - start;
  const times = [];
  for (let r = 0; r < runs; r++) {
    start = performance.now();
    results = await session.run(feeds);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return [results, firstMs, times];
}

function sinFeed(ort, dims) {
  const data = new Float32Array(count(dims));
  for (let i = 0; i < data.length; i++) data[i] = 0.5 * Math.sin(i);
  return new ort.Tensor('float32', data, dims);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const start = performance.now();
  const session = await ort.InferenceSession.create(o.model,
      { intraOpNumThreads: o.threads, interOpNumThreads: 1 });
  const loadMs = performance.now() - start;
  const feeds = {};
  for (const name of session.inputNames) {
    const given = o.inputs[name];
    if (!given) {
      if (!o.shapes.length) throw new Error('no --shape or --input for input ' + name);
      feeds[name] = sinFeed(ort, o.shapes[0]);
      continue;
    }
    const bytes = fs.readFileSync(given.file);
    const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (data.length !== count(given.dims)) throw new Error('input ' + name + ' does not match its dims');
    feeds[name] = new ort.Tensor('float32', data, given.dims);
  }
  const [results, firstMs, times] = await timeRuns(session, feeds, o.runs);
  const median = (t) => (t.length ? t[t.length >> 1] : null);
  const report = { model: o.model, threads: o.threads, load_ms: loadMs, first_run_ms: firstMs,
                   median_ms: median(times), min_ms: times.length ? times[0] : null,
                   runs: o.runs, outputs: {} };
  if (o.shapes.length > 1) {
    report.sequence = [];
    for (const dims of o.shapes.slice(1)) {
      const more = {};
      for (const name of session.inputNames)
        more[name] = o.inputs[name] ? feeds[name] : sinFeed(ort, dims);
      const [, first, t] = await timeRuns(session, more, o.runs);
      report.sequence.push({ dims, first_run_ms: first, median_ms: median(t) });
    }
  }
  if (o.out) fs.mkdirSync(o.out, { recursive: true });
  for (const name of session.outputNames) {
    const t = results[name];
    report.outputs[name] = { dims: t.dims, type: t.type };
    if (o.out) {
      const file = path.join(o.out, name.replace(/[^A-Za-z0-9_.-]/g, '_') + '.bin');
      fs.writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    }
  }
  const json = JSON.stringify(report, null, 1);
  if (o.out) fs.writeFileSync(path.join(o.out, 'result.json'), json);
  console.log(json);
}

main().catch((e) => { console.error('ort_run: ' + e.message); process.exit(2); });
