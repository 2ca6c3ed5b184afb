import type { GuardDatabase } from './database'

/**
 * Schema changes, in order. Never edit a released entry: append a new one.
 * Statements are split on `;`, so keep semicolons out of literals.
 */
const MIGRATIONS: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'users, sessions, config versions, signing keys, audit',
    sql: `
      create table guard_users (
        id text primary key,
        email text not null,
        email_verified boolean not null default false,
        password_hash text not null,
        roles jsonb not null default '[]',
        public_metadata jsonb not null default '{}',
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create unique index guard_users_email_key on guard_users (lower(email));
      create table guard_sessions (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        refresh_hash text not null unique,
        factors jsonb not null default '{}',
        created_at timestamptz not null default now(),
        last_active_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        ip text,
        user_agent text
      );
      create index guard_sessions_user_idx on guard_sessions (user_id);
      create table guard_config_versions (
        version integer primary key,
        document jsonb not null,
        created_at timestamptz not null default now(),
        created_by text,
        note text
      );
      create table guard_signing_keys (
        kid text primary key,
        alg text not null,
        public_jwk jsonb not null,
        private_jwk_sealed text not null,
        created_at timestamptz not null default now(),
        sign_until timestamptz not null,
        verify_until timestamptz not null
      );
      create table guard_audit (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor_id text,
        action text not null,
        target text,
        before jsonb,
        after jsonb,
        ip text
      );
      create index guard_audit_at_idx on guard_audit (at desc);
    `,
  },
  {
    id: 2,
    name: 'MFA: factors, recovery codes, email codes, rate limits, remembered devices, outbox',
    sql: `
      create table guard_factors (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        type text not null,
        label text not null default '',
        secret_sealed text,
        data jsonb not null default '{}',
        last_used_step bigint,
        created_at timestamptz not null default now(),
        last_used_at timestamptz,
        confirmed_at timestamptz
      );
      create index guard_factors_user_idx on guard_factors (user_id);
      create table guard_recovery_codes (
        id bigserial primary key,
        user_id text not null references guard_users (id) on delete cascade,
        code_hash text not null,
        created_at timestamptz not null default now(),
        used_at timestamptz
      );
      create index guard_recovery_codes_user_idx on guard_recovery_codes (user_id);
      create table guard_email_codes (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        purpose text not null,
        code_hash text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        attempts integer not null default 0,
        used_at timestamptz
      );
      create index guard_email_codes_user_idx on guard_email_codes (user_id);
      create table guard_rate_limits (
        key text primary key,
        count integer not null default 0,
        window_ends_at timestamptz not null,
        blocked_until timestamptz
      );
      create table guard_remembered_devices (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        token_hash text not null unique,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz,
        user_agent text
      );
      create index guard_remembered_devices_user_idx on guard_remembered_devices (user_id);
      create table guard_outbox (
        id bigserial primary key,
        to_address text not null,
        subject text not null,
        body_text text not null,
        created_at timestamptz not null default now()
      )
    `,
  },
  {
    id: 3,
    name: 'MFA: WebAuthn challenges, unique credential ids, the factor a remembered device stands for',
    sql: `
      create table guard_webauthn_challenges (
        session_id text not null references guard_sessions (id) on delete cascade,
        ceremony text not null,
        challenge text not null,
        expires_at timestamptz not null,
        primary key (session_id, ceremony)
      );
      create unique index guard_factors_webauthn_credential_key on guard_factors ((data->>'credentialId')) where type = 'webauthn';
      alter table guard_remembered_devices add column factor text not null default 'totp'
    `,
  },
  {
    id: 4,
    name: 'Sign-in throttling: failed sign-ins by account, client address and known device, counted over a sliding window',
    sql: `
      create table guard_sign_in_failures (
        id bigint generated always as identity primary key,
        at timestamptz not null,
        account text not null,
        client text not null,
        device text
      );
      create index guard_sign_in_failures_account_idx on guard_sign_in_failures (account, at);
      create index guard_sign_in_failures_client_idx on guard_sign_in_failures (client, at);
      create index guard_sign_in_failures_device_idx on guard_sign_in_failures (device, at) where device is not null
    `,
  },
  {
    id: 5,
    name: 'Live claims: a per-user claims epoch, bumped whenever what a user\'s token renders from changes (roles, metadata, factors)',
    sql: `
      alter table guard_users add column claims_epoch integer not null default 0;
      alter table guard_users add column claims_changed_at timestamptz;
      create index guard_users_claims_changed_idx on guard_users (claims_changed_at) where claims_changed_at is not null
    `,
  },
  {
    id: 6,
    name: 'Re-enrollment proofs: a session that proved it is its user with a switched-off factor, good for setting up an allowed factor only',
    sql: `
      create table guard_reenroll_proofs (
        session_id text primary key references guard_sessions (id) on delete cascade,
        user_id text not null references guard_users (id) on delete cascade,
        factor text not null,
        proved_at timestamptz not null,
        expires_at timestamptz not null
      )
    `,
  },
  {
    id: 7,
    name: 'Password resets: one live reset code per user, stored as a keyed hash, single use, short-lived, a few tries',
    sql: `
      create table guard_password_resets (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        code_hash text not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        attempts integer not null default 0,
        used_at timestamptz
      );
      create index guard_password_resets_user_idx on guard_password_resets (user_id)
    `,
  },
  {
    id: 8,
    name: 'Account lifecycle: disabled users, email verification and change codes, invitations',
    sql: `
      alter table guard_users add column disabled_at timestamptz;
      alter table guard_users add column disabled_reason text;
      alter table guard_users add column disabled_until timestamptz;
      alter table guard_users add column password_changed_at timestamptz;
      create table guard_email_verifications (
        id text primary key,
        user_id text not null references guard_users (id) on delete cascade,
        email text not null,
        purpose text not null,
        code_hash text not null,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        attempts integer not null default 0,
        used_at timestamptz
      );
      create index guard_email_verifications_user_idx on guard_email_verifications (user_id, purpose);
      create table guard_invitations (
        id text primary key,
        email text not null,
        token_hash text not null unique,
        roles jsonb not null default '["member"]',
        invited_by text,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        accepted_at timestamptz,
        accepted_user_id text,
        revoked_at timestamptz
      );
      create index guard_invitations_email_idx on guard_invitations (lower(email))
    `,
  },
  {
    id: 9,
    name: 'Organizations: organizations, memberships with org roles, invitations by email, the active organization of a session',
    sql: `
      create table guard_organizations (
        id text primary key,
        name text not null,
        slug text not null,
        public_metadata jsonb not null default '{}',
        created_by text references guard_users (id) on delete set null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      );
      create unique index guard_organizations_slug_key on guard_organizations (lower(slug));
      create table guard_org_memberships (
        org_id text not null references guard_organizations (id) on delete cascade,
        user_id text not null references guard_users (id) on delete cascade,
        role text not null,
        created_at timestamptz not null,
        primary key (org_id, user_id)
      );
      create index guard_org_memberships_user_idx on guard_org_memberships (user_id);
      create table guard_org_invitations (
        id text primary key,
        org_id text not null references guard_organizations (id) on delete cascade,
        email text not null,
        role text not null,
        token_hash text not null unique,
        invited_by text,
        created_at timestamptz not null,
        expires_at timestamptz not null,
        accepted_at timestamptz,
        accepted_user_id text,
        revoked_at timestamptz
      );
      create index guard_org_invitations_org_idx on guard_org_invitations (org_id, lower(email));
      alter table guard_sessions add column active_org_id text references guard_organizations (id) on delete set null;
      create index guard_sessions_active_org_idx on guard_sessions (active_org_id) where active_org_id is not null
    `,
  },
  {
    id: 10,
    name: 'The origin a session\'s tokens are issued to (their azp), fixed at sign-in, so every instance stamps it',
    sql: `
      alter table guard_sessions add column azp text
    `,
  },
]

/**
 * Brings the schema up to date. Safe to run from several instances at once:
 * an advisory lock serialises them and applied migrations are skipped.
 *
 * @example
 * await migrate(db) // returns the ids it applied
 */
export async function migrate(db: GuardDatabase): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(727274001)`)
    await tx.query(`create table if not exists guard_migrations (id integer primary key, name text not null, applied_at timestamptz not null default now())`)
    const done = new Set((await tx.query<{ id: number }>('select id from guard_migrations')).map(row => row.id))
    const applied: number[] = []
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue
      for (const statement of migration.sql.split(';').map(s => s.trim()).filter(Boolean)) await tx.query(statement)
      await tx.query('insert into guard_migrations (id, name) values ($1, $2)', [migration.id, migration.name])
      applied.push(migration.id)
    }
    return applied
  })
}
