"""Reports: each reads a list of GateResults and nothing else, and never raises into the test run."""
