// Drives a running Hosted Onboarding server with Increase's official
// TypeScript SDK (`increase`, pinned in tests/sdk/ts/package.json).
//
// Environment: INCREASE_BASE_URL, INCREASE_API_KEY, PROGRAM_ID, and
// INCREASE_SDK_DIR (the directory whose node_modules holds the SDK).
//
// The TypeScript SDK does not validate responses at run time, so every
// response is checked here against the types in the SDK's own
// `resources/*.d.ts`: every documented key present, with its type and enum
// values; extra keys only where the type has an index signature.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const BASE_URL = need('INCREASE_BASE_URL');
const API_KEY = need('INCREASE_API_KEY');
const PROGRAM_ID = need('PROGRAM_ID');
// Only a production key may change where a program redirects.
const PRODUCTION_API_KEY = need('PRODUCTION_API_KEY');
const SDK = join(need('INCREASE_SDK_DIR'), 'node_modules', 'increase');
const PINNED = '0.583.0';

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const installed = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')).version;
if (installed !== PINNED) {
  console.error(`increase ${installed} is installed under ${SDK}, expected ${PINNED}`);
  process.exit(2);
}
const sdk = await import(pathToFileURL(join(SDK, 'index.mjs')).href);
const Increase = sdk.default;

// ---------------------------------------------------------------------------
// Shapes, transcribed from increase@0.583.0's resources/*.d.ts.

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const str = { kind: 'string' };
const num = { kind: 'number' };
const datetime = { kind: 'datetime' };
const date = { kind: 'date' };
const decimal = { kind: 'decimal' };
const id = (prefix) => ({ kind: 'id', prefix });
const nullable = (inner) => ({ kind: 'nullable', inner });
const oneOf = (...values) => ({ kind: 'enum', values });
const arrayOf = (inner) => ({ kind: 'array', inner });
/**
 * An interface without an index signature: exactly these keys, plus the
 * `tolerated` ones (checked when present) that the TS types leave out.
 */
const closed = (keys, tolerated = {}) => ({ kind: 'object', keys, tolerated, open: false });
/** An interface with `[k: string]: unknown`: these keys and maybe more. */
const open = (keys) => ({ kind: 'object', keys, tolerated: {}, open: true });

function problemsOf(schema, value, path, out) {
  const fail = (what) => out.push(`${path}: expected ${what}, got ${JSON.stringify(value)}`);
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') fail('a string');
      break;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('a number');
      break;
    case 'datetime':
      if (typeof value !== 'string' || !ISO_DATETIME.test(value) || Number.isNaN(Date.parse(value)))
        fail('an ISO 8601 date-time');
      break;
    case 'date':
      if (typeof value !== 'string' || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
        fail('an ISO 8601 date');
      break;
    case 'decimal':
      if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) fail('a decimal number as a string');
      break;
    case 'id':
      if (typeof value !== 'string' || !value.startsWith(schema.prefix) || value.length <= schema.prefix.length)
        fail(`an id starting with ${schema.prefix}`);
      break;
    case 'nullable':
      if (value !== null) problemsOf(schema.inner, value, path, out);
      break;
    case 'enum':
      if (!schema.values.includes(value)) fail(`one of ${schema.values.join(', ')}`);
      break;
    case 'array':
      if (!Array.isArray(value)) fail('an array');
      else value.forEach((item, i) => problemsOf(schema.inner, item, `${path}[${i}]`, out));
      break;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        fail('an object');
        break;
      }
      for (const [key, inner] of Object.entries(schema.keys)) {
        if (!Object.hasOwn(value, key)) out.push(`${path}.${key}: missing`);
        else problemsOf(inner, value[key], `${path}.${key}`, out);
      }
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(schema.keys, key)) continue;
        if (Object.hasOwn(schema.tolerated, key)) problemsOf(schema.tolerated[key], value[key], `${path}.${key}`, out);
        else if (!schema.open) out.push(`${path}.${key}: not in the SDK's type`);
      }
      break;
    }
    default:
      throw new Error(`unknown schema kind ${schema.kind}`);
  }
}

