"""Question answering over the provincial plans for the digital transformation of the press."""
