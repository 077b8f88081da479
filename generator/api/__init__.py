"""`api-diff`: the public API of generated/ read statically, compared and reported."""