function assertShape(schema, value, name) {
  const out = [];
  problemsOf(schema, value, name, out);
  assert.deepEqual(out, [], `${name} does not match the SDK's type`);
  return value;
}

const Program = closed({
  id: id('program_'),
  bank: oneOf('core_bank', 'first_internet_bank', 'grasshopper_bank', 'increase_bank'),
  billing_account_id: nullable(str),
  created_at: datetime,
  default_digital_card_profile_id: nullable(str),
  interest_rate: decimal,
  lending: nullable(open({ maximum_extendable_credit: num })),
  name: str,
  type: oneOf('program'),
  updated_at: datetime,
});

const Session = closed({
  id: id('entity_onboarding_session_'),
  created_at: datetime,
  entity_id: nullable(id('entity_')),
  expires_at: datetime,
  idempotency_key: nullable(str),
  program_id: id('program_'),
  redirect_url: str,
  session_url: nullable(str),
  status: oneOf('active', 'expired'),
  type: oneOf('entity_onboarding_session'),
});

const Address = closed({
  city: nullable(str),
  country: str,
  line1: str,
  line2: nullable(str),
  state: nullable(str),
  zip: nullable(str),
});
const Identification = open({
  method: oneOf('social_security_number', 'individual_taxpayer_identification_number', 'passport', 'drivers_license', 'other'),
  number_last4: str,
});
const Individual = closed({
  address: Address,
  date_of_birth: date,
  identification: nullable(Identification),
  name: str,
});
const Corporation = open({
  address: Address,
  beneficial_owners: arrayOf(
    open({
      id: str,
      company_title: nullable(str),
      individual: Individual,
      prongs: arrayOf(oneOf('ownership', 'control')),
    }),
  ),
  beneficial_ownership_exemption_reason: nullable(
    oneOf('regulated_financial_institution', 'publicly_traded_company', 'public_entity', 'other'),
  ),
  email: nullable(str),
  incorporation_state: nullable(str),
  industry_code: nullable(str),
  legal_identifier: nullable(closed({ category: oneOf('us_employer_identification_number', 'other'), value: str })),
  name: str,
  website: nullable(str),
});
const GovernmentAuthority = closed({
  address: Address,
  authorized_persons: arrayOf(closed({ authorized_person_id: str, name: str })),
  category: oneOf('municipality', 'state_agency', 'state_government', 'federal_agency'),
  name: str,
  tax_identifier: nullable(str),
  website: nullable(str),
});
const Trust = closed({
  address: Address,
  category: oneOf('revocable', 'irrevocable'),
  formation_document_file_id: nullable(str),
  formation_state: nullable(str),
  grantor: nullable(
    closed({ address: nullable(Address), date_of_birth: nullable(date), identification: nullable(Identification), name: str }),
  ),
  name: str,
  tax_identifier: nullable(str),
  trustees: arrayOf(closed({ individual: nullable(Individual), structure: oneOf('individual') })),
});
// The server follows the Python SDK (increase 0.552.0), whose issues also
// carry `entity_identity` and `beneficial_owner_tax_identifier` (both null
// unless that is the category); increase@0.583.0's types do not list them.
// An extra key is harmless to the TS SDK, which does not validate responses.
const ValidationIssue = closed(
  {
    beneficial_owner_address: nullable(closed({ beneficial_owner_id: str, reason: oneOf('mailbox_address') })),
    beneficial_owner_identity: nullable(closed({ beneficial_owner_id: str })),
    category: oneOf('entity_tax_identifier', 'entity_address', 'beneficial_owner_identity', 'beneficial_owner_address'),
    entity_address: nullable(closed({ reason: oneOf('mailbox_address') })),
    entity_tax_identifier: nullable(closed({})),
  },
  {
    entity_identity: nullable(closed({})),
    beneficial_owner_tax_identifier: nullable(closed({ beneficial_owner_id: str })),
  },
);
const STRUCTURES = ['corporation', 'natural_person', 'joint', 'trust', 'government_authority'];
const Entity = open({
  id: id('entity_'),
  corporation: nullable(Corporation),
  created_at: datetime,
  creating_entity_onboarding_session_id: nullable(id('entity_onboarding_session_')),
  description: nullable(str),
  details_confirmed_at: nullable(datetime),
  government_authority: nullable(GovernmentAuthority),
  idempotency_key: nullable(str),
  joint: nullable(closed({ individuals: arrayOf(Individual), name: str })),
  natural_person: nullable(Individual),
  risk_rating: nullable(closed({ rated_at: datetime, rating: oneOf('low', 'medium', 'high') })),
  status: oneOf('active', 'archived', 'disabled'),
  structure: oneOf(...STRUCTURES),
  supplemental_documents: arrayOf(
    closed({
      created_at: datetime,
      entity_id: id('entity_'),
      file_id: str,
      idempotency_key: nullable(str),
      type: oneOf('entity_supplemental_document'),
    }),
  ),
  terms_agreements: arrayOf(closed({ agreed_at: datetime, ip_address: str, terms_url: str })),
  third_party_verification: nullable(
    closed({ reference: str, vendor: oneOf('alloy', 'middesk', 'oscilar', 'persona', 'taktile') }),
  ),
  trust: nullable(Trust),
  type: oneOf('entity'),
  validation: nullable(closed({ issues: arrayOf(ValidationIssue), status: oneOf('pending', 'valid', 'invalid') })),
});

