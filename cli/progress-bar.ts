import cliProgress from 'cli-progress';
import type { ImportProgress, ProgressUnit } from '#shared/imports/import-orders.ts';

/**
 * Progress on stderr: a live bar on a terminal, plain lines at every 10% otherwise (CI logs, pipes), so stdout
 * keeps only the result.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }): ImportProgress {
  return stream.isTTY === true ? barProgress(stream) : lineProgress(stream);
}

function amount(value: number, total: number, unit: ProgressUnit): string {
  if (unit === 'bytes') return `${(value / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB`;
  return `${value.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit}`;
}

function barProgress(stream: NodeJS.WritableStream): ImportProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{phase} |{bar}| {percentage}% | {amount} | {duration_formatted} elapsed, ETA {eta_formatted}',
      hideCursor: true,
      barsize: 28,
      etaBuffer: 200,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  let current: { total: number; unit: ProgressUnit } | undefined;
  return {
    start(phase, total, unit) {
      current = { total, unit };
      bar.start(Math.max(total, 1), 0, { phase: phase.padEnd(17), amount: amount(0, total, unit) });
    },
    update(done) {
      if (current) bar.update(done, { amount: amount(done, current.total, current.unit) });
    },
    stop() {
      if (!current) return;
      bar.update(Math.max(current.total, 1), { amount: amount(current.total, current.total, current.unit) });
      bar.stop();
      current = undefined;
    },
  };
}

function lineProgress(stream: NodeJS.WritableStream): ImportProgress {
  let current: { phase: string; total: number; unit: ProgressUnit; reported: number; started: number } | undefined;
  const seconds = () => (current ? ((Date.now() - current.started) / 1000).toFixed(1) : '0');
  return {
    start(phase, total, unit) {
      current = { phase, total, unit, reported: 0, started: Date.now() };
    },
    update(done) {
      if (!current || current.total === 0) return;
      const step = Math.floor((done / current.total) * 10);
      if (step > current.reported && step < 10) {
        current.reported = step;
        stream.write(`${current.phase}: ${step * 10}% (${amount(done, current.total, current.unit)}, ${seconds()} s)\n`);
      }
    },
    stop() {
      if (!current) return;
      stream.write(`${current.phase}: done (${amount(current.total, current.total, current.unit)}, ${seconds()} s)\n`);
      current = undefined;
    },
  };
}
