"""`octobridge bounces`: the SMTP server that reads delivery status notifications (CONTRACTS §8)."""
