"""One module per gate family. Gates know nothing of pytest: they turn inputs into GateResults."""
