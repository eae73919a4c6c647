"""Background jobs for the returns (filled in below)."""
