-- The server's role and database on PostgreSQL 15. As the postgres superuser, with a
-- generated password for each role (never the same one: whoever reads reports must not
-- be able to log in as the owner of the data):
--   sudo -u postgres psql -v password="'$(openssl rand -hex 24)'" \
--        -v reports_password="'$(openssl rand -hex 24)'" -f postgresql.sql
-- (put the first password into HALLRATE_DATABASE_URL), then `hallrate-server init`
-- creates the tables. The role owns its database and nothing else.
\set ON_ERROR_STOP on
SELECT :password = :reports_password AS same_password \gset
\if :same_password
DO $$ BEGIN RAISE EXCEPTION 'give hallrate_reports its own password (-v reports_password=...), not the owner''s'; END $$;
\endif
CREATE ROLE hallrate LOGIN PASSWORD :password;
CREATE DATABASE hallrate OWNER hallrate ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
REVOKE ALL ON DATABASE hallrate FROM PUBLIC;
-- A read-only role for reports on a replica (docs/operator.md, "How a province scales").
CREATE ROLE hallrate_reports LOGIN PASSWORD :reports_password;
GRANT CONNECT ON DATABASE hallrate TO hallrate_reports;
\connect hallrate
ALTER DEFAULT PRIVILEGES FOR ROLE hallrate IN SCHEMA public GRANT SELECT ON TABLES TO hallrate_reports;
GRANT USAGE ON SCHEMA public TO hallrate_reports;
