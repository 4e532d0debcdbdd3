"""Search: passages chunked from the plans, embedded (multilingual-e5-small) and indexed, hybrid retrieval."""
