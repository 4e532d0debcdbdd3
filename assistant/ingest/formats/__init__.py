"""Readers of the input formats, one module each, every module exposing ``READER`` (an ingest ``Reader``)."""
