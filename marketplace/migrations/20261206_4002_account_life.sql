-- Account life: verified e-mail and phone, single-use links (e-mail verification, password reset), one-time
-- codes sent to a phone (verification, sign-in), and accounts a community agent opens with a phone only.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
ALTER TABLE users ADD COLUMN phone_verified_at timestamptz;
-- A producer registered by an agent may have a phone and no e-mail.
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_email_or_phone CHECK (email IS NOT NULL OR phone IS NOT NULL);
-- Sign-in by phone finds one account per verified number.
CREATE UNIQUE INDEX users_verified_phone_key ON users (phone) WHERE phone_verified_at IS NOT NULL;

CREATE TABLE account_links (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    -- Only the hash of the token in the link is kept.
    token_hash bytea NOT NULL UNIQUE,
    email text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX account_links_user_idx ON account_links (user_id, purpose);

CREATE TABLE phone_codes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    phone text NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('verify_phone', 'sign_in')),
    user_id bigint REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX phone_codes_phone_idx ON phone_codes (phone, purpose, id DESC);
