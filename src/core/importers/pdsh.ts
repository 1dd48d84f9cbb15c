/**
 * pdsh/dsh and ClusterShell group lists. Two line forms, mixable in one text:
 *
 *   [render]                 # an INI/Ansible-style section: the lines below are its members,
 *   node[01-16]              # one or more hostlists per line, separated by spaces
 *   gpu1 gpu2                # (this is the dsh group directory, one file per group, in one text)
 *
 *   compute: node[01-16],gpu[1-2] login1     # ClusterShell groups.conf style, self-contained
 *
 * A `name:` line does not end the current section. Host lines before any section are an error,
 * as are `@group` references (groups are flat here). Hosts listed in several groups merge.
 */
import { quoteForMessage } from '../host-names.js';
import { ImportError } from './import-error.js';
import { checkGroupName, type Inventory, InventoryBuilder, meaningfulLines } from './inventory.js';

const SECTION = /^\[([^\]]*)\]$/;
// Host names never contain ':', so a colon on a line always means "group: members".
const GROUP_LINE = /^([^\s:]*)\s*:(.*)$/;

export function parsePdshGroups(text: string): Inventory {
  const builder = new InventoryBuilder();
  let section: string | undefined;
  const addMembers = (group: string, members: string, line: number): void => {
    for (const expr of members.split(/\s+/).filter((m) => m !== '')) {
      if (expr.includes('@')) throw new ImportError(line, `group references such as ${quoteForMessage(expr)} are not supported`);
      for (const name of builder.expandNames(expr, line)) {
        builder.host(name, line);
        builder.addGroup(name, group, line);
      }
    }
  };
  for (const { line, text: content } of meaningfulLines(text)) {
    const sectionMatch = SECTION.exec(content);
    if (sectionMatch) {
      section = sectionMatch[1]!.trim();
      checkGroupName(section, line);
      continue;
    }
    const groupMatch = GROUP_LINE.exec(content);
    if (groupMatch) {
      const group = groupMatch[1]!;
      checkGroupName(group, line);
      addMembers(group, groupMatch[2]!, line);
      continue;
    }
    if (section === undefined) {
      throw new ImportError(line, `host line ${quoteForMessage(content)} outside a [group] section`);
    }
    addMembers(section, content, line);
  }
  return builder.build();
}
