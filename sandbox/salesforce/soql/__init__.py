"""SOQL for the emulator: a lark grammar (``parser``), a typed AST (``ast``), relative date literals
(``dates``) and an evaluator over the org's records (``evaluator``)."""

from sandbox.salesforce.soql.evaluator import CompiledQuery, QueryContext, QueryResult, execute
from sandbox.salesforce.soql.parser import parse

__all__ = ["CompiledQuery", "QueryContext", "QueryResult", "execute", "parse"]
