"""SOQL text → ``Query``: a lark grammar (LALR), not regular expressions over the string.

Supported (reference §3): field lists with parent relationship paths (``Owner.Name``), ``COUNT()``,
``WHERE`` with AND / OR / NOT and parentheses (mixing AND and OR without parentheses is refused, as SOQL
does), ``= != <> < <= > >= LIKE IN NOT IN``, ``null``, booleans, numbers, quoted strings, unquoted date and
datetime literals and relative date literals (``TODAY``, ``LAST_N_DAYS:n``, …), ``ORDER BY … ASC|DESC
NULLS FIRST|LAST``, ``LIMIT``, ``OFFSET``. A syntax error becomes ``400 MALFORMED_QUERY`` with Salesforce's
message shape (the query, a caret, ``ERROR at Row:r:Column:c``, ``unexpected token: 'x'``).
"""

from __future__ import annotations

from functools import lru_cache

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.formats import parse_date, parse_datetime
from sandbox.salesforce.soql.ast import (
    BoolOp,
    Comparison,
    DateLiteral,
    FieldPath,
    Literal,
    Not,
    OrderItem,
    Position,
    Query,
)

RELATIVE_LITERALS = [
    "TODAY",
    "YESTERDAY",
    "TOMORROW",
    "LAST_WEEK",
    "THIS_WEEK",
    "NEXT_WEEK",
    "LAST_MONTH",
    "THIS_MONTH",
    "NEXT_MONTH",
    "LAST_90_DAYS",
    "NEXT_90_DAYS",
    "THIS_QUARTER",
    "LAST_QUARTER",
    "NEXT_QUARTER",
    "THIS_YEAR",
    "LAST_YEAR",
    "NEXT_YEAR",
]
RELATIVE_N_LITERALS = [
    "LAST_N_DAYS",
    "NEXT_N_DAYS",
    "N_DAYS_AGO",
    "LAST_N_WEEKS",
    "NEXT_N_WEEKS",
    "LAST_N_MONTHS",
    "NEXT_N_MONTHS",
]

