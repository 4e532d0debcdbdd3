"""Built data (facts table, index): checksummed caches, freshness, integrity checks, healing at load."""
