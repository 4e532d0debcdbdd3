"""HTTP routes of the views officials act on, one router per capability, each included by :mod:`assistant.api`."""
