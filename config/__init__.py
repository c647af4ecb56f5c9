"""Settings, clock and rule sets: everything that varies between deployments."""
