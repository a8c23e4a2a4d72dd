"""Which métier a message is about: one index of names, one normalisation, typo tolerance (issue 18)."""
