/**
 * `npm run bench:policy`: how many times per second the seed production policy is rendered and parsed back,
 * in each format. Run it on an idle machine; the figure in the README comes from here.
 */
import { parsePolicy } from '../lib/policy/parse';
import { PolicyFormat, render } from '../lib/policy/render';
import { seedProductionPolicy } from '../policies/seed-production';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

function measure(label: string, work: () => void): number {
  for (let i = 0; i < 200; i++) work(); // warm-up: let the JIT settle before timing
  let count = 0;
  const started = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS * 1e9));
  while (process.hrtime.bigint() - started < budget) {
    for (let i = 0; i < 50; i++) work();
    count += 50;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = count / elapsed;
  console.log(`${label.padEnd(34)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} /s`);
  return rate;
}

const doc = seedProductionPolicy();
console.log(`policy bench: seed production policy, ${SECONDS}s per case, node ${process.version}`);
for (const format of ['rawxml', 'xml'] as PolicyFormat[]) {
  const text = render(doc, { format });
  measure(`render (${format})`, () => render(doc, { format }));
  measure(`parse (${format})`, () => parsePolicy(text, { format }));
  measure(`render + parse (${format})`, () => parsePolicy(render(doc, { format }), { format }));
}
