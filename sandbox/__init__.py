"""Emulators of Salesforce and Marketo that speak the real wire format, and the synthetic demo world.

Never imported by production code paths: only the CLI (``handoff sandbox …``, ``handoff demo``), tests
and benchmarks use it.
"""
