"""Stand-ins for Banqup and Octopus, for the demo and the end-to-end tests; never used in production."""
