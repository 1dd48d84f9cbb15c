/**
 * A real BMC for tests: OpenIPMI's `ipmi_sim` on a free UDP port on 127.0.0.1, with an admin
 * account, a USER-level account, and a chassis_control script that keeps the power state in a
 * file, so `chassis power off` really turns the simulated machine off. One instance per BMC.
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../src/core/command.js';
import { connect } from 'node:net';
import { type Daemon, findBinary, freePort, startDaemon, tempDir, waitFor } from '../helpers/peers.js';

export interface IpmiAccount {
  user: string;
  password: string;
  /** Session privilege to request (`-L`); ipmitool asks for ADMINISTRATOR by default. */
  privilege?: 'USER' | 'OPERATOR' | 'ADMINISTRATOR';
}

export interface IpmiSimPeer {
  address: '127.0.0.1';
  port: number;
  admin: IpmiAccount;
  /** USER privilege: may read status, may not change power. */
  viewer: IpmiAccount;
  dir: string;
  daemon: Daemon;
  /** The simulated machine's power, read from the fixture's state file (not through IPMI). */
  power(): 'on' | 'off';
  /** Independent cross-check: the real ipmitool with `-C 3`, password through IPMI_PASSWORD. */
  ipmitool(args: string[], account?: IpmiAccount): Promise<CommandResult>;
  /** `chassis power status` through the real ipmitool → 'on' | 'off' | the error text. */
  powerStatus(): Promise<string>;
  /** Sets the raw reading (degrees C) of sensor "cpu temp" through the sim console; thresholds unc 112, ucr 144, unr 160. */
  setCpuTemp(value: number): Promise<void>;
  stop(): Promise<void>;
}

// ipmi_sim runs this through a shell as `SCRIPT get power` or `SCRIPT set power "0"` (quotes stripped
// by that shell). Test fixture only: it keeps the state in ./power beside itself.
const CHASSIS_SCRIPT = `#!/bin/sh
D=$(dirname "$0")
F="$D/power"
echo "$*" >> "$D/chassis.log"
op=$1; shift
if [ "$op" = get ]; then
  for k in "$@"; do
    case "$k" in power) echo "power:$(cat "$F")";; esac
  done
  exit 0
fi
while [ $# -ge 2 ]; do
  k=$1; v=$2; shift 2
  case "$k" in
    power) echo "$v" > "$F";;
    shutdown) echo 0 > "$F";;
  esac
done
exit 0
`;

/** A UDP port on 127.0.0.1 that nothing is bound to right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const secret = (prefix: string) => `${prefix}${randomBytes(6).toString('hex')}`;

// One analog temperature sensor (number 1 on the BMC), compiled with sdrcomp into ipmi_sim's
// persisted SDR repository. The name has lower-case letters: all-capital names print as garbage.
const SDRS = `sdr type 1
\tsensor_owner_id 0x20
\tsensor_owner_lun 0
\tchannel_number 0
\tsensor_number 1
\tentity_id system_board
\tentity_instance 1
\tsensor_type Temperature
\tinit_scanning true
\tinit_sensor_type true
\tdefault_sensor_scan_on true
\tevent_reading_type_code 1
\tanalog_data_format unsigned
\trate_unit none
\tmodifier_unit none
\tpercentage false
\tbase_unit degrees_C
\tmodifier_unit_code unspecified
\tlinearization linear
\tm 1
\ttolerance 0
\tb 0
\taccuracy 1
\taccuracy_exp 0
\tsensor_direction input
\tr_exp 0
\tb_exp 0
\tsensor_maximum 255
\tsensor_minimum 0
\tid_string "cpu temp"
endsdr
`;

/** Sends one command line to the ipmi_sim console (telnet-style) and waits for its next prompt. */
function consoleCommand(port: number, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    let sent = false;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`ipmi_sim console: no reply to "${line}"`));
    }, 5000);
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (!sent && buf.includes('> ')) {
        sent = true;
        buf = '';
        s.write(`${line}\n`);
      } else if (sent && buf.includes('> ')) {
        clearTimeout(timer);
        s.end();
        resolve();
      }
    });
  });
}

