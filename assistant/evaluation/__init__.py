"""Evaluations: answers graded on question sets, retrieval scored on its own set."""
