/**
 * A strict Opper-compatible server (API v2) on loopback, for tests, demos and benchmarks:
 * it enforces the contract the real service does, records violations, and injects faults.
 */
export { startLocalOpper } from './local-opper.js';
export { formatTrace } from './trace-tree.js';
export type {
  DelayFault,
  DropFault,
  Fault,
  FaultMatch,
  FaultOptions,
  HangFault,
  LocalOpper,
  LocalOpperOptions,
  OutageOptions,
  RequestRecord,
  StatusFault,
  StoredSpan,
  TraceView,
  Violation,
  ViolationRule,
} from './types.js';
