// Drives iamd's Groups, Roles, Users, Properties, API clients, credentials,
// IP allowlist and lookup routes with
// Akamai's own Node.js EdgeGrid client, exactly
// as a user would: credentials from the .edgerc iamd wrote, https to the host
// in it, the server's CA trusted through NODE_EXTRA_CA_CERTS.
// Usage: node client_compat.js PATH_TO_EDGERC
// Prints one line per step; exits 1 at the first unexpected answer.
'use strict';

const EdgeGrid = require('akamai-edgegrid');

const edgerc = process.argv[2];
const eg = new EdgeGrid({ path: edgerc, section: 'default' });
const base = '/identity-management/v3/user-admin/groups';

function callWith(client, options) {
  return new Promise((resolve, reject) => {
    client.auth(Object.assign({ headers: {}, body: {} }, options)).send((error, response, body) => {
      if (error && !error.response) return reject(error);
      const res = response || error.response;
      resolve({ status: res.status, headers: res.headers, body: res.data !== undefined ? res.data : body });
    });
  });
}

function call(options) {
  return callWith(eg, options);
}

function expect(step, actual, expected) {
  if (actual !== expected) {
    console.log(`FAIL ${step}: expected ${expected}, got ${actual}`);
    process.exit(1);
  }
  console.log(`ok ${step}`);
}

function parse(body) {
  return typeof body === 'string' ? JSON.parse(body) : body;
}

