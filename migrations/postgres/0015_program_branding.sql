-- How a program's hosted pages look and where they may be used. Every
-- column is optional: a program without branding shows its name on plain
-- pages, may redirect to any valid URL and may not be framed.
ALTER TABLE programs ADD COLUMN display_name TEXT;
-- '#rrggbb', checked for contrast with white text when set.
ALTER TABLE programs ADD COLUMN accent_color TEXT;
-- The program's logo in program_logos, by its file name:
-- '<sha256 of the bytes, hex>.<png|jpg|webp>'.
ALTER TABLE programs ADD COLUMN logo TEXT;
ALTER TABLE programs ADD COLUMN support_url TEXT;
ALTER TABLE programs ADD COLUMN privacy_url TEXT;
-- Origins separated by single spaces. NULL: any redirect_url is allowed.
ALTER TABLE programs ADD COLUMN allowed_redirect_origins TEXT;
-- Origins separated by single spaces. NULL: the form may not be framed.
ALTER TABLE programs ADD COLUMN allowed_frame_ancestors TEXT;

-- Logos by their file name, made of the SHA-256 of their bytes, so that
-- the address of a logo changes with its image and browsers may cache it
-- for good. last_set_at is when a program last chose the logo: the sweep
-- deletes a logo no program uses once that is a day old.
CREATE TABLE program_logos (
    file_name    TEXT PRIMARY KEY NOT NULL,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL,
    last_set_at  timestamptz NOT NULL
);
