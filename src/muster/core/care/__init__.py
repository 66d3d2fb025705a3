"""Rules for children in care (issue 5): the Virtual School's attendance improvement plans, their
quality, escalation, small improvements and the process pathways of seeds 000, 001 and 004.
Plain Python over plain values and register matrices; the `muster.care` app stores and shows."""
