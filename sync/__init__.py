"""Sync: Salesforce and Marketo clients, inbound receivers, pollers, the five flows and durable inbox/outbox."""
