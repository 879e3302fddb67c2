"""Which instruments a person may take alone, on the screeners pages and through the API."""

# In the order a person would meet them.
SELF_SCREENS = ("audit-c", "audit", "dast-10", "phq-2", "phq-9", "gad-7", "barc-10")
