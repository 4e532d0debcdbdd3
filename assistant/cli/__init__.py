"""The command line (`assistant …`): corpus, facts, index, answers, evals and the views officials act on."""
