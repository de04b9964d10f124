"""The five integration flows (DESIGN.md "The five flows"), each an inbox handler plus outbox operations."""