export async function startIpmiSim(opts: { power?: 'on' | 'off' } = {}): Promise<IpmiSimPeer> {
  const bin = findBinary('ipmi_sim');
  if (!bin) throw new Error('ipmi_sim not installed');
  const tmp = tempDir('corral-ipmi-');
  const dir = tmp.path;
  const port = await freeUdpPort();
  const consolePort = await freePort();
  const admin: IpmiAccount = { user: 'admin', password: secret('Ad') };
  const viewer: IpmiAccount = { user: 'viewer', password: secret('Vw'), privilege: 'USER' };
  const script = join(dir, 'chassis.sh');
  writeFileSync(script, CHASSIS_SCRIPT);
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'power'), opts.power === 'off' ? '0\n' : '1\n');
  // ipmi_sim keeps persisted SDRs in STATEDIR/ipmi_sim/NAME/sdr.20.main; sdrcomp writes that format.
  const sdrDir = join(dir, 'state', 'ipmi_sim', 'corraltest');
  mkdirSync(sdrDir, { recursive: true });
  writeFileSync(join(dir, 'bmc.sdrs'), SDRS);
  const sdr = await runCommand(findBinary('sdrcomp') ?? 'sdrcomp', [join(dir, 'bmc.sdrs')], { timeoutMs: 10_000 });
  if (sdr.code !== 0) throw new Error(`sdrcomp failed: ${sdr.stderr}`);
  writeFileSync(join(sdrDir, 'sdr.20.main'), sdr.stdout);
  writeFileSync(
    join(dir, 'lan.conf'),
    `name "corraltest"
set_working_mc 0x20
startlan 1
  addr 127.0.0.1 ${port}
  priv_limit admin
  allowed_auths_callback none md2 md5 straight
  allowed_auths_user none md2 md5 straight
  allowed_auths_operator none md2 md5 straight
  allowed_auths_admin none md2 md5 straight
  guid a123456789abcdefa123456789abcdef
endlan
chassis_control "${script}"
user 1 true "" "${secret('An')}" user 10 none md2 md5 straight
user 2 true "${admin.user}" "${admin.password}" admin 10 none md2 md5 straight
user 3 true "${viewer.user}" "${viewer.password}" user 10 none md2 md5 straight
console 127.0.0.1 ${consolePort}
`,
  );
  writeFileSync(
    join(dir, 'cmds'),
    `mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
sensor_add 0x20 0 1 0x01 0x01
sensor_set_threshold 0x20 0 1 settable 111000 0xa0 0x90 0x70 00 00 00
sensor_set_event_support 0x20 0 1 enable scanning per-state 000111111000000 000111111000000 000111111000000 000111111000000
sensor_set_value 0x20 0 1 0x40 0
mc_enable 0x20
`,
  );
  const daemon = startDaemon(bin, ['-c', join(dir, 'lan.conf'), '-f', join(dir, 'cmds'), '-s', join(dir, 'state'), '-n'], { cwd: dir });

  // A USER-level account must ask for USER privilege: ipmi_sim grants a USER account an
  // ADMINISTRATOR session if asked (a real BMC refuses the session).
  const ipmitool = (args: string[], account: IpmiAccount = admin) =>
    runCommand(
      'ipmitool',
      [
        '-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', account.user, '-E', '-N', '1', '-R', '1',
        ...(account.privilege ? ['-L', account.privilege] : []),
        ...args,
      ],
      { timeoutMs: 10_000, env: { IPMI_PASSWORD: account.password } },
    );
  const powerStatus = async () => {
    const r = await ipmitool(['chassis', 'power', 'status']);
    const m = /Chassis Power is (on|off)/.exec(r.stdout);
    return m ? m[1]! : `error: ${r.stderr.trim() || r.stdout.trim()}`;
  };

  const peer: IpmiSimPeer = {
    address: '127.0.0.1',
    port,
    admin,
    viewer,
    dir,
    daemon,
    power: () => (readFileSync(join(dir, 'power'), 'utf8').trim() === '1' ? 'on' : 'off'),
    ipmitool,
    powerStatus,
    setCpuTemp: (value) => consoleCommand(consolePort, `sensor_set_value 0x20 0 1 ${value} 1`),
    stop: async () => {
      await daemon.stop();
      tmp.remove();
    },
  };
  try {
    await waitFor(async () => (await powerStatus()) === (opts.power ?? 'on'), 10_000, `ipmi_sim on udp ${port}`);
  } catch (e) {
    const out = daemon.output();
    await peer.stop();
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  if (!existsSync(join(dir, 'chassis.log'))) throw new Error('ipmi_sim never ran the chassis_control script');
  return peer;
}
