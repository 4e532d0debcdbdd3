"""HTTP routes of the server, one router per capability (answers, chat, plans, facts, the views officials act on,
feedback, health), included by :func:`assistant.serving.api.create_api`."""
