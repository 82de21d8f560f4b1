"""Encrypted local storage: SQLCipher engine, keys, SQLAlchemy rows, repositories, unit of work, migrations."""