const isSession = (s) => assertShape(Session, s, 'EntityOnboardingSession');
const isProgram = (p) => assertShape(Program, p, 'Program');
function isEntity(e) {
  assertShape(Entity, e, 'Entity');
  // The details object named by `structure` is present, the others are null.
  for (const structure of STRUCTURES) {
    assert.equal(e[structure] !== null, e.structure === structure, `Entity.${structure} vs structure ${e.structure}`);
  }
  return e;
}

/** A list page as the SDK's `Page` class sees it: `data` and `next_cursor`. */
function isPage(page, item) {
  assert.ok(Array.isArray(page.data), 'page.data is an array');
  assert.ok(page.next_cursor === null || typeof page.next_cursor === 'string', 'page.next_cursor');
  page.data.forEach(item);
  return page;
}

// The error bodies Increase documents (the TS SDK types them as `Object`).
function isErrorBody(error, type, status) {
  assert.equal(error.status, status, 'HTTP status');
  const body = error.error;
  assertShape(open({ type: oneOf(type), title: str, detail: nullable(str), status: num }), body, `${type} body`);
  assert.equal(body.status, status, 'status in the body');
  return body;
}

async function expectError(cls, promise) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof cls) return error;
    throw new assert.AssertionError({ message: `expected ${cls.name}, got ${error?.constructor?.name}: ${error}` });
  }
  throw new assert.AssertionError({ message: `expected ${cls.name}, but the call succeeded` });
}

async function collect(pagePromise) {
  const items = [];
  for await (const item of pagePromise) items.push(item);
  return items;
}

// ---------------------------------------------------------------------------

const client = new Increase({ apiKey: API_KEY, baseURL: BASE_URL, maxRetries: 0 });
const sessions = client.entityOnboardingSessions;
const redirect = 'https://platform.example.com/done?ref=ts-sdk';
const run = Date.now().toString(36);

