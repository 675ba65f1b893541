"""Grading a whole class: ``grade`` runs students in a local process pool (or on a cluster
through ``cluster``, Dask) and writes each one's outputs as it finishes."""
