"""Tabs of the chat page, one function per tab (chat, facts table, plan texts, duty sheets, deadline calendar, target
comparison), what they render, and the chat's feedback and export."""
