/**
 * Trust-on-first-use host-key pinning. The first key a host presents is pinned (SHA256
 * fingerprint, as `ssh-keygen -l` prints it); a different key later is refused, never
 * silently accepted. Only an explicit `clearPinnedHostKey`/`pinHostKey` changes the pin.
 */
import { createHash } from 'node:crypto';
import type { PluginStateStore } from '../../core/plugin.js';

const STATE_KEY = 'hostKey';

export interface PinnedHostKey {
  fingerprint: string;
  pinnedAt: string;
}

export type HostKeyVerdict =
  | { ok: true; fingerprint: string; newlyPinned: boolean }
  | { ok: false; expected: string; got: string };

/** OpenSSH-style fingerprint of a raw host key blob: "SHA256:" + unpadded base64. */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

export async function getPinnedHostKey(state: PluginStateStore, hostId: string): Promise<PinnedHostKey | null> {
  const v = await state.get(hostId, STATE_KEY);
  if (v && typeof v === 'object' && typeof (v as PinnedHostKey).fingerprint === 'string') return v as PinnedHostKey;
  return null;
}

/** Pins (or re-pins) a fingerprint, e.g. after an operator confirmed a legitimate key change. */
export async function pinHostKey(state: PluginStateStore, hostId: string, fingerprint: string, now = new Date()): Promise<void> {
  if (!/^SHA256:[A-Za-z0-9+/]{43}$/.test(fingerprint)) throw new Error('not a SHA256 host key fingerprint');
  await state.set(hostId, STATE_KEY, { fingerprint, pinnedAt: now.toISOString() } satisfies PinnedHostKey);
}

/** Forgets the pin, so the next connection pins whatever key the host presents. */
export async function clearPinnedHostKey(state: PluginStateStore, hostId: string): Promise<void> {
  await state.set(hostId, STATE_KEY, null);
}

/** Checks a presented key against the pin, pinning it when there is none yet. */
export async function verifyHostKey(
  state: PluginStateStore,
  hostId: string,
  keyBlob: Buffer,
  now = new Date(),
): Promise<HostKeyVerdict> {
  const got = hostKeyFingerprint(keyBlob);
  const pinned = await getPinnedHostKey(state, hostId);
  if (!pinned) {
    await pinHostKey(state, hostId, got, now);
    return { ok: true, fingerprint: got, newlyPinned: true };
  }
  if (pinned.fingerprint === got) return { ok: true, fingerprint: got, newlyPinned: false };
  return { ok: false, expected: pinned.fingerprint, got };
}

export function hostKeyChangedMessage(expected: string, got: string): string {
  return `host key changed: expected ${expected}, got ${got} (possible MITM; clear the pinned key to accept)`;
}
