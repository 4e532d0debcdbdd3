"""Answer feedback: 👍 / 👎 with an optional comment, kept in its own SQLite file, and its export."""
