"""Pollers: Marketo activities / lead changes by paging token, Salesforce records by SystemModstamp."""
