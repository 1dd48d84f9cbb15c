/**
 * A real second sshd for tests: listens on 127.0.0.1 on a free port, with its own host key and
 * client key generated at test time in a temp dir (git would not keep mode 600 on a committed key).
 * Root may log in with the generated client key only. `rotateHostKey()` regenerates the host key
 * and restarts on the same port, to test host-key pinning.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../src/core/command.js';
import { type Daemon, findBinary, freePort, startDaemon, tempDir, waitFor } from '../helpers/peers.js';

export interface SshdPeer {
  port: number;
  /** The client private key (OpenSSH format) that root may log in with. */
  clientKey: string;
  clientKeyPath: string;
  /** A second key that is NOT authorised (for authentication-failure tests). */
  otherKey: string;
  /** SHA256:… fingerprint of the current host key, as ssh-keygen prints it. */
  hostKeyFingerprint(): Promise<string>;
  /** Successful publickey logins since start (counted from sshd's log, across restarts). */
  acceptedLogins(): number;
  /** Runs the system ssh client against this sshd with the client key (test-only comparison). */
  ssh(command: string): Promise<CommandResult>;
  output(): string;
  rotateHostKey(): Promise<void>;
  /** Stops the listener (sessions already open stay up, as with a real sshd). */
  stopDaemon(): Promise<void>;
  startDaemon(): Promise<void>;
  stop(): Promise<void>;
}

async function keygen(path: string, comment: string): Promise<void> {
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  const r = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path], {
    timeoutMs: 10_000,
  });
  if (r.code !== 0) throw new Error(`ssh-keygen failed: ${r.stderr}`);
}

export async function startSshd(): Promise<SshdPeer> {
  const sshd = findBinary('sshd');
  if (!sshd) throw new Error('sshd not installed');
  const dir = tempDir('corral-sshd-');
  const port = await freePort();
  const hostKeyPath = join(dir.path, 'host_ed25519');
  const clientKeyPath = join(dir.path, 'client_ed25519');
  const otherKeyPath = join(dir.path, 'other_ed25519');
  await keygen(hostKeyPath, 'corral-test-host');
  await keygen(clientKeyPath, 'corral-test-client');
  await keygen(otherKeyPath, 'corral-test-other');
  writeFileSync(join(dir.path, 'authorized_keys'), readFileSync(`${clientKeyPath}.pub`));
  const conf = join(dir.path, 'sshd_config');
  writeFileSync(
    conf,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKeyPath}`,
      `PidFile ${join(dir.path, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir.path, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel INFO',
      'MaxStartups 100',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true }); // privilege-separation dir sshd insists on

  let daemon: Daemon | null = null;
  let logins = 0;
  const launch = async () => {
    const d = startDaemon(sshd, ['-D', '-e', '-f', conf]);
    d.child.stderr?.on('data', (chunk: Buffer) => {
      logins += chunk.toString().split('Accepted publickey').length - 1;
    });
    daemon = d;
    await waitFor(
      () => d.output().includes(`Server listening on 127.0.0.1 port ${port}`) || d.child.exitCode !== null,
      10_000,
      'sshd to listen',
    );
    if (d.child.exitCode !== null) throw new Error(`sshd exited: ${d.output()}`);
  };
  const halt = async () => {
    if (daemon) await daemon.stop('SIGTERM');
    daemon = null;
  };
  await launch();

  return {
    port,
    clientKey: readFileSync(clientKeyPath, 'utf8'),
    clientKeyPath,
    otherKey: readFileSync(otherKeyPath, 'utf8'),
    hostKeyFingerprint: async () => {
      const r = await runCommand('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKeyPath}.pub`], { timeoutMs: 5000 });
      const m = /SHA256:\S+/.exec(r.stdout);
      if (!m) throw new Error(`no fingerprint in: ${r.stdout}${r.stderr}`);
      return m[0];
    },
    acceptedLogins: () => logins,
    ssh: (command) =>
      runCommand(
        'ssh',
        [
          '-i',
          clientKeyPath,
          '-p',
          String(port),
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          '-o',
          'BatchMode=yes',
          '-o',
          'LogLevel=ERROR',
          'root@127.0.0.1',
          command,
        ],
        { timeoutMs: 10_000 },
      ),
    output: () => (daemon as Daemon | null)?.output() ?? '',
    rotateHostKey: async () => {
      await halt();
      await keygen(hostKeyPath, 'corral-test-host-rotated');
      await launch();
    },
    stopDaemon: halt,
    startDaemon: launch,
    stop: async () => {
      await halt();
      dir.remove();
    },
  };
}
