"""Handoff's composition root: settings, database, app factory, scheduler wiring and CLI.

Domain packages (``sync``, ``routing``, ``sla``, ``dashboard``) never import the app, the CLI or the
wiring from here. They may import the two leaf modules ``handoff.clock`` and ``handoff.types``, which
import nothing else from Handoff, so that every package shares one notion of time and one column type
for UTC instants.
"""

__version__ = "0.1.0"
