// One line describing where the figures came from.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The installed version (read from node_modules: some packages do not export package.json). */
export function versionOf(name) {
  try {
    return JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  } catch {
    return '?';
  }
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {}
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

export function machine() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpuModel(),
    node: process.version,
    got: versionOf('got'),
    undici: versionOf('undici'),
    opperai: versionOf('opperai'),
    sdk: versionOf('@opentelemetry/sdk-trace-base'),
    load: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
}

export function describeMachine(m) {
  return `${m.cpus} × ${m.cpuModel}, Node ${m.node}, got ${m.got}, opperai ${m.opperai}, @opentelemetry/sdk-trace-base ${m.sdk}; load average at start ${m.load}`;
}
