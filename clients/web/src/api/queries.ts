/** Every GraphQL document the dashboard sends, in one place (checked against schema.graphql by tests/web.test.ts). */
import { gql } from 'urql';

export const LOGIN = `mutation Login($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    __typename
    ... on LoginSuccess { token expiresAt user { username role grants { role group } } }
    ... on Error { message }
  }
}`;

export const VIEWER = gql`query Viewer { viewer { id username role grants { role group } } }`;
export const LOGOUT = gql`mutation Logout { logout }`;

const HOST_ROW = `id name address enabled disabledReason groups { name }`;
const CELL = `kind checkName status summary since observedAt`;

export const STATUS = gql`query Status($groups: [String!], $checks: [String!]) {
  status(groups: $groups, checks: $checks) { kinds rows { host { ${HOST_ROW} } health cells { ${CELL} } } }
}`;

export const HOST_UPDATED = gql`subscription HostUpdated($groups: [String!]) { hostUpdated(groups: $groups) { ${HOST_ROW} health } }`;
export const CHECK_STATE_CHANGED = gql`subscription CheckStateChanged($groups: [String!]) {
  checkStateChanged(groups: $groups) { ${CELL} host { id name health } }
}`;

export const GROUP_NAMES = gql`query GroupNames { groups(first: 100) { edges { node { id name } } } }`;

export const HOST = gql`query Host($name: String!) {
  host(name: $name) {
    ${HOST_ROW} labels health createdAt
    checks { kind checkName status lastStatus summary since observedAt consecutiveFailures metrics }
  }
}`;
export const CHECK_HISTORY = gql`query CheckHistory($name: String!, $kind: String!) {
  host(name: $name) { id checkHistory(kind: $kind, first: 60) { status observedAt durationMs metrics } }
}`;
export const HOST_POWER = gql`query HostPower($name: String!) { host(name: $name) { id power { reachable state lastChangedAt error } } }`;
export const HOST_SLURM = gql`query HostSlurm($name: String!) {
  host(name: $name) { id slurm { state flags reason reasonUser reasonTime partitions cpus memoryMb busy } }
}`;
export const HOST_DISKS = gql`query HostDisks($name: String!) { host(name: $name) { id disks { mount filesystem sizeKb usedKb availKb usePct } } }`;
export const HOST_BOINC = gql`query HostBoinc($name: String!) {
  host(name: $name) { id boinc {
    reachable lastSeenAt error version runMode gpuMode networkMode
    projects { url name userCredit hostCredit suspended dontRequestMoreWork }
    tasks { name projectUrl projectName state fractionDone elapsedS remainingS deadline }
  } }
}`;
export const HOST_RECOMMENDATIONS = gql`query HostRecommendations($name: String!) { host(name: $name) { id recommendations { action confidence explanation } } }`;

const AUDIT_FIELDS = `id at actor action targets reason outcome details`;
export const AUDIT_EVENTS = gql`query AuditEvents($filter: AuditFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) { edges { node { ${AUDIT_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;
export const AUDIT_EVENT_SUB = gql`subscription AuditEventLive { auditEvent { ${AUDIT_FIELDS} } }`;
export const MONITOR_ALERTS = gql`query MonitorAlerts { monitorAlerts { at check kind failing total message } }`;

const BULK = `okCount failedCount dryRun outcomes { host ok message } auditEvent { id }`;
export const SET_HOSTS_ENABLED = gql`mutation SetHostsEnabled($hosts: [String!]!, $enabled: Boolean!, $reason: String!) {
  setHostsEnabled(hosts: $hosts, enabled: $enabled, reason: $reason) { __typename ${BULK} }
}`;
export const POWER_ACTION = gql`mutation PowerAction($hosts: [String!]!, $action: PowerAction!, $reason: String!, $force: Boolean) {
  powerAction(hosts: $hosts, action: $action, reason: $reason, force: $force) { __typename ${BULK} }
}`;
export const SLURM_DRAIN = gql`mutation SlurmDrain($hosts: [String!]!, $reason: String!) { slurmDrain(hosts: $hosts, reason: $reason) { __typename ${BULK} } }`;
export const SLURM_RESUME = gql`mutation SlurmResume($hosts: [String!]!) { slurmResume(hosts: $hosts) { __typename ${BULK} } }`;
export const BOINC_SET_MODE = gql`mutation BoincSetMode($hosts: [String!]!, $what: BoincModeTarget!, $mode: BoincMode!, $reason: String) {
  boincSetMode(hosts: $hosts, what: $what, mode: $mode, reason: $reason) { __typename ${BULK} }
}`;

export const GROUPS = gql`query Groups { groups(first: 100) { edges { node { id name source description hostCount healthCounts { health count } } } } }`;
export const GROUP_MEMBERS = gql`query GroupMembers($name: String!) { group(name: $name) { id name hosts(first: 1000) { id name health enabled } } }`;

export const CHECK_DEFINITIONS = gql`query CheckDefinitions {
  checkDefinitions(first: 100) { edges { node { id name kind hosts allHosts intervalS timeoutS failThreshold okThreshold enabled params } } }
  checkKinds { name plugin description defaultIntervalS defaultTimeoutS }
}`;
const CHECK_RESULT = `__typename ... on CheckPayload { check { id name } } ... on Error { message }`;
export const CREATE_CHECK = gql`mutation CreateCheck($input: CreateCheckInput!) { createCheck(input: $input) { ${CHECK_RESULT} } }`;
export const UPDATE_CHECK = gql`mutation UpdateCheck($input: UpdateCheckInput!) { updateCheck(input: $input) { ${CHECK_RESULT} } }`;

export const USERS = gql`query Users { users { id username role disabled createdAt grants { role group } } }`;
const USER_RESULT = `__typename ... on UserPayload { user { id username role disabled grants { role group } } } ... on Error { message }`;
export const CREATE_USER = gql`mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ${USER_RESULT} } }`;
export const SET_USER_GRANTS = gql`mutation SetUserGrants($username: String!, $role: Role, $groups: [String!]) {
  setUserGrants(username: $username, role: $role, groups: $groups) { ${USER_RESULT} }
}`;
export const SET_USER_DISABLED = gql`mutation SetUserDisabled($username: String!, $disabled: Boolean!) {
  setUserDisabled(username: $username, disabled: $disabled) { ${USER_RESULT} }
}`;
export const API_TOKENS = gql`query ApiTokens { apiTokens(all: true) { id name kind role groups createdAt expiresAt lastUsedAt revokedAt } }`;
export const CREATE_API_TOKEN = gql`mutation CreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { __typename ... on CreatedApiToken { token apiToken { id name } } ... on Error { message } }
}`;
export const REVOKE_API_TOKEN = gql`mutation RevokeApiToken($id: ID!) { revokeApiToken(id: $id) { __typename ... on ApiToken { id revokedAt } ... on Error { message } } }`;
