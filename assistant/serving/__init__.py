"""Serving: the HTTP API (one router per capability), the chat page, access control, admission, start-up."""
