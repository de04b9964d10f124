"""Routing: the route-ready gate, dedupe, lead-to-account matching, assignment and config replay."""
