"""Salesforce REST client: OAuth (JWT bearer or client credentials), typed errors, collections, SOQL paging."""

from sync.salesforce.client import SalesforceClient, UpsertResult
from sync.salesforce.collections import RecordResult
from sync.salesforce.errors import (
    ErrorDetail,
    SalesforceDuplicatesDetected,
    SalesforceMultipleMatches,
    SalesforceNotFound,
)
from sync.salesforce.headers import AutoAssign, DuplicateRuleHeader
from sync.salesforce.limits import ApiUsage

__all__ = [
    "ApiUsage",
    "AutoAssign",
    "DuplicateRuleHeader",
    "ErrorDetail",
    "RecordResult",
    "SalesforceClient",
    "SalesforceDuplicatesDetected",
    "SalesforceMultipleMatches",
    "SalesforceNotFound",
    "UpsertResult",
]
