"""Verification of an answer: the evidence check of its quotes and facts, and the gate on its claims."""
