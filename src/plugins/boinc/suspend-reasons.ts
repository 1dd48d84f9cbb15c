/** BOINC's suspend reasons (common_defs.h SUSPEND_REASON_*), by name, for check params and summaries. */
export const SUSPEND_REASONS = {
  batteries: 1,
  user_active: 2,
  user_request: 4,
  time_of_day: 8,
  benchmarks: 16,
  disk_size: 32,
  cpu_throttle: 64,
  no_recent_input: 128,
  initial_delay: 256,
  exclusive_app_running: 512,
  cpu_usage: 1024,
  network_quota_exceeded: 2048,
  os: 4096,
  wifi_state: 4097,
  battery_charging: 4098,
  battery_overheated: 4099,
  no_gui_keepalive: 5000,
} as const;

export type SuspendReasonName = keyof typeof SUSPEND_REASONS;
export const SUSPEND_REASON_NAMES = Object.keys(SUSPEND_REASONS) as [SuspendReasonName, ...SuspendReasonName[]];

/** Reasons that follow from the host's own preferences: computing "as configured", not a fault. */
export const PREFERENCE_SUSPEND_REASONS: SuspendReasonName[] = [
  'batteries',
  'user_active',
  'time_of_day',
  'benchmarks',
  'cpu_throttle',
  'no_recent_input',
  'initial_delay',
  'exclusive_app_running',
  'cpu_usage',
  'battery_charging',
  'battery_overheated',
];

export function suspendReasonName(code: number): string {
  for (const [name, value] of Object.entries(SUSPEND_REASONS)) if (value === code) return name;
  return `reason ${code}`;
}