GRAMMAR = rf"""
start: _SELECT select_list _FROM object_name where_clause? order_clause? limit_clause? offset_clause?

select_list: count_all | field_path ("," field_path)*
count_all: _COUNT "(" ")"
field_path: NAME ("." NAME)*
object_name: NAME

where_clause: _WHERE condition
?condition: and_chain | or_chain | unary
and_chain: unary (_AND unary)+
or_chain: unary (_OR unary)+
?unary: _NOT unary -> negation
      | "(" condition ")"
      | comparison
comparison: field_path COMPARE_OP value          -> compare
          | field_path _LIKE value               -> like
          | field_path _IN "(" value_list ")"    -> in_list
          | field_path _NOT _IN "(" value_list ")" -> not_in_list
value_list: value ("," value)*
value: STRING | DATETIME | DATE | NUMBER | TRUE | FALSE | NULL | RELATIVE_N | RELATIVE

order_clause: _ORDER _BY order_item ("," order_item)*
order_item: field_path DIRECTION? nulls?
nulls: _NULLS NULLS_WHERE
limit_clause: _LIMIT INT
offset_clause: _OFFSET INT

_SELECT.5: /select\b/i
_FROM.5: /from\b/i
_WHERE.5: /where\b/i
_AND.5: /and\b/i
_OR.5: /or\b/i
_NOT.5: /not\b/i
_LIKE.5: /like\b/i
_IN.5: /in\b/i
_ORDER.5: /order\b/i
_BY.5: /by\b/i
_NULLS.5: /nulls\b/i
_LIMIT.5: /limit\b/i
_OFFSET.5: /offset\b/i
_COUNT.5: /count(?=\s*\()/i
TRUE.5: /true\b/i
FALSE.5: /false\b/i
NULL.5: /null\b/i
DIRECTION.5: /(asc|desc)\b/i
NULLS_WHERE.5: /(first|last)\b/i
RELATIVE_N.6: /({"|".join(RELATIVE_N_LITERALS)}):\d+/i
RELATIVE.5: /({"|".join(RELATIVE_LITERALS)})\b/i
DATETIME.4: /\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(\.\d{{1,3}})?(Z|[+-]\d{{2}}:\d{{2}})/i
DATE.3: /\d{{4}}-\d{{2}}-\d{{2}}/
NUMBER.2: /[+-]?(\d+(\.\d*)?|\.\d+)/
INT: /\d+/
COMPARE_OP: "!=" | "<>" | "<=" | ">=" | "=" | "<" | ">"
STRING: /'(\\.|[^'\\])*'/
NAME: /[A-Za-z_][A-Za-z0-9_]*/

%import common.WS
%ignore WS
"""

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unquote(token: str) -> str:
    body, out, index = token[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            following = body[index + 1]
            # \% and \_ stay escaped: they matter to LIKE, which unescapes them itself.
            out.append(_ESCAPES.get(following, "\\" + following))
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _position(token: Token) -> Position:
    return Position(token.line or 1, token.column or 1)


@v_args(inline=True)
class _ToAst(Transformer):
    def start(self, select, object_name, *clauses):
        where = order = limit = offset = None
        for kind, value in clauses:
            if kind == "where":
                where = value
            elif kind == "order":
                order = value
            elif kind == "limit":
                limit = value
            else:
                offset = value
        name, position = object_name
        count_only = select == "count"
        return Query(
            name,
            position,
            () if count_only else tuple(select),
            count_only,
            where,
            tuple(order or ()),
            limit,
            offset,
        )

    def select_list(self, *items):
        if len(items) == 1 and items[0] == "count":
            return "count"
        return list(items)

    def count_all(self):
        return "count"

    def field_path(self, *names):
        return FieldPath(tuple(str(n) for n in names), _position(names[0]))

    def object_name(self, name):
        return str(name), _position(name)

    def where_clause(self, condition):
        return ("where", condition)

    def and_chain(self, *operands):
        return BoolOp("AND", operands)

    def or_chain(self, *operands):
        return BoolOp("OR", operands)

    def negation(self, operand):
        return Not(operand)

    def compare(self, path, operator, value):
        op = "!=" if str(operator) == "<>" else str(operator)
        return Comparison(path, op, (value,))

    def like(self, path, value):
        return Comparison(path, "LIKE", (value,))

    def in_list(self, path, values):
        return Comparison(path, "IN", tuple(values))

    def not_in_list(self, path, values):
        return Comparison(path, "NOT IN", tuple(values))

    def value_list(self, *values):
        return list(values)

    def value(self, token):
        literal = self._literal(token)
        return Literal(literal.kind, literal.value, _position(token))

    @staticmethod
    def _literal(token: Token) -> Literal:
        kind, text = token.type, str(token)
        if kind == "STRING":
            return Literal("string", _unquote(text))
        if kind == "DATETIME":
            return Literal("datetime", parse_datetime(text))
        if kind == "DATE":
            return Literal("date", parse_date(text))
        if kind == "NUMBER":
            number = float(text)
            return Literal("number", int(number) if number.is_integer() and "." not in text else number)
        if kind in ("TRUE", "FALSE"):
            return Literal("boolean", kind == "TRUE")
        if kind == "NULL":
            return Literal("null", None)
        if kind == "RELATIVE_N":
            name, _, n = text.partition(":")
            return Literal("date_literal", DateLiteral(name.upper(), int(n)))
        return Literal("date_literal", DateLiteral(text.upper()))

    def order_clause(self, *items):
        return ("order", list(items))

    def order_item(self, path, *modifiers):
        descending, nulls_last = False, None
        for modifier in modifiers:
            if isinstance(modifier, Token) and modifier.type == "DIRECTION":
                descending = str(modifier).lower() == "desc"
            else:
                nulls_last = modifier
        return OrderItem(path, descending, nulls_last)

    def nulls(self, where):
        return str(where).lower() == "last"

    def limit_clause(self, value):
        return ("limit", int(value))

    def offset_clause(self, value):
        return ("offset", int(value))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="contextual", propagate_positions=False)


def error_message(text: str, row: int, column: int, detail: str) -> str:
    """Salesforce's query error text: the offending line, a caret under the column, then the reason."""
    lines = text.split("\n")
    line = lines[row - 1] if 0 < row <= len(lines) else text
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{detail}"


def malformed(text: str, row: int, column: int, detail: str) -> ApiError:
    return ApiError(400, "MALFORMED_QUERY", error_message(text, row, column, detail))


def parse(text: str) -> Query:
    """Parse SOQL or raise ``ApiError(400, MALFORMED_QUERY)``."""
    if not text or not text.strip():
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    try:
        tree = _parser().parse(text)
        query = _ToAst().transform(tree)
    except UnexpectedEOF as exc:
        raise _eof(text) from exc
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise _eof(text) from exc
        raise malformed(text, exc.line, exc.column, f"unexpected token: '{exc.token}'") from exc
    except UnexpectedCharacters as exc:
        raise malformed(text, exc.line, exc.column, f"unexpected token: '{text[exc.pos_in_stream]}'") from exc
    except UnexpectedInput as exc:
        raise malformed(text, exc.line or 1, exc.column or 1, "unexpected token") from exc
    except VisitError as exc:
        raise ApiError(400, "MALFORMED_QUERY", f"invalid literal: {exc.orig_exc}") from exc
    return Query(
        query.sobject,
        query.sobject_position,
        query.fields,
        query.count_only,
        query.where,
        query.order_by,
        query.limit,
        query.offset,
        text,
    )


def _eof(text: str) -> ApiError:
    lines = text.rstrip().split("\n")
    return malformed(text, len(lines), len(lines[-1]) + 1, "unexpected token: '<EOF>'")
