/**
 * A real Slurm 22.05 cluster for tests, all under one temp dir: munged with its own key and socket,
 * one slurmctld and three slurmd (node1..node3, Debian builds with multiple-slurmd) on free ports,
 * two partitions that overlap on node2 (`debug` node[1-2], `render` node[2-3]). Every daemon runs in
 * its foreground mode, so each is stopped by its own pid.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../src/core/command.js';
import { type Daemon, findBinary, freePort, startDaemon, tempDir, waitFor } from '../helpers/peers.js';

export const SLURM_NODES = ['node1', 'node2', 'node3'] as const;
export const SLURM_PARTITIONS: Record<string, readonly string[]> = {
  debug: ['node1', 'node2'],
  render: ['node2', 'node3'],
};

export interface SlurmPeer {
  dir: string;
  /** Path of slurm.conf; clients need it as SLURM_CONF. */
  slurmConf: string;
  /** The environment a Slurm client needs (SLURM_CONF). */
  env: Record<string, string>;
  sinfo(args: string[], timeoutMs?: number): Promise<CommandResult>;
  scontrol(args: string[], timeoutMs?: number): Promise<CommandResult>;
  /** Stops slurmctld only (the "controller down" case); the slurmd keep running. */
  stopController(): Promise<void>;
  stop(): Promise<void>;
}

const PATH_ENV = '/usr/sbin:/usr/bin:/sbin:/bin';

function slurmConf(dir: string, ctldPort: number, nodePorts: number[]): string {
  const nodes = SLURM_NODES.map(
    (n, i) => `NodeName=${n} NodeHostname=localhost NodeAddr=127.0.0.1 Port=${nodePorts[i]} CPUs=2 RealMemory=1000`,
  );
  return `ClusterName=corraltest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=${ctldPort}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${join(dir, 'munge', 'munge.socket.2')}
StateSaveLocation=${join(dir, 'state')}
SlurmdSpoolDir=${join(dir, 'spool', '%n')}
SlurmctldPidFile=${join(dir, 'run', 'slurmctld.pid')}
SlurmdPidFile=${join(dir, 'run', 'slurmd-%n.pid')}
SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}
SlurmdLogFile=${join(dir, 'log', 'slurmd-%n.log')}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SlurmdTimeout=30
SlurmdParameters=config_overrides
${nodes.join('\n')}
PartitionName=debug Nodes=node[1-2] Default=YES State=UP
PartitionName=render Nodes=node[2-3] State=UP
`;
}

export async function startSlurm(): Promise<SlurmPeer> {
  const munged = findBinary('munged');
  const slurmctld = findBinary('slurmctld');
  const slurmd = findBinary('slurmd');
  const sinfoBin = findBinary('sinfo');
  const scontrolBin = findBinary('scontrol');
  const scancelBin = findBinary('scancel');
  const squeueBin = findBinary('squeue');
  if (!munged || !slurmctld || !slurmd || !sinfoBin || !scontrolBin) throw new Error('munge and slurm-wlm are needed');
  const tmp = tempDir('corral-slurm-');
  const dir = tmp.path;
  chmodSync(dir, 0o755);
  for (const d of ['munge', 'state', 'spool', 'run', 'log']) mkdirSync(join(dir, d), { mode: 0o755 });
  chmodSync(join(dir, 'munge'), 0o755); // munged refuses a socket dir writable by others; mkdir's mode obeys umask
  const keyFile = join(dir, 'munge', 'munge.key');
  writeFileSync(keyFile, randomBytes(128), { mode: 0o400 });
  chmodSync(keyFile, 0o400);

  const ctldPort = await freePort();
  const nodePorts: number[] = [];
  for (const _ of SLURM_NODES) {
    let p = await freePort();
    while (p === ctldPort || nodePorts.includes(p)) p = await freePort();
    nodePorts.push(p);
  }
  const conf = join(dir, 'slurm.conf');
  writeFileSync(conf, slurmConf(dir, ctldPort, nodePorts));
  const env = { SLURM_CONF: conf };
  const daemonEnv = { PATH: PATH_ENV, LANG: 'C', HOME: dir, SLURM_CONF: conf };

  const daemons: Daemon[] = [];
  let ctld: Daemon | undefined;
  const sinfo = (args: string[], timeoutMs = 15_000) => runCommand(sinfoBin, args, { timeoutMs, env });
  const scontrol = (args: string[], timeoutMs = 15_000) => runCommand(scontrolBin, args, { timeoutMs, env });
  const stopController = async () => {
    await ctld?.stop('SIGTERM');
  };
  const stop = async () => {
    // A job left running would leave its slurmstepd behind once slurmd is gone: cancel first.
    if (scancelBin && squeueBin && ctld && ctld.child.exitCode === null && ctld.child.signalCode === null) {
      await runCommand(scancelBin, ['--user=root'], { timeoutMs: 5000, env });
      await waitFor(
        async () => (await runCommand(squeueBin, ['-h'], { timeoutMs: 5000, env })).stdout.trim() === '',
        5000,
        'jobs to end',
      ).catch(() => {});
    }
    // slurmd before slurmctld before munged: reverse start order
    for (const d of [...daemons].reverse()) await d.stop('SIGTERM');
    tmp.remove();
  };

  try {
    const mungeSocket = join(dir, 'munge', 'munge.socket.2');
    const munge = startDaemon(
      munged,
      [
        '-F',
        '--force', // as root, and with the key under /tmp
        `--socket=${mungeSocket}`,
        `--key-file=${keyFile}`,
        `--pid-file=${join(dir, 'run', 'munged.pid')}`,
        `--log-file=${join(dir, 'log', 'munged.log')}`,
        `--seed-file=${join(dir, 'munge', 'munged.seed')}`,
      ],
      { env: daemonEnv },
    );
    daemons.push(munge);
    await waitFor(
      () => {
        if (munge.child.exitCode !== null) throw new Error(`munged exited: ${munge.output()}`);
        return existsSocket(mungeSocket);
      },
      10_000,
      'munged socket',
    );

    ctld = startDaemon(slurmctld, ['-D', '-i', '-f', conf], { env: daemonEnv });
    daemons.push(ctld);
    for (const n of SLURM_NODES) daemons.push(startDaemon(slurmd, ['-D', '-N', n, '-f', conf], { env: daemonEnv }));

    await waitFor(
      async () => {
        const r = await sinfo(['-h', '-N', '-o', '%N|%T'], 5000);
        if (r.code !== 0) return false;
        const idle = new Set(
          r.stdout
            .trim()
            .split('\n')
            .filter((l) => l.endsWith('|idle'))
            .map((l) => l.split('|')[0]),
        );
        return SLURM_NODES.every((n) => idle.has(n));
      },
      30_000,
      'all Slurm nodes idle',
    );
  } catch (e) {
    const out = daemons.map((d) => d.output()).join('\n');
    await stop();
    throw new Error(`${(e as Error).message}\n${out.slice(-4000)}`);
  }
  return { dir, slurmConf: conf, env, sinfo, scontrol, stopController, stop };
}

function existsSocket(path: string): boolean {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
}
