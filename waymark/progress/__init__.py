"""The progress page: charts and milestones from the person's own check-ins (no models)."""
