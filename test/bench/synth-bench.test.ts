// The pure helpers of `npm run bench`; the synths themselves are measured by the bench, never timed in jest.
import {
  formatSeconds,
  formatTable,
  median,
  parseRuns,
  parseServerCounts,
  parseUsage,
  peakMiB,
  plural,
  targetFor,
  verdict,
} from '../../bench/synth.bench';

describe('parseRuns', () => {
  it('defaults to 3 project runs and 1 ts-node run', () => {
    expect(parseRuns(undefined)).toEqual({ project: 3, tsnode: 1 });
    expect(parseRuns(' ')).toEqual({ project: 3, tsnode: 1 });
  });

  it('takes one count for both ways or a pair', () => {
    expect(parseRuns('5')).toEqual({ project: 5, tsnode: 5 });
    expect(parseRuns('5, 2')).toEqual({ project: 5, tsnode: 2 });
  });

  it.each(['0', '-1', '1.5', 'three', '1,2,3', '1,'])('refuses %p', (value) => {
    expect(() => parseRuns(value)).toThrow(/BENCH_RUNS/);
  });
});

describe('parseServerCounts', () => {
  it('defaults to 1, 2 (the reference), 10 and 100', () => {
    expect(parseServerCounts(undefined)).toEqual([1, 2, 10, 100]);
  });

  it('reads a list within 1..200', () => {
    expect(parseServerCounts('2, 200')).toEqual([2, 200]);
  });

  it.each(['0', '201', '1,,2', 'x'])('refuses %p', (value) => {
    expect(() => parseServerCounts(value)).toThrow(/BENCH_SERVERS/);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow();
  });
});

describe('usage records', () => {
  const text =
    '{"pid":2,"ppid":1,"code":0,"maxRSS":77116,"argv":["npm-cli.js","exec"]}\n' +
    '{"pid":3,"ppid":2,"code":0,"maxRSS":261784,"argv":["/repo/bin/main.ts"]}\n\n';

  it('parses one JSON object a line', () => {
    expect(parseUsage(text).map((r) => r.pid)).toEqual([2, 3]);
  });

  it('reports the largest process, KiB to MiB', () => {
    expect(peakMiB(parseUsage(text))).toBeCloseTo(261784 / 1024);
  });

  it('refuses a run where no process reported', () => {
    expect(() => peakMiB([])).toThrow(/no node process/);
  });
});

describe('targets', () => {
  it('hold the reference to 2 s and 300 MB, 100 servers to 6 s', () => {
    expect(targetFor(1)).toMatchObject({ seconds: 2, mib: 300 });
    expect(targetFor(2)).toMatchObject({ seconds: 2, mib: 300 });
    expect(targetFor(10)).toEqual({ seconds: 6, label: '< 6 s' });
    expect(targetFor(100)).toEqual({ seconds: 6, label: '< 6 s' });
  });

  it('names what was missed', () => {
    expect(verdict(targetFor(1), 1.5, 200)).toBe('pass');
    expect(verdict(targetFor(1), 2, 200)).toBe('**fail** (time)');
    expect(verdict(targetFor(1), 2.5, 350)).toBe('**fail** (time, memory)');
    expect(verdict(targetFor(100), 5.9, 900)).toBe('pass');
  });
});

describe('formatting', () => {
  it('writes counts and seconds', () => {
    expect(plural(1, 'server')).toBe('1 server');
    expect(plural(2, 'node process', 'node processes')).toBe('2 node processes');
    expect(formatSeconds(1.234)).toBe('1.23 s');
    expect(formatSeconds(12.34)).toBe('12.3 s');
  });

  it('renders one Markdown row per server count, skipped ts-node cells marked', () => {
    const table = formatTable([
      { servers: 1, project: { seconds: 1.5, mib: 169.4 }, tsnode: { seconds: 4.1, mib: 255.6 } },
      { servers: 100, project: { seconds: 6.2, mib: 400 } },
    ]);
    expect(table.split('\n')).toEqual([
      '| servers | project: time | project: peak MB | ts-node default: time | ts-node default: peak MB | target (project) | result |',
      '| ---: | ---: | ---: | ---: | ---: | --- | --- |',
      '| 1 | 1.50 s | 169 | 4.10 s | 256 | < 2 s, < 300 MB | pass |',
      '| 100 | 6.20 s | 400 | skipped | skipped | < 6 s | **fail** (time) |',
    ]);
  });
});
