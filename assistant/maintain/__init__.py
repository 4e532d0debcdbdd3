"""Maintaining the corpus: a plan added or removed in one transaction, facts and index rebuilt, the ingestion report."""
