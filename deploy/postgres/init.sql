-- First-start initialisation of the compose PostgreSQL server: one database and one login role per
-- service, because each service owns its own database and must not reach another's.
--
-- The official postgres image runs this file with psql once, when the data volume is empty. The
-- passwords come from the container environment (compose.yaml passes them from deploy/.env), read with
-- psql's \getenv, so no password is written in this file. Changing a password later takes
-- ALTER ROLE <service> PASSWORD '…' as well as the new value in deploy/.env.

\set ON_ERROR_STOP on

\getenv repertoire_password REPERTOIRE_DB_PASSWORD
\getenv licensing_password LICENSING_DB_PASSWORD
\getenv matching_password MATCHING_DB_PASSWORD
\getenv settlement_password SETTLEMENT_DB_PASSWORD

-- Each role owns its database, so the service's migrations can create and alter its schema.
CREATE ROLE repertoire LOGIN PASSWORD :'repertoire_password';
CREATE DATABASE repertoire OWNER repertoire;
REVOKE ALL ON DATABASE repertoire FROM PUBLIC;

CREATE ROLE licensing LOGIN PASSWORD :'licensing_password';
CREATE DATABASE licensing OWNER licensing;
REVOKE ALL ON DATABASE licensing FROM PUBLIC;

CREATE ROLE matching LOGIN PASSWORD :'matching_password';
CREATE DATABASE matching OWNER matching;
REVOKE ALL ON DATABASE matching FROM PUBLIC;

CREATE ROLE settlement LOGIN PASSWORD :'settlement_password';
CREATE DATABASE settlement OWNER settlement;
REVOKE ALL ON DATABASE settlement FROM PUBLIC;
