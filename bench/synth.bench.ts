/**
 * `npm run bench`: synth wall time and peak memory of the reference deployment with 1, 10 and 100 MCP servers,
 * the project's way (package.json `synth`, transpile-only) beside the cdktf template's default (`npx ts-node`,
 * which type-checks). Prints a Markdown table to stdout for the README; progress and warnings go to stderr.
 *
 * Every run is a fresh child process with its own temporary CDKTF_OUTDIR (removed afterwards); it must exit 0 and
 * write <outdir>/stacks/azure-mcp-gateway/cdk.tf.json. Peak memory is the largest maxRSS reported at exit by
 * bench/usage.js, preloaded into every node process of the run through NODE_OPTIONS.
 *
 * Environment:
 *   BENCH_RUNS          runs per case, median reported: `5` for both ways or `5,2` (project, ts-node); default 3,1
 *   BENCH_SERVERS       server counts, default `1,2,10,100` (each 1..200; 2 is the reference deployment)
 *   BENCH_SKIP_TSNODE   `1` skips the ts-node default (slow, above all at 100 servers)
 *   BENCH_TIMEOUT       seconds before a run is killed, default 600
 * Run it on an idle machine.
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

export const STACK = 'azure-mcp-gateway';
const ROOT = path.resolve(__dirname, '..');
const PRELOAD = path.join(__dirname, 'usage.js');
const TSNODE_DEFAULT = 'npx ts-node bin/main.ts';

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers (unit-tested in test/bench/synth-bench.test.ts)

export interface Runs {
  readonly project: number;
  readonly tsnode: number;
}

export function parseRuns(value: string | undefined): Runs {
  if (value === undefined || value.trim() === '') return { project: 3, tsnode: 1 };
  const parts = value.split(',').map((part) => part.trim());
  const counts = parts.map(Number);
  if (parts.length > 2 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 100)) {
    throw new Error(`BENCH_RUNS=${JSON.stringify(value)}: expected N or N,M (project, ts-node), integers 1..100`);
  }
  return { project: counts[0], tsnode: counts[counts.length - 1] };
}

export function parseServerCounts(value: string | undefined): number[] {
  if (value === undefined || value.trim() === '') return [1, 2, 10, 100];
  const parts = value.split(',').map((part) => part.trim());
  const counts = parts.map(Number);
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 200)) {
    throw new Error(`BENCH_SERVERS=${JSON.stringify(value)}: expected a comma-separated list of integers 1..200`);
  }
  return counts;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface UsageRecord {
  readonly pid: number;
  readonly ppid: number;
  readonly code: number;
  /** KiB, as process.resourceUsage() reports it. */
  readonly maxRSS: number;
  readonly argv: readonly string[];
}

/** The records bench/usage.js appended, one JSON object a line. */
export function parseUsage(text: string): UsageRecord[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as UsageRecord);
}

/**
 * Peak memory of a run in MiB: the largest node process, as `/usr/bin/time` reports a process tree. With npx the
 * tree is npx (npm) -> sh -> ts-node; the synth process is the largest.
 */
export function peakMiB(records: readonly UsageRecord[]): number {
  if (records.length === 0) throw new Error('no node process reported its memory usage');
  return Math.max(...records.map((r) => r.maxRSS)) / 1024;
}

export interface Target {
  readonly seconds: number;
  readonly mib?: number;
  readonly label: string;
}

/** The reference deployment (its default 2 servers, or fewer): under 2 s and 300 MB. Larger: under 6 s (set for 100 servers). */
export function targetFor(servers: number): Target {
  return servers <= 2
    ? { seconds: 2, mib: 300, label: '< 2 s, < 300 MB' }
    : { seconds: 6, label: '< 6 s' };
}

export function verdict(target: Target, seconds: number, mib: number): string {
  const missed: string[] = [];
  if (seconds >= target.seconds) missed.push('time');
  if (target.mib !== undefined && mib >= target.mib) missed.push('memory');
  return missed.length === 0 ? 'pass' : `**fail** (${missed.join(', ')})`;
}

export interface Measure {
  readonly seconds: number;
  readonly mib: number;
}

