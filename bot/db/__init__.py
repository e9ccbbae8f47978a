"""The database: SQLModel tables, the queries on them, Alembic migrations."""
