"""Tabs of the chat page for the views officials act on, one function per tab, and the chat's feedback and export."""
