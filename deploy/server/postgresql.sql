-- The server's role and database on PostgreSQL 15. As the postgres superuser:
--   sudo -u postgres psql -v password="'$(openssl rand -base64 24)'" -f postgresql.sql
-- (put the same password into HALLRATE_DATABASE_URL), then `hallrate-server init`
-- creates the tables. The role owns its database and nothing else.
CREATE ROLE hallrate LOGIN PASSWORD :password;
CREATE DATABASE hallrate OWNER hallrate ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
REVOKE ALL ON DATABASE hallrate FROM PUBLIC;
-- A read-only role for reports on a replica (docs/operator.md, "How a province scales").
CREATE ROLE hallrate_reports LOGIN PASSWORD :password;
GRANT CONNECT ON DATABASE hallrate TO hallrate_reports;
\connect hallrate
ALTER DEFAULT PRIVILEGES FOR ROLE hallrate IN SCHEMA public GRANT SELECT ON TABLES TO hallrate_reports;
GRANT USAGE ON SCHEMA public TO hallrate_reports;
