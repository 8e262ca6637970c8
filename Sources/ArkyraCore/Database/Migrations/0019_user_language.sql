-- The language a person reads the web app in (null: their browser's). Set at sign-up from the browser's
-- language and changed with the language menu; it follows them to every browser they log in from.
ALTER TABLE users ADD COLUMN language text CHECK (language IS NULL OR language IN ('en', 'ar', 'fr', 'es', 'de'));
