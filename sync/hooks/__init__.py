"""Inbound receivers: Salesforce Outbound Messages (SOAP) and the Marketo Call Webhook flow step."""
