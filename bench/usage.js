'use strict';
/**
 * Preloaded into every node process of a synth run by bench/synth.bench.ts (NODE_OPTIONS=--require ...). At exit
 * it appends one JSON line, {pid, ppid, code, maxRSS (KiB), argv}, to the file named by BENCH_USAGE_FILE, so the
 * child's stdout stays untouched. Plain JavaScript: it loads before ts-node is registered.
 */
const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', (code) => {
    const { maxRSS } = process.resourceUsage();
    const line = JSON.stringify({ pid: process.pid, ppid: process.ppid, code, maxRSS, argv: process.argv.slice(1) });
    // Appends from one process tree: npx exits after its child, so the lines never interleave.
    require('fs').appendFileSync(file, `${line}\n`);
  });
}