const corporation = (name) => ({
  name,
  legal_identifier: { value: '12-3456789' },
  website: 'https://example.com',
  incorporation_state: 'IL',
  industry_code: '541511',
  address: { line1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' },
  beneficial_owners: [
    {
      individual: {
        name: 'Ada Lovelace',
        date_of_birth: '1980-12-10',
        address: { line1: '1 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'US' },
        identification: { method: 'social_security_number', number: '078051120' },
      },
      prongs: ['control', 'ownership'],
      company_title: 'CEO',
    },
  ],
});

const checks = [
  [
    'programs: list, retrieve, simulations.programs.create',
    async () => {
      const page = isPage(await client.programs.list(), isProgram);
      assert.ok(page.data.some((p) => p.id === PROGRAM_ID), 'the bootstrap program is listed');
      const bootstrap = isProgram(await client.programs.retrieve(PROGRAM_ID));
      assert.equal(bootstrap.id, PROGRAM_ID);
      const created = isProgram(await client.simulations.programs.create({ name: `TS SDK ${run}` }));
      assert.equal(created.name, `TS SDK ${run}`);
      assert.deepEqual(await client.programs.retrieve(created.id), created);
      const all = (await collect(client.programs.list({ limit: 1 }))).map((p) => p.id);
      assert.ok(all.includes(created.id) && all.includes(PROGRAM_ID), 'auto-pagination reaches every program');
    },
  ],
  [
    'entityOnboardingSessions: create and retrieve',
    async () => {
      const { data: s, response } = await sessions
        .create({ program_id: PROGRAM_ID, redirect_url: redirect })
        .withResponse();
      isSession(s);
      assert.equal(response.status, 200);
      assert.equal(s.status, 'active');
      assert.equal(s.program_id, PROGRAM_ID);
      assert.equal(s.redirect_url, redirect);
      assert.equal(s.entity_id, null);
      assert.ok(s.session_url?.startsWith(`${BASE_URL}/onboarding/sessions?id=`), s.session_url);
      assert.ok(Date.parse(s.expires_at) > Date.parse(s.created_at), 'expires after it is created');
      // The SDK sends an Idempotency-Key of its own on every POST.
      assert.match(s.idempotency_key ?? '', /^stainless-node-retry-/);
      assert.deepEqual(isSession(await sessions.retrieve(s.id)), s);
    },
  ],
  [
    'entityOnboardingSessions: list pages by next_cursor and auto-pagination',
    async () => {
      const made = [];
      for (let i = 0; i < 5; i++) made.push((await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect })).id);
      // Page by page, by hand.
      let page = isPage(await sessions.list({ limit: 2 }), isSession);
      assert.equal(page.data.length, 2);
      assert.equal(typeof page.next_cursor, 'string');
      assert.ok(page.hasNextPage());
      const byHand = [...page.data.map((s) => s.id)];
      let cursor = page.next_cursor;
      while (cursor) {
        const next = isPage(await sessions.list({ limit: 2, cursor }), isSession);
        byHand.push(...next.data.map((s) => s.id));
        cursor = next.next_cursor;
      }
      // With the SDK's helpers: getNextPage / iterPages / for await.
      const second = await page.getNextPage();
      assert.deepEqual(second.data.map((s) => s.id), byHand.slice(2, 4));
      const viaPages = [];
      for await (const p of page.iterPages()) viaPages.push(...p.data.map((s) => s.id));
      const viaItems = (await collect(sessions.list({ limit: 2 }))).map((s) => s.id);
      for (const ids of [byHand, viaPages, viaItems]) {
        assert.equal(new Set(ids).size, ids.length, 'no repeats across pages');
        assert.ok(made.every((m) => ids.includes(m)), 'every session is reached through the pages');
      }
      assert.deepEqual(viaItems, byHand);
      assert.deepEqual(viaPages, byHand);
      page = await sessions.list({ limit: 100 });
      assert.equal(page.hasNextPage(), page.next_cursor !== null);
    },
  ],
  [
    'entityOnboardingSessions: expire and the status.in filter',
    async () => {
      const s = await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect });
      const expired = isSession(await sessions.expire(s.id));
      assert.equal(expired.status, 'expired');
      assert.equal(expired.session_url, null);
      assert.deepEqual(await sessions.expire(s.id), expired, 'expiring twice is safe');
      const expiredList = await collect(sessions.list({ status: { in: ['expired'] } }));
      const activeList = await collect(sessions.list({ status: { in: ['active'] } }));
      expiredList.forEach(isSession);
      assert.ok(expiredList.every((x) => x.status === 'expired') && activeList.every((x) => x.status === 'active'));
      assert.ok(expiredList.some((x) => x.id === s.id) && !activeList.some((x) => x.id === s.id));
      const both = await collect(sessions.list({ status: { in: ['active', 'expired'] } }));
      assert.deepEqual(
        new Set(both.map((x) => x.id)),
        new Set([...expiredList, ...activeList].map((x) => x.id)),
      );
    },
  ],
  [
    'idempotency: the same idempotencyKey twice returns the same object',
    async () => {
      const key = `ts-sdk-${run}-replay`;
      const first = await sessions
        .create({ program_id: PROGRAM_ID, redirect_url: redirect }, { idempotencyKey: key })
        .withResponse();
      const again = await sessions
        .create({ program_id: PROGRAM_ID, redirect_url: redirect }, { idempotencyKey: key })
        .withResponse();
      isSession(first.data);
      assert.equal(first.data.idempotency_key, key);
      assert.deepEqual(again.data, first.data);
      assert.equal(again.response.headers.get('Idempotent-Replayed'), 'true');
      assert.notEqual(first.response.headers.get('Idempotent-Replayed'), 'true');
      const found = await collect(sessions.list({ idempotency_key: key }));
      assert.deepEqual(found.map((x) => x.id), [first.data.id]);
      // Entities too.
      const entityKey = `ts-sdk-${run}-entity`;
      const body = { structure: 'corporation', corporation: corporation(`Replay Corp ${run}`) };
      const e1 = isEntity(await client.entities.create(body, { idempotencyKey: entityKey }));
      const e2 = await client.entities.create(body, { idempotencyKey: entityKey });
      assert.deepEqual(e2, e1);
      assert.equal(e1.idempotency_key, entityKey);
      assert.deepEqual((await collect(client.entities.list({ idempotency_key: entityKey }))).map((x) => x.id), [e1.id]);
    },
  ],
  [
    'simulations.entityOnboardingSessions.submit, then entities.retrieve',
    async () => {
      const s = await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect });
      const done = isSession(await client.simulations.entityOnboardingSessions.submit(s.id));
      assert.equal(done.id, s.id);
      assert.equal(done.status, 'expired');
      assert.equal(done.session_url, null);
      assert.ok(done.entity_id);
      const entity = isEntity(await client.entities.retrieve(done.entity_id));
      assert.equal(entity.structure, 'corporation');
      assert.equal(entity.creating_entity_onboarding_session_id, s.id);
      const owner = entity.corporation.beneficial_owners[0];
      assert.equal(owner.individual.identification.number_last4.length, 4);
      assert.ok(owner.prongs.includes('control'));
      assert.deepEqual(isSession(await sessions.retrieve(s.id)), done);
    },
  ],
  [
    'entities: create a corporation with a beneficial owner, retrieve, validation, archive',
    async () => {
      const name = `TS SDK Corp ${run}`;
      const entity = isEntity(await client.entities.create({ structure: 'corporation', corporation: corporation(name) }));
      assert.equal(entity.structure, 'corporation');
      assert.equal(entity.status, 'active');
      assert.equal(entity.creating_entity_onboarding_session_id, null);
      const corp = entity.corporation;
      assert.equal(corp.name, name);
      assert.deepEqual(corp.legal_identifier, { category: 'us_employer_identification_number', value: '123456789' });
      assert.deepEqual(corp.address, {
        line1: '1 Main St', line2: null, city: 'Springfield', state: 'IL', zip: '62701', country: 'US',
      });
      assert.equal(corp.beneficial_owners.length, 1);
      const owner = corp.beneficial_owners[0];
      assert.equal(owner.individual.name, 'Ada Lovelace');
      assert.equal(owner.individual.date_of_birth, '1980-12-10');
      assert.deepEqual(owner.individual.identification, { method: 'social_security_number', number_last4: '1120' });
      assert.deepEqual([...owner.prongs].sort(), ['control', 'ownership']);
      assert.equal(owner.company_title, 'CEO');
      assert.ok(!JSON.stringify(entity).includes('078051120'), 'the full SSN never comes back');
      assert.deepEqual(isEntity(await client.entities.retrieve(entity.id)), entity);

      const flagged = isEntity(
        await client.simulations.entities.updateValidation(entity.id, { issues: [{ category: 'entity_tax_identifier' }] }),
      );
      assert.equal(flagged.validation.status, 'invalid');
      assert.equal(flagged.validation.issues[0].category, 'entity_tax_identifier');
      assert.deepEqual(flagged.validation.issues[0].entity_tax_identifier, {});
      const invalid = await collect(client.entities.list({ validation_status: { in: ['invalid'] } }));
      assert.ok(invalid.some((e) => e.id === entity.id));

      // A session for an existing entity.
      const session = isSession(await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect, entity_id: entity.id }));
      assert.equal(session.entity_id, entity.id);
      assert.equal(session.status, 'active');

      const archived = isEntity(await client.entities.archive(entity.id));
      assert.equal(archived.status, 'archived');
      await expectError(
        sdk.InvalidParametersError,
        sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect, entity_id: entity.id }),
      );
    },
  ],
  [
    'entities: list with status.in and created_at filters',
    async () => {
      const entity = await client.entities.create({ structure: 'corporation', corporation: corporation(`Filter Corp ${run}`) });
      const archived = await client.entities.archive(
        (await client.entities.create({ structure: 'corporation', corporation: corporation(`Gone Corp ${run}`) })).id,
      );
      const ids = async (query) => {
        const items = await collect(client.entities.list(query));
        items.forEach(isEntity);
        return items.map((e) => e.id);
      };
      const all = await ids({ limit: 1 });
      assert.ok(all.includes(entity.id) && all.includes(archived.id));
      const active = await ids({ status: { in: ['active'] } });
      assert.ok(active.includes(entity.id) && !active.includes(archived.id));
      const gone = await ids({ status: { in: ['archived'] } });
      assert.ok(gone.includes(archived.id) && !gone.includes(entity.id));
      const either = await ids({ status: { in: ['active', 'archived'] } });
      assert.ok(either.includes(entity.id) && either.includes(archived.id));

      const at = entity.created_at;
      assert.ok((await ids({ created_at: { on_or_after: at } })).includes(entity.id), 'on_or_after its created_at');
      assert.ok((await ids({ created_at: { on_or_before: at } })).includes(entity.id), 'on_or_before its created_at');
      assert.ok(!(await ids({ created_at: { after: at } })).includes(entity.id), 'not after its created_at');
      assert.ok(!(await ids({ created_at: { before: at } })).includes(entity.id), 'not before its created_at');
      const hourBefore = new Date(Date.parse(at) - 3600_000).toISOString();
      const hourAfter = new Date(Date.parse(at) + 3600_000).toISOString();
      assert.ok((await ids({ created_at: { after: hourBefore, before: hourAfter } })).includes(entity.id), 'inside a window');
      assert.deepEqual(await ids({ created_at: { after: hourAfter } }), [], 'nothing from the future');
      assert.ok(
        (await ids({ status: { in: ['active'] }, created_at: { on_or_after: hourBefore } })).includes(entity.id),
        'filters combine',
      );
    },
  ],
  [
    'the branding extension through raw requests, and the redirect allow-list',
    async () => {
      const path = `/hosted_onboarding/programs/${PROGRAM_ID}/branding`;
      const production = new Increase({ apiKey: PRODUCTION_API_KEY, baseURL: BASE_URL, maxRetries: 0 });
      const e403 = await expectError(
        sdk.InsufficientPermissionsError,
        client.patch(path, { body: { allowed_redirect_origins: ['https://platform.example.com'] } }),
      );
      isErrorBody(e403, 'insufficient_permissions_error', 403);
      const set = await production.patch(path, {
        body: { display_name: 'Acme via TS', accent_color: '#1d4ed8', allowed_redirect_origins: ['https://platform.example.com'] },
      });
      assert.equal(set.type, 'hosted_onboarding_program_branding');
      assert.equal(set.display_name, 'Acme via TS');
      assert.equal(set.accent_color, '#1d4ed8');
      assert.deepEqual(await client.get(path), set);
      const e = await expectError(sdk.BadRequestError, client.patch(path, { body: { accent_color: '#ffff00' } }));
      assert.equal(isErrorBody(e, 'invalid_parameters_error', 400).errors[0].field, 'accent_color');
      const refused = client.entityOnboardingSessions.create({
        program_id: PROGRAM_ID,
        redirect_url: 'https://elsewhere.example/done',
      });
      const r = await expectError(sdk.BadRequestError, refused);
      assert.equal(r.error.errors[0].field, 'redirect_url');
      const cleared = await production.patch(path, {
        body: { display_name: null, accent_color: null, allowed_redirect_origins: null },
      });
      assert.equal(cleared.allowed_redirect_origins, null);
      await client.entityOnboardingSessions.create({ program_id: PROGRAM_ID, redirect_url: 'https://elsewhere.example/done' });
    },
  ],
  [
    'errors map to the SDK classes',
    async () => {
      // 404s.
      let e = await expectError(sdk.NotFoundError, sessions.retrieve('entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa'));
      assert.ok(e instanceof sdk.ObjectNotFoundError);
      isErrorBody(e, 'object_not_found_error', 404);
      e = await expectError(sdk.ObjectNotFoundError, client.entities.retrieve('entity_aaaaaaaaaaaaaaaaaaaa'));
      isErrorBody(e, 'object_not_found_error', 404);
      await expectError(sdk.ObjectNotFoundError, client.programs.retrieve('program_aaaaaaaaaaaaaaaaaaaa'));
      await expectError(sdk.ObjectNotFoundError, sessions.expire('entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa'));
      e = await expectError(sdk.APIMethodNotFoundError, client.get('/no_such_method'));
      assert.ok(e instanceof sdk.NotFoundError);
      isErrorBody(e, 'api_method_not_found_error', 404);

      // 400s: an invalid body, and one that is not JSON at all.
      e = await expectError(
        sdk.BadRequestError,
        sessions.create({ program_id: PROGRAM_ID, redirect_url: 'javascript:alert(1)' }),
      );
      assert.ok(e instanceof sdk.InvalidParametersError);
      let body = isErrorBody(e, 'invalid_parameters_error', 400);
      assert.ok(Array.isArray(body.errors) && body.errors.some((x) => x.field === 'redirect_url'), JSON.stringify(body));
      e = await expectError(sdk.InvalidParametersError, sessions.create({ program_id: PROGRAM_ID }));
      body = isErrorBody(e, 'invalid_parameters_error', 400);
      assert.ok(body.errors.some((x) => x.field === 'redirect_url'), JSON.stringify(body));
      e = await expectError(sdk.InvalidParametersError, client.entities.create({ structure: 'corporation' }));
      isErrorBody(e, 'invalid_parameters_error', 400);
      e = await expectError(sdk.InvalidParametersError, sessions.list({ limit: 1000 }));
      isErrorBody(e, 'invalid_parameters_error', 400);
      e = await expectError(
        sdk.MalformedRequestError,
        client.post('/entity_onboarding_sessions', { body: 'not an object', headers: { 'Content-Type': 'text/plain' } }),
      );
      assert.ok(e instanceof sdk.BadRequestError);
      isErrorBody(e, 'malformed_request_error', 400);

      // 401: a key the server does not know.
      const stranger = new Increase({ apiKey: 'secret_key_wrong', baseURL: BASE_URL, maxRetries: 0 });
      e = await expectError(sdk.AuthenticationError, stranger.programs.list());
      assert.ok(e instanceof sdk.InvalidAPIKeyError);
      body = isErrorBody(e, 'invalid_api_key_error', 401);
      assert.equal(body.reason, 'no_credential');
      await expectError(sdk.AuthenticationError, stranger.entityOnboardingSessions.retrieve('entity_onboarding_session_aaaaaaaaaaaaaaaaaaaa'));

      // 409s: a reused idempotency key with another body, and an action on an expired session.
      const key = `ts-sdk-${run}-conflict`;
      const first = await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect }, { idempotencyKey: key });
      e = await expectError(
        sdk.IdempotencyKeyAlreadyUsedError,
        sessions.create({ program_id: PROGRAM_ID, redirect_url: `${redirect}&x=1` }, { idempotencyKey: key }),
      );
      assert.ok(e instanceof sdk.ConflictError);
      body = isErrorBody(e, 'idempotency_key_already_used_error', 409);
      assert.equal(body.resource_id, first.id);
      const gone = await sessions.expire((await sessions.create({ program_id: PROGRAM_ID, redirect_url: redirect })).id);
      e = await expectError(sdk.InvalidOperationError, client.simulations.entityOnboardingSessions.submit(gone.id));
      isErrorBody(e, 'invalid_operation_error', 409);
    },
  ],
];

let passed = 0;
let failed = 0;
for (const [name, fn] of checks) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}: ${error?.stack ?? error}`);
  }
}
console.log(`ts-sdk: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
