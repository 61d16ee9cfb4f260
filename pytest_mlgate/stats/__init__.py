"""Vectorized statistics shared by the gates. numpy and scipy only: no pytest, no I/O."""
