"""HTTP routes of the views officials act on, one router per capability, included by :mod:`assistant.serving.api`."""
