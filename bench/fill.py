"""Fills a bootstrapped database with ROWS sessions and ROWS entities for the
scale benchmark, with direct inserts (seconds, not hours).

The data looks like a real deployment's: 99% of sessions are expired (the
sweep has persisted it) and 1% are active (plus the newest 150); 5% of entities are archived
(plus the oldest 150);
creation times are ten seconds apart from 2026-01-01. Form links are stored
as hashes only (no sealed copy), so the filled sessions list without a
`session_url`; what the scale benchmark measures is the lookups.

    python3 bench/fill.py sqlite|postgres DATABASE_URL ROWS
"""

import subprocess
import sys
import time

backend, url, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])

DETAILS = (
    '{"name":"Acme Widgets LLC","website":"https://acme.example.com/","email":null,'
    '"incorporation_state":"DE","industry_code":"332510",'
    '"legal_identifier":{"category":"us_employer_identification_number","value":"123456789"},'
    '"address":{"line1":"100 Industrial Way","line2":null,"city":"Wilmington","state":"DE",'
    '"zip":"19801","country":"US"},"beneficial_owners":[],'
    '"beneficial_ownership_exemption_reason":"other"}'
)
VALIDATION = '{"issues":[],"status":"pending"}'
# 2026-01-01T00:00:00Z in Unix microseconds, and 10 s between rows.
START = 1_767_225_600_000_000
STEP = 10_000_000
# Active sessions run out a few hours from now, as real ones do (within their 6 h).
FAR = int(time.time() * 1_000_000) + 3 * 3600 * 1_000_000
# 1% of sessions are active, and so are the newest 150: a page of active
# sessions is full at any size, so sizes compare like with like.
ACTIVE = f"(i % 100 = 0 OR i > {rows} - 150)"
# 5% of entities are archived, and so are the oldest 150: a page of archived
# Entities is full at 1,000 rows too (50 would be half a page), while at any
# size its newest rows are the scattered 5%.
ARCHIVED = f"(i % 20 = 0 OR i <= 150)"

SQLITE = f"""
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
INSERT INTO entity_onboarding_sessions
    (id, group_id, program_id, entity_id, redirect_url, token_hash, status, idempotency_key, created_at, expires_at)
SELECT 'entity_onboarding_session_' || printf('%020d', i), :group, :program, NULL,
       'https://platform.example.com/onboarded?ref=42', 'h1:' || printf('%064d', i),
       CASE WHEN {ACTIVE} THEN 'active' ELSE 'expired' END, 'bench-key-' || i,
       {START} + i * {STEP}, CASE WHEN {ACTIVE} THEN {FAR} ELSE {START} + i * {STEP} + 21600000000 END
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
INSERT INTO entities
    (id, group_id, structure, status, description, details, details_confirmed_at,
     creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements, created_at, updated_at)
SELECT 'entity_' || printf('%020d', i), :group, 'corporation',
       CASE WHEN {ARCHIVED} THEN 'archived' ELSE 'active' END, NULL, :details, NULL, NULL,
       'bench-key-' || i, :validation, '[]', {START} + i * {STEP}, {START} + i * {STEP}
FROM n;
"""

POSTGRES = f"""
INSERT INTO entity_onboarding_sessions
    (id, group_id, program_id, entity_id, redirect_url, token_hash, status, idempotency_key, created_at, expires_at)
SELECT 'entity_onboarding_session_' || lpad(i::text, 20, '0'), g.id, p.id, NULL,
       'https://platform.example.com/onboarded?ref=42', 'h1:' || lpad(i::text, 64, '0'),
       CASE WHEN {ACTIVE} THEN 'active' ELSE 'expired' END, 'bench-key-' || i,
       TIMESTAMPTZ 'epoch' + ({START} + i * {STEP}) * INTERVAL '1 microsecond',
       CASE WHEN {ACTIVE} THEN TIMESTAMPTZ 'epoch' + {FAR} * INTERVAL '1 microsecond'
            ELSE TIMESTAMPTZ 'epoch' + ({START} + i * {STEP} + 21600000000) * INTERVAL '1 microsecond' END
FROM generate_series(1::bigint, {rows}) AS i, (SELECT id FROM groups LIMIT 1) g, (SELECT id FROM programs LIMIT 1) p;
INSERT INTO entities
    (id, group_id, structure, status, description, details, details_confirmed_at,
     creating_entity_onboarding_session_id, idempotency_key, validation, terms_agreements, created_at, updated_at)
SELECT 'entity_' || lpad(i::text, 20, '0'), g.id, 'corporation',
       CASE WHEN {ARCHIVED} THEN 'archived' ELSE 'active' END, NULL, '{DETAILS}'::jsonb, NULL, NULL,
       'bench-key-' || i, '{VALIDATION}'::jsonb, '[]'::jsonb,
       TIMESTAMPTZ 'epoch' + ({START} + i * {STEP}) * INTERVAL '1 microsecond',
       TIMESTAMPTZ 'epoch' + ({START} + i * {STEP}) * INTERVAL '1 microsecond'
FROM generate_series(1::bigint, {rows}) AS i, (SELECT id FROM groups LIMIT 1) g;
ANALYZE;
"""

if backend == "sqlite":
    import sqlite3

    path = url.removeprefix("sqlite://").removeprefix("sqlite:").split("?")[0]
    db = sqlite3.connect(path)
    group, program = db.execute("SELECT group_id, id FROM programs LIMIT 1").fetchone()
    params = {"group": group, "program": program, "details": DETAILS, "validation": VALIDATION}
    with db:
        for statement in SQLITE.split(";"):
            if statement.strip():
                db.execute(statement, params)
    db.execute("ANALYZE")
    db.close()
elif backend == "postgres":
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", POSTGRES], check=True)
else:
    sys.exit(f"unknown backend {backend}")
