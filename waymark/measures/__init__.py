"""Measurement-based care that runs itself: schedules, one-time links, answers and results
(docs/programs.md, "Measures")."""