(async () => {
  const list = await call({ path: base, method: 'GET' });
  expect('list groups', list.status, 200);
  const top = parse(list.body)[0].groupId;

  const created = await call({
    path: `${base}/${top}`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: { groupName: 'Created by the Node client' },
  });
  expect('create group (POST body hashed)', created.status, 201);
  const id = parse(created.body).groupId;
  expect('event sequence header', typeof created.headers['x-iam-sequence'], 'string');

  const renamed = await call({
    path: `${base}/${id}`,
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: { groupName: 'Renamed by the Node client' },
  });
  expect('rename group (PUT)', renamed.status, 200);
  expect('new name', parse(renamed.body).groupName, 'Renamed by the Node client');

  const withActions = await call({ path: `${base}/${id}`, method: 'GET', qs: { actions: true } });
  expect('get group with a query string', withActions.status, 200);
  expect('actions present', typeof parse(withActions.body).actions, 'object');

  const removed = await call({ path: `${base}/${id}`, method: 'DELETE' });
  expect('delete group', removed.status, 204);

  const gone = await call({ path: `${base}/${id}`, method: 'GET' });
  expect('deleted group is gone', gone.status, 404);

  const roles = '/identity-management/v3/user-admin/roles';
  const role = await call({
    path: roles,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: { roleName: 'Node readers', roleDescription: 'Made by the Node client', grantedRoles: [{ grantedRoleId: 2051 }] },
  });
  expect('create role (array in the body)', role.status, 201);
  const roleId = parse(role.body).roleId;
  const fetchedRole = await call({ path: `${roles}/${roleId}`, method: 'GET', qs: { grantedRoles: true } });
  expect('get role with grantedRoles', parse(fetchedRole.body).grantedRoles[0].grantedRoleId, 2051);
  const removedRole = await call({ path: `${roles}/${roleId}`, method: 'DELETE' });
  expect('delete role', removedRole.status, 204);

  const users = '/identity-management/v3/user-admin/ui-identities';
  const user = await call({
    path: users,
    method: 'POST',
    qs: { sendEmail: false },
    headers: { 'Content-Type': 'application/json' },
    body: {
      firstName: 'Node',
      lastName: 'Client',
      email: 'node.client@example.com',
      country: 'USA',
      additionalAuthentication: 'NONE',
      authGrants: [{ groupId: top, roleId: 3 }],
    },
  });
  expect('create user (query string and nested array)', user.status, 201);
  const userId = parse(user.body).uiIdentityId;
  expect('created user has an id', typeof userId, 'string');
  const regranted = await call({
    path: `${users}/${userId}/auth-grants`,
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: [{ groupId: top, roleId: 13 }],
  });
  expect('replace user grants (array body)', regranted.status, 200);
  expect('replaced grant role', parse(regranted.body)[0].roleId, 13);
  const locked = await call({ path: `${users}/${userId}/lock`, method: 'POST' });
  expect('lock user', locked.status, 204);
  const whileLocked = await call({ path: `${users}/${userId}`, method: 'GET' });
  expect('user is locked', parse(whileLocked.body).isLocked, true);
  const unlocked = await call({ path: `${users}/${userId}/unlock`, method: 'POST' });
  expect('unlock user', unlocked.status, 204);
  const fetchedUser = await call({ path: `${users}/${userId}`, method: 'GET', qs: { authGrants: true } });
  expect('get user with authGrants', fetchedUser.status, 200);
  expect('user is unlocked', parse(fetchedUser.body).isLocked, false);
  expect('user grant role after replace', parse(fetchedUser.body).authGrants[0].roleId, 13);
  expect('user grant group after replace', parse(fetchedUser.body).authGrants[0].groupId, top);

  // An API client with its first credential, used by a second EdgeGrid instance.
  const clients = '/identity-management/v3/api-clients';
  const made = await call({
    path: clients,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: {
      clientName: 'node-made',
      clientType: 'CLIENT',
      authorizedUsers: ['admin'],
      createCredential: true,
      apiAccess: { allAccessibleApis: true },
      groupAccess: { cloneAuthorizedUserGroups: true },
    },
  });
  expect('create API client with a credential', made.status, 201);
  const client = parse(made.body);
  const first = client.credentials[0];
  const asClient = new EdgeGrid(first.clientToken, first.clientSecret, client.accessToken, eg.config.host);
  const self = await callWith(asClient, { path: `${clients}/self`, method: 'GET' });
  expect('new client signs with its credential', parse(self.body).clientId, client.clientId);

  // Rotation: a second credential, the first deactivated, and only the second still signs.
  const second = await callWith(asClient, { path: `${clients}/self/credentials`, method: 'POST' });
  expect('create second credential', second.status, 201);
  const next = parse(second.body);
  const rotated = new EdgeGrid(next.clientToken, next.clientSecret, client.accessToken, eg.config.host);
  const retired = await callWith(rotated, {
    path: `${clients}/self/credentials/${first.credentialId}/deactivate`,
    method: 'POST',
  });
  expect('deactivate first credential', retired.status, 204);
  const refused = await callWith(asClient, { path: `${clients}/self`, method: 'GET' });
  expect('first credential is refused', refused.status, 401);
  const accepted = await callWith(rotated, { path: `${clients}/self`, method: 'GET' });
  expect('second credential signs', accepted.status, 200);

  // The allowlist: a block admitting this caller, listed, then removed.
  const allowlist = '/identity-management/v3/user-admin/ip-acl/allowlist';
  const block = await call({
    path: allowlist,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: { cidrBlock: '127.0.0.0/8', enabled: true, comments: 'loopback' },
  });
  expect('create CIDR block', block.status, 201);
  const blocks = await call({ path: allowlist, method: 'GET' });
  expect('list CIDR blocks', parse(blocks.body).length, 1);
  const dropped = await call({ path: `${allowlist}/${parse(block.body).cidrBlockId}`, method: 'DELETE' });
  expect('delete CIDR block', dropped.status, 204);

  const countries = await call({ path: '/identity-management/v3/user-admin/common/countries', method: 'GET' });
  expect('countries lookup lists USA', parse(countries.body).includes('USA'), true);
  const properties = await call({ path: '/identity-management/v3/user-admin/properties', method: 'GET' });
  expect('list properties', properties.status, 200);
  console.log('all steps passed');
})().catch((error) => {
  console.log(`FAIL: ${error && error.message ? error.message : error}`);
  process.exit(1);
});
