"""Views over the facts table that officials act on: duty sheets, a deadline calendar, a target comparison."""
