"""The facts table: fact kinds, extraction from a plan's text, the SQLite store, and scoring against gold."""
