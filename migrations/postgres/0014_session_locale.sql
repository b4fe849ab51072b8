-- The language a platform chose for a session's hosted pages ('en' or
-- 'es'); NULL lets the customer's browser decide.
ALTER TABLE entity_onboarding_sessions ADD COLUMN locale TEXT;