export interface Row {
  readonly servers: number;
  readonly project: Measure;
  /** Undefined when the ts-node default was skipped. */
  readonly tsnode?: Measure;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
}

export function formatTable(rows: readonly Row[]): string {
  const lines = [
    '| servers | project: time | project: peak MB | ts-node default: time | ts-node default: peak MB | target (project) | result |',
    '| ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const row of rows) {
    const target = targetFor(row.servers);
    const tsnode = row.tsnode
      ? [formatSeconds(row.tsnode.seconds), Math.round(row.tsnode.mib).toString()]
      : ['skipped', 'skipped'];
    lines.push(
      `| ${[
        row.servers,
        formatSeconds(row.project.seconds),
        Math.round(row.project.mib),
        ...tsnode,
        target.label,
        verdict(target, row.project.seconds, row.project.mib),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Running the synths

interface Way {
  readonly name: string;
  readonly command: string;
  readonly runs: number;
}

interface RunResult extends Measure {
  readonly processes: number;
  readonly planBytes: number;
  readonly planHash: string;
}

let current: { pid?: number; dir: string } | undefined;

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL'); // the child leads its own process group: this reaches npx's grandchildren
  } catch {
    // already gone
  }
}

function childEnv(dir: string, servers: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A TS_NODE_TRANSPILE_ONLY (or similar) in the caller's shell would silently change the ts-node default.
    if (!key.startsWith('TS_NODE_')) env[key] = value;
  }
  const preload = `--require ${JSON.stringify(PRELOAD)}`;
  return {
    ...env,
    CDKTF_OUTDIR: path.join(dir, 'cdktf.out'),
    MCP_SERVER_COUNT: String(servers),
    BENCH_USAGE_FILE: path.join(dir, 'usage.jsonl'),
    NODE_OPTIONS: env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${preload}` : preload,
    // What `npm run` adds, without npm's own start-up in the measurement.
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${env.PATH ?? ''}`,
    // npx must use the local ts-node, never download one.
    npm_config_yes: 'false',
  };
}

async function runOnce(way: Way, servers: number, timeoutSeconds: number): Promise<RunResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-synth-bench-'));
  current = { dir };
  try {
    const env = childEnv(dir, servers);
    mkdirSync(env.CDKTF_OUTDIR!); // cdktf creates the outdir without `recursive`
    const output: Buffer[] = [];
    const started = process.hrtime.bigint();
    const child = spawn('/bin/sh', ['-c', way.command], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    current.pid = child.pid;
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutSeconds * 1000);
    let elapsed = 0;
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', () => {
        elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      });
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    const describe = `${way.name} (${way.command}) with ${plural(servers, 'server')}`;
    const tail = () => Buffer.concat(output).toString('utf8').split('\n').slice(-30).join('\n');
    if (timedOut) throw new Error(`${describe}: killed after ${timeoutSeconds} s (BENCH_TIMEOUT)\n${tail()}`);
    if (exit.code !== 0) {
      throw new Error(`${describe}: exited with ${exit.code ?? exit.signal}\n${tail()}`);
    }
    const planFile = path.join(env.CDKTF_OUTDIR!, 'stacks', STACK, 'cdk.tf.json');
    if (!existsSync(planFile)) throw new Error(`${describe}: exited 0 but wrote no ${path.relative(dir, planFile)}`);
    const plan = readFileSync(planFile);
    JSON.parse(plan.toString('utf8')); // a truncated plan is a failure too
    const usageFile = env.BENCH_USAGE_FILE!;
    const records = existsSync(usageFile) ? parseUsage(readFileSync(usageFile, 'utf8')) : [];
    return {
      seconds: elapsed,
      mib: peakMiB(records),
      processes: records.length,
      planBytes: plan.length,
      planHash: createHash('sha256').update(plan).digest('hex'),
    };
  } finally {
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  }
}

function cpuDescription(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  return `${cpus.length} × ${model}`;
}

async function main(): Promise<void> {
  const runs = parseRuns(process.env.BENCH_RUNS);
  const counts = parseServerCounts(process.env.BENCH_SERVERS);
  const skipTsnode = process.env.BENCH_SKIP_TSNODE === '1';
  const timeoutSeconds = Number(process.env.BENCH_TIMEOUT || 600);
  if (!(timeoutSeconds > 0)) throw new Error(`BENCH_TIMEOUT=${JSON.stringify(process.env.BENCH_TIMEOUT)}: expected seconds > 0`);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const synth = pkg.scripts?.synth;
  if (!synth) throw new Error('package.json has no "synth" script: nothing to measure as the project\'s way');

  const project: Way = { name: 'project', command: synth, runs: runs.project };
  const tsnode: Way = { name: 'ts-node default', command: TSNODE_DEFAULT, runs: runs.tsnode };
  const ways = skipTsnode ? [project] : [project, tsnode];

  const onSignal = (signal: NodeJS.Signals) => {
    if (current) {
      killGroup(current.pid);
      rmSync(current.dir, { recursive: true, force: true });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // Warm the file cache (node_modules, typescript) once so the first measured case is not penalised.
  process.stderr.write('warm-up run (discarded) ...\n');
  await runOnce(project, counts[0], timeoutSeconds);

  const rows: Row[] = [];
  const plans = new Map<number, { bytes: number; hashes: Set<string> }>();
  for (const servers of counts) {
    const measured: Partial<Record<'project' | 'tsnode', Measure>> = {};
    for (const way of ways) {
      const results: RunResult[] = [];
      for (let i = 1; i <= way.runs; i++) {
        const result = await runOnce(way, servers, timeoutSeconds);
        results.push(result);
        process.stderr.write(
          `${way.name.padEnd(16)} ${plural(servers, 'server').padStart(11)}  run ${i}/${way.runs}  ` +
            `${formatSeconds(result.seconds).padStart(8)}  ${Math.round(result.mib)} MB  ` +
            `(${plural(result.processes, 'node process', 'node processes')})\n`,
        );
        const plan = plans.get(servers) ?? { bytes: result.planBytes, hashes: new Set<string>() };
        plan.hashes.add(result.planHash);
        plans.set(servers, plan);
      }
      measured[way === project ? 'project' : 'tsnode'] = {
        seconds: median(results.map((r) => r.seconds)),
        mib: median(results.map((r) => r.mib)),
      };
    }
    rows.push({ servers, project: measured.project!, tsnode: measured.tsnode });
  }

  const distinctPlans = new Set([...plans.values()].flatMap((p) => [...p.hashes]));
  for (const [servers, plan] of plans) {
    if (plan.hashes.size > 1) {
      process.stderr.write(`warning: ${plural(servers, 'server')}: the runs wrote ${plan.hashes.size} different plans (expected byte-for-byte stable)\n`);
    }
  }
  if (counts.length > 1 && distinctPlans.size === 1) {
    process.stderr.write('warning: every server count wrote the same plan: bin/main.ts ignores MCP_SERVER_COUNT\n');
  }

  const runsText = skipTsnode
    ? `median of ${plural(runs.project, 'run')} (ts-node default skipped)`
    : `median of ${plural(runs.project, 'run')} (project) and ${plural(runs.tsnode, 'run')} (ts-node default)`;
  const out = [
    `Synth of stack \`${STACK}\`, node ${process.version}, ${os.platform()} ${os.arch()}, ${cpuDescription()}; ` +
      `${runsText}, each a fresh process with its own CDKTF_OUTDIR, after one discarded warm-up run.`,
    '',
    `- project: \`${project.command}\` (\`npm run synth\`)`,
    `- ts-node default: \`${tsnode.command}\` (the cdktf template's app command; type-checks)`,
    '- time: wall clock from spawn to exit; peak MB: max RSS of the largest node process of the run, in MiB',
    '- targets (project): the reference deployment (2 servers, or 1) under 2 s and 300 MB; larger ones (set for 100 servers) under 6 s',
    '',
    formatTable(rows),
    '',
    `cdk.tf.json size: ${[...plans].map(([servers, plan]) => `${plural(servers, 'server')} ${(plan.bytes / 1024).toFixed(1)} KB`).join(', ')}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
